// The 22 counties and cities (縣市) with their interior-ministry codes, per DOMAIN.md, and each
// one's health bureau (衛生局), which reviews support-duty cases for institutions in its county
// and acts as a card registration counter. English names are the official romanisations.

export interface HealthBureau {
  nameZh: string;
  nameEn: string;
}

export interface County {
  code: string;
  nameZh: string;
  nameEn: string;
  healthBureau: HealthBureau;
}

/** Special municipalities: 「XX市政府衛生局」 / "XX City Department of Health". */
function municipal(zh: string, en: string): HealthBureau {
  return { nameZh: `${zh}政府衛生局`, nameEn: `${en} Department of Health` };
}

/** Counties and provincial cities: 「XX縣衛生局」 / "XX County Public Health Bureau". */
function local(zh: string, en: string): HealthBureau {
  return { nameZh: `${zh}衛生局`, nameEn: `${en} Public Health Bureau` };
}

export const COUNTIES = [
  { code: '63000', nameZh: '臺北市', nameEn: 'Taipei City', healthBureau: municipal('臺北市', 'Taipei City') },
  { code: '64000', nameZh: '高雄市', nameEn: 'Kaohsiung City', healthBureau: municipal('高雄市', 'Kaohsiung City') },
  { code: '65000', nameZh: '新北市', nameEn: 'New Taipei City', healthBureau: municipal('新北市', 'New Taipei City') },
  { code: '66000', nameZh: '臺中市', nameEn: 'Taichung City', healthBureau: municipal('臺中市', 'Taichung City') },
  { code: '67000', nameZh: '臺南市', nameEn: 'Tainan City', healthBureau: municipal('臺南市', 'Tainan City') },
  { code: '68000', nameZh: '桃園市', nameEn: 'Taoyuan City', healthBureau: municipal('桃園市', 'Taoyuan City') },
  { code: '10002', nameZh: '宜蘭縣', nameEn: 'Yilan County', healthBureau: local('宜蘭縣', 'Yilan County') },
  { code: '10004', nameZh: '新竹縣', nameEn: 'Hsinchu County', healthBureau: local('新竹縣', 'Hsinchu County') },
  { code: '10005', nameZh: '苗栗縣', nameEn: 'Miaoli County', healthBureau: local('苗栗縣', 'Miaoli County') },
  { code: '10007', nameZh: '彰化縣', nameEn: 'Changhua County', healthBureau: local('彰化縣', 'Changhua County') },
  { code: '10008', nameZh: '南投縣', nameEn: 'Nantou County', healthBureau: local('南投縣', 'Nantou County') },
  { code: '10009', nameZh: '雲林縣', nameEn: 'Yunlin County', healthBureau: local('雲林縣', 'Yunlin County') },
  { code: '10010', nameZh: '嘉義縣', nameEn: 'Chiayi County', healthBureau: local('嘉義縣', 'Chiayi County') },
  { code: '10013', nameZh: '屏東縣', nameEn: 'Pingtung County', healthBureau: local('屏東縣', 'Pingtung County') },
  { code: '10014', nameZh: '臺東縣', nameEn: 'Taitung County', healthBureau: local('臺東縣', 'Taitung County') },
  { code: '10015', nameZh: '花蓮縣', nameEn: 'Hualien County', healthBureau: local('花蓮縣', 'Hualien County') },
  { code: '10016', nameZh: '澎湖縣', nameEn: 'Penghu County', healthBureau: local('澎湖縣', 'Penghu County') },
  { code: '10017', nameZh: '基隆市', nameEn: 'Keelung City', healthBureau: local('基隆市', 'Keelung City') },
  { code: '10018', nameZh: '新竹市', nameEn: 'Hsinchu City', healthBureau: local('新竹市', 'Hsinchu City') },
  // Chiayi City's bureau carries 政府 in its name although it is not a special municipality.
  { code: '10020', nameZh: '嘉義市', nameEn: 'Chiayi City', healthBureau: { nameZh: '嘉義市政府衛生局', nameEn: 'Chiayi City Public Health Bureau' } },
  { code: '09020', nameZh: '金門縣', nameEn: 'Kinmen County', healthBureau: local('金門縣', 'Kinmen County') },
  // Lienchiang (Matsu) merged health and social welfare into one bureau (衛生福利局).
  { code: '09007', nameZh: '連江縣', nameEn: 'Lienchiang County', healthBureau: { nameZh: '連江縣衛生福利局', nameEn: 'Lienchiang County Health Bureau' } },
] as const satisfies readonly County[];

export type CountyCode = (typeof COUNTIES)[number]['code'];

export function findCounty(code: string): County | undefined {
  return COUNTIES.find((c) => c.code === code);
}

/**
 * The order in which the interior ministry's household registration statistics list the counties
 * (戶政司): the six special municipalities (新北市、臺北市、桃園市、臺中市、臺南市、高雄市), then the
 * counties and cities of Taiwan Province as it lists them, then Fukien Province (金門縣、連江縣).
 * Lists of counties for people (the counter search, the county choices) follow it.
 */
export const COUNTY_ORDER: readonly string[] = [
  '65000', '63000', '68000', '66000', '67000', '64000',
  '10002', '10004', '10005', '10007', '10008', '10009', '10010', '10013', '10014', '10015', '10016', '10017', '10018', '10020',
  '09020', '09007',
];

/** A county's place in COUNTY_ORDER (unknown codes last, by code). */
export function countyRank(code: string): number {
  const i = COUNTY_ORDER.indexOf(code);
  return i < 0 ? COUNTY_ORDER.length : i;
}
