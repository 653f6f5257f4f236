// Kinds of medical institution and of card registration counter, with their display names.

export const INSTITUTION_KINDS = [
  { code: 'medical_center', nameZh: '醫學中心', nameEn: 'Medical center' },
  { code: 'regional_hospital', nameZh: '區域醫院', nameEn: 'Regional hospital' },
  { code: 'district_hospital', nameZh: '地區醫院', nameEn: 'District hospital' },
  { code: 'clinic', nameZh: '診所', nameEn: 'Clinic' },
  { code: 'pharmacy', nameZh: '藥局', nameEn: 'Pharmacy' },
] as const;

export type InstitutionKind = (typeof INSTITUTION_KINDS)[number]['code'];

/**
 * hospital: an initial-review hospital (初審註冊櫃檯) serving its own staff;
 * health_bureau / health_station: the counters (衛生局、所) for everyone else.
 */
export const COUNTER_KINDS = [
  { code: 'hospital', nameZh: '醫院初審註冊櫃檯', nameEn: 'Initial-review hospital' },
  { code: 'health_bureau', nameZh: '衛生局', nameEn: 'Health bureau' },
  { code: 'health_station', nameZh: '衛生所', nameEn: 'Health station' },
] as const;

export type CounterKind = (typeof COUNTER_KINDS)[number]['code'];
