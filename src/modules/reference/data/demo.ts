// Synthetic demo data for development and tests. Deterministic (no randomness), and fictional:
// every institution carries 示範 / "Demo" in its name, people are common surnames with generic
// given names, national IDs are generated from fixed patterned prefixes (…99xxxx) with valid
// check digits. Institution codes, addresses and phone numbers are placeholders shaped like
// real ones; they are not the contact data of any real institution, bureau or health station.
import { nationalIdWithCheckDigit } from '../../../common/identifiers/national-id';
import { COUNTIES, CountyCode } from './counties';
import { CounterKind, InstitutionKind } from './kinds';
import { PersonnelCategoryCode } from '../../../common/identifiers/personnel-categories';

export interface DemoInstitution {
  /** 10-digit medical institution code */
  code: string;
  nameZh: string;
  nameEn: string;
  kind: InstitutionKind;
  countyCode: CountyCode;
  address: string;
  /** normalised as validatePhone returns it */
  phone: string;
  /** the hospital is an initial-review registration counter (初審註冊櫃檯) for its own staff */
  isInitialReviewCounter: boolean;
}

export interface DemoCounter {
  /** institution code for hospitals, 'HB-<county>' for health bureaus, 'HS-<county>-<nn>' for health stations */
  code: string;
  kind: CounterKind;
  nameZh: string;
  nameEn: string;
  countyCode: CountyCode;
  /** the hospital behind a 'hospital' counter, otherwise null */
  institutionCode: string | null;
  address: string;
  phone: string;
  openingHoursZh: string;
  openingHoursEn: string;
}

/** A row of the professional registry (醫事人員證書資料) the card reservation is checked against. */
export interface DemoProfessional {
  nationalId: string;
  categoryCode: PersonnelCategoryCode;
  /** 6 digits, zero-padded */
  certificateNumber: string;
  nameZh: string;
  /** the institution the person is registered to practise at (執業登記) */
  homeInstitutionCode: string;
  email: string;
}

export const DEMO_INSTITUTIONS: readonly DemoInstitution[] = [
  { code: '0190010011', nameZh: '臺北示範醫學中心', nameEn: 'Taipei Demo Medical Center', kind: 'medical_center', countyCode: '63000', address: '臺北市中正區中山南路100號', phone: '02-23123456', isInitialReviewCounter: true },
  { code: '0190120016', nameZh: '大安示範家醫科診所', nameEn: "Da'an Demo Family Medicine Clinic", kind: 'clinic', countyCode: '63000', address: '臺北市大安區復興南路一段200號', phone: '02-27001234', isInitialReviewCounter: false },
  { code: '3190020013', nameZh: '新北示範區域醫院', nameEn: 'New Taipei Demo Regional Hospital', kind: 'regional_hospital', countyCode: '65000', address: '新北市板橋區文化路一段300號', phone: '02-29601234', isInitialReviewCounter: true },
  { code: '3190530018', nameZh: '板橋示範藥局', nameEn: 'Banqiao Demo Pharmacy', kind: 'pharmacy', countyCode: '65000', address: '新北市板橋區中山路二段50號', phone: '02-29561234', isInitialReviewCounter: false },
  { code: '0390010014', nameZh: '臺中示範醫學中心', nameEn: 'Taichung Demo Medical Center', kind: 'medical_center', countyCode: '66000', address: '臺中市西屯區臺灣大道四段500號', phone: '04-23591234', isInitialReviewCounter: true },
  { code: '3690240015', nameZh: '西屯示範牙醫診所', nameEn: 'Xitun Demo Dental Clinic', kind: 'clinic', countyCode: '66000', address: '臺中市西屯區河南路三段80號', phone: '04-24521234', isInitialReviewCounter: false },
  { code: '0590010016', nameZh: '臺南示範區域醫院', nameEn: 'Tainan Demo Regional Hospital', kind: 'regional_hospital', countyCode: '67000', address: '臺南市東區林森路一段200號', phone: '06-2351234', isInitialReviewCounter: true },
  { code: '0290010017', nameZh: '高雄示範醫學中心', nameEn: 'Kaohsiung Demo Medical Center', kind: 'medical_center', countyCode: '64000', address: '高雄市三民區自由一路100號', phone: '07-3121234', isInitialReviewCounter: true },
  { code: '0290330019', nameZh: '苓雅示範中醫診所', nameEn: 'Lingya Demo Chinese Medicine Clinic', kind: 'clinic', countyCode: '64000', address: '高雄市苓雅區四維三路60號', phone: '07-3301234', isInitialReviewCounter: false },
  { code: '4590010010', nameZh: '花蓮示範地區醫院', nameEn: 'Hualien Demo District Hospital', kind: 'district_hospital', countyCode: '10015', address: '花蓮縣花蓮市中正路300號', phone: '03-8321234', isInitialReviewCounter: false },
  { code: '3490210017', nameZh: '羅東示範診所', nameEn: 'Luodong Demo Clinic', kind: 'clinic', countyCode: '10002', address: '宜蘭縣羅東鎮中正路120號', phone: '03-9541234', isInitialReviewCounter: false },
  { code: '9090010019', nameZh: '金門示範地區醫院', nameEn: 'Kinmen Demo District Hospital', kind: 'district_hospital', countyCode: '09020', address: '金門縣金湖鎮復興路10號', phone: '082-331234', isInitialReviewCounter: false },
];

const OFFICE_HOURS = { openingHoursZh: '週一至週五 08:30–12:00、13:30–17:30', openingHoursEn: 'Mon–Fri 08:30–12:00, 13:30–17:30' };
const HOSPITAL_HOURS = { openingHoursZh: '週一至週五 08:30–17:00；週六 08:30–12:00', openingHoursEn: 'Mon–Fri 08:30–17:00; Sat 08:30–12:00' };

/** Placeholder address and phone of each county's health bureau counter. */
const HEALTH_BUREAU_CONTACTS: Readonly<Record<CountyCode, { address: string; phone: string }>> = {
  '63000': { address: '臺北市信義區市府路1號', phone: '02-27208889' },
  '64000': { address: '高雄市苓雅區凱旋二路132號', phone: '07-7134000' },
  '65000': { address: '新北市板橋區英士路192號', phone: '02-22577155' },
  '66000': { address: '臺中市豐原區中興路136號', phone: '04-25265394' },
  '67000': { address: '臺南市東區林森路一段418號', phone: '06-2679751' },
  '68000': { address: '桃園市桃園區縣府路55號', phone: '03-3340935' },
  '10002': { address: '宜蘭縣宜蘭市聖後街141號', phone: '03-9322634' },
  '10004': { address: '新竹縣竹北市光明七街1號', phone: '03-5518160' },
  '10005': { address: '苗栗縣苗栗市府前路1號', phone: '037-558080' },
  '10007': { address: '彰化縣彰化市中山路二段162號', phone: '04-7115141' },
  '10008': { address: '南投縣南投市復興路6號', phone: '049-2222473' },
  '10009': { address: '雲林縣斗六市府前街34號', phone: '05-5373488' },
  '10010': { address: '嘉義縣太保市祥和二路東段3號', phone: '05-3620600' },
  '10013': { address: '屏東縣屏東市自由路272號', phone: '08-7370002' },
  '10014': { address: '臺東縣臺東市博愛路336號', phone: '089-331171' },
  '10015': { address: '花蓮縣花蓮市新興路200號', phone: '03-8227141' },
  '10016': { address: '澎湖縣馬公市中正路115號', phone: '06-9272162' },
  '10017': { address: '基隆市信義區信二路266號', phone: '02-24230181' },
  '10018': { address: '新竹市東區中央路241號', phone: '03-5355191' },
  '10020': { address: '嘉義市西區德明路1號', phone: '05-2338066' },
  '09020': { address: '金門縣金湖鎮復興路1號', phone: '082-330697' },
  '09007': { address: '連江縣南竿鄉復興村216號', phone: '0836-22095' },
};

export const DEMO_COUNTERS: readonly DemoCounter[] = [
  ...DEMO_INSTITUTIONS.filter((i) => i.isInitialReviewCounter).map(
    (i): DemoCounter => ({
      code: i.code,
      kind: 'hospital',
      nameZh: i.nameZh,
      nameEn: i.nameEn,
      countyCode: i.countyCode,
      institutionCode: i.code,
      address: i.address,
      phone: i.phone,
      ...HOSPITAL_HOURS,
    }),
  ),
  ...COUNTIES.map(
    (c): DemoCounter => ({
      code: `HB-${c.code}`,
      kind: 'health_bureau',
      nameZh: c.healthBureau.nameZh,
      nameEn: c.healthBureau.nameEn,
      countyCode: c.code,
      institutionCode: null,
      ...HEALTH_BUREAU_CONTACTS[c.code],
      ...OFFICE_HOURS,
    }),
  ),
  { code: 'HS-63000-01', kind: 'health_station', nameZh: '臺北市大安區健康服務中心', nameEn: "Taipei City Da'an District Health Center", countyCode: '63000', institutionCode: null, address: '臺北市大安區辛亥路三段15號', phone: '02-27335110', ...OFFICE_HOURS },
  { code: 'HS-65000-01', kind: 'health_station', nameZh: '新北市板橋區衛生所', nameEn: 'Banqiao District Health Station, New Taipei City', countyCode: '65000', institutionCode: null, address: '新北市板橋區中正路83號', phone: '02-29684224', ...OFFICE_HOURS },
  { code: 'HS-10002-01', kind: 'health_station', nameZh: '宜蘭縣羅東鎮衛生所', nameEn: 'Luodong Township Health Station, Yilan County', countyCode: '10002', institutionCode: null, address: '宜蘭縣羅東鎮中山路一段50號', phone: '03-9545011', ...OFFICE_HOURS },
  { code: 'HS-10015-01', kind: 'health_station', nameZh: '花蓮縣花蓮市衛生所', nameEn: 'Hualien City Health Station, Hualien County', countyCode: '10015', institutionCode: null, address: '花蓮縣花蓮市林森路80號', phone: '03-8322111', ...OFFICE_HOURS },
  { code: 'HS-09020-01', kind: 'health_station', nameZh: '金門縣金湖鎮衛生所', nameEn: 'Jinhu Township Health Station, Kinmen County', countyCode: '09020', institutionCode: null, address: '金門縣金湖鎮中正路5號', phone: '082-332546', ...OFFICE_HOURS },
];

/**
 * A synthetic ID: first letter, sex/format digit (1 male, 2 female; 8/9 new-format resident
 * certificate), then the patterned serial 099xxxx, then the computed check digit.
 */
function demoId(letter: string, second: 1 | 2 | 8 | 9, serial: number): string {
  return nationalIdWithCheckDigit(`${letter}${second}${String(990000 + serial).padStart(7, '0')}`);
}

const TAIPEI_MC = '0190010011';
const DAAN_CLINIC = '0190120016';
const NEW_TAIPEI_RH = '3190020013';
const BANQIAO_PHARMACY = '3190530018';
const TAICHUNG_MC = '0390010014';
const XITUN_DENTAL = '3690240015';
const TAINAN_RH = '0590010016';
const KAOHSIUNG_MC = '0290010017';
const LINGYA_TCM = '0290330019';
const HUALIEN_DH = '4590010010';
const LUODONG_CLINIC = '3490210017';
const KINMEN_DH = '9090010019';

function person(
  nationalId: string,
  nameZh: string,
  categoryCode: PersonnelCategoryCode,
  certificateNumber: string,
  homeInstitutionCode: string,
  emailLocal: string,
): DemoProfessional {
  return { nationalId, categoryCode, certificateNumber, nameZh, homeInstitutionCode, email: `${emailLocal}@example.test` };
}

export const DEMO_PERSONNEL: readonly DemoProfessional[] = [
  // Physicians (A)
  person(demoId('A', 1, 1), '王小明', 'A', '010001', TAIPEI_MC, 'wang.xiaoming'),
  person(demoId('A', 2, 2), '陳美玲', 'A', '010002', TAIPEI_MC, 'chen.meiling'),
  person(demoId('F', 1, 3), '林志明', 'A', '010003', DAAN_CLINIC, 'lin.zhiming'),
  person(demoId('B', 1, 4), '張家豪', 'A', '010004', TAICHUNG_MC, 'zhang.jiahao'),
  person(demoId('E', 2, 5), '李怡君', 'A', '010005', KAOHSIUNG_MC, 'li.yijun'),
  person(demoId('U', 1, 6), '黃俊傑', 'A', '010006', HUALIEN_DH, 'huang.junjie'),
  person(demoId('G', 2, 7), '吳雅婷', 'A', '010007', LUODONG_CLINIC, 'wu.yating'),
  person(demoId('W', 1, 8), '劉建宏', 'A', '010008', KINMEN_DH, 'liu.jianhong'),
  person(demoId('A', 9, 9), '艾琳娜', 'A', '010009', TAIPEI_MC, 'elena.demo'),
  person(demoId('D', 1, 10), '彭建國', 'A', '010010', TAINAN_RH, 'peng.jianguo'),
  // Chinese medicine physicians (B)
  person(demoId('E', 2, 11), '蔡淑芬', 'B', '020001', LINGYA_TCM, 'cai.shufen'),
  person(demoId('E', 1, 12), '楊宗翰', 'B', '020002', LINGYA_TCM, 'yang.zonghan'),
  person(demoId('A', 1, 13), '許文彬', 'B', '020003', TAIPEI_MC, 'xu.wenbin'),
  // Dentists (C)
  person(demoId('B', 2, 14), '鄭雅琪', 'C', '030001', XITUN_DENTAL, 'zheng.yaqi'),
  person(demoId('B', 1, 15), '謝明哲', 'C', '030002', XITUN_DENTAL, 'xie.mingzhe'),
  person(demoId('D', 2, 16), '郭佳穎', 'C', '030003', TAINAN_RH, 'guo.jiaying'),
  // Pharmacists (D)
  person(demoId('F', 1, 17), '洪志偉', 'D', '040001', BANQIAO_PHARMACY, 'hong.zhiwei'),
  person(demoId('F', 2, 18), '邱淑惠', 'D', '040002', BANQIAO_PHARMACY, 'qiu.shuhui'),
  person(demoId('A', 1, 19), '曾柏翰', 'D', '040003', TAIPEI_MC, 'zeng.bohan'),
  person(demoId('B', 2, 20), '廖婉婷', 'D', '040004', TAICHUNG_MC, 'liao.wanting'),
  // Assistant pharmacist (E)
  person(demoId('F', 1, 21), '賴冠宇', 'E', '050001', BANQIAO_PHARMACY, 'lai.guanyu'),
  // Registered professional nurses (F)
  person(demoId('A', 2, 22), '周怡萱', 'F', '060001', TAIPEI_MC, 'zhou.yixuan'),
  person(demoId('F', 2, 23), '徐靜宜', 'F', '060002', NEW_TAIPEI_RH, 'xu.jingyi'),
  person(demoId('B', 2, 24), '孫佩君', 'F', '060003', TAICHUNG_MC, 'sun.peijun'),
  person(demoId('D', 2, 25), '馬慧玲', 'F', '060004', TAINAN_RH, 'ma.huiling'),
  person(demoId('A', 2, 26), '朱宜蓁', 'F', '060005', DAAN_CLINIC, 'zhu.yizhen'),
  // Other categories
  person(demoId('U', 2, 27), '胡秀英', 'G', '070001', HUALIEN_DH, 'hu.xiuying'),
  person(demoId('W', 2, 28), '高美華', 'H', '080001', KINMEN_DH, 'gao.meihua'),
  person(demoId('D', 2, 29), '林雅雯', 'I', '090001', TAINAN_RH, 'lin.yawen'),
  person(demoId('E', 1, 30), '陳志豪', 'J', '100001', KAOHSIUNG_MC, 'chen.zhihao'),
  person(demoId('F', 1, 31), '葉承恩', 'Q', '170001', NEW_TAIPEI_RH, 'ye.chengen'),
  person(demoId('B', 2, 32), '蘇郁婷', 'R', '180001', TAICHUNG_MC, 'su.yuting'),
  person(demoId('E', 1, 33), '潘建志', 'S', '190001', KAOHSIUNG_MC, 'pan.jianzhi'),
  person(demoId('A', 2, 34), '呂欣怡', 'V', '220001', TAIPEI_MC, 'lu.xinyi'),
  person(demoId('A', 2, 35), '蔣宛臻', 'X', '240001', DAAN_CLINIC, 'jiang.wanzhen'),
  person(demoId('F', 1, 36), '沈家瑋', 'Y', '250001', NEW_TAIPEI_RH, 'shen.jiawei'),
  person(demoId('E', 2, 37), '杜欣妤', 'Z', '260001', KAOHSIUNG_MC, 'du.xinyu'),
  person(demoId('B', 1, 38), '范子翔', '1', '270001', TAICHUNG_MC, 'fan.zixiang'),
  person(demoId('B', 1, 39), '方建成', '2', '280001', XITUN_DENTAL, 'fang.jiancheng'),
  person(demoId('D', 2, 40), '江品妍', '5', '310001', TAINAN_RH, 'jiang.pinyan'),
];

function institution(code: string): DemoInstitution {
  const found = DEMO_INSTITUTIONS.find((i) => i.code === code);
  if (!found) throw new Error(`demo data: no institution ${code}`);
  return found;
}

function professional(email: string): DemoProfessional {
  const found = DEMO_PERSONNEL.find((p) => p.email === email);
  if (!found) throw new Error(`demo data: no professional ${email}`);
  return found;
}

/** Named fixtures for tests and demos; each is one of the rows above. */
export const DEMO_FIXTURES = {
  /** DEMO_PERSONNEL[0]: physician (A) at an initial-review hospital in Taipei */
  physicianAtInitialReviewHospital: DEMO_PERSONNEL[0],
  /** physician (A) at a clinic in Taipei: reserves at a health bureau / station */
  physicianAtClinic: professional('lin.zhiming@example.test'),
  /** physician (A) at a district hospital that is not an initial-review counter (Hualien) */
  physicianAtNonCounterHospital: professional('huang.junjie@example.test'),
  /** physician (A) holding a new-format resident certificate number */
  residentPhysician: professional('elena.demo@example.test'),
  /** nurse (F) at an initial-review hospital in New Taipei */
  nurseAtInitialReviewHospital: professional('xu.jingyi@example.test'),
  /** pharmacist (D) at a pharmacy in New Taipei */
  pharmacistAtPharmacy: professional('hong.zhiwei@example.test'),
  /** Taipei medical center, an initial-review counter */
  initialReviewHospital: institution(TAIPEI_MC),
  /** a second initial-review hospital in another county (New Taipei), for cross-institution checks */
  otherInitialReviewHospital: institution(NEW_TAIPEI_RH),
  /** family-medicine clinic in Taipei */
  clinic: institution(DAAN_CLINIC),
  /** pharmacy in New Taipei */
  pharmacy: institution(BANQIAO_PHARMACY),
  /** district hospital in Hualien, not an initial-review counter */
  nonCounterHospital: institution(HUALIEN_DH),
} as const;

export function findDemoInstitution(code: string): DemoInstitution | undefined {
  return DEMO_INSTITUTIONS.find((i) => i.code === code);
}
