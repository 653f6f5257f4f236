// The 31 medical personnel categories (醫事人員類別) used in professional certificate numbers
// (醫事證書字號), per DOMAIN.md. Codes are fixed (letters A-Z without O, then digits 1-6).

export interface PersonnelCategory {
  code: string;
  nameZh: string;
  nameEn: string;
}

export const PERSONNEL_CATEGORIES = [
  { code: 'A', nameZh: '西醫師', nameEn: 'Physician' },
  { code: 'B', nameZh: '中醫師', nameEn: 'Chinese Medicine Physician' },
  { code: 'C', nameZh: '牙醫師', nameEn: 'Dentist' },
  { code: 'D', nameZh: '藥師', nameEn: 'Pharmacist' },
  { code: 'E', nameZh: '藥劑生', nameEn: 'Assistant Pharmacist' },
  { code: 'F', nameZh: '護理師', nameEn: 'Registered Professional Nurse' },
  { code: 'G', nameZh: '護士', nameEn: 'Registered Nurse' },
  { code: 'H', nameZh: '助產士', nameEn: 'Midwife' },
  { code: 'I', nameZh: '助產師', nameEn: 'Professional Midwife' },
  { code: 'J', nameZh: '醫事檢驗師', nameEn: 'Medical Technologist' },
  { code: 'K', nameZh: '醫事檢驗生', nameEn: 'Medical Laboratory Technician' },
  { code: 'L', nameZh: '鑲牙生', nameEn: 'Dental Prosthetist' },
  { code: 'M', nameZh: '中藥員', nameEn: 'Chinese Herbal Dispenser' },
  { code: 'N', nameZh: '齒模員', nameEn: 'Dental Model Maker' },
  { code: 'P', nameZh: '接骨員', nameEn: 'Bonesetter' },
  { code: 'Q', nameZh: '物理治療師', nameEn: 'Physical Therapist' },
  { code: 'R', nameZh: '職能治療師', nameEn: 'Occupational Therapist' },
  { code: 'S', nameZh: '醫事放射師', nameEn: 'Medical Radiation Technologist' },
  { code: 'T', nameZh: '醫事放射士', nameEn: 'Medical Radiation Technician' },
  { code: 'U', nameZh: '物理治療生', nameEn: 'Physical Therapy Technician' },
  { code: 'V', nameZh: '呼吸治療師', nameEn: 'Respiratory Therapist' },
  { code: 'W', nameZh: '職能治療生', nameEn: 'Occupational Therapy Technician' },
  { code: 'X', nameZh: '諮商心理師', nameEn: 'Counseling Psychologist' },
  { code: 'Y', nameZh: '臨床心理師', nameEn: 'Clinical Psychologist' },
  { code: 'Z', nameZh: '營養師', nameEn: 'Dietitian' },
  { code: '1', nameZh: '語言治療師', nameEn: 'Speech-Language Pathologist' },
  { code: '2', nameZh: '牙體技術師', nameEn: 'Dental Technologist' },
  { code: '3', nameZh: '聽力師', nameEn: 'Audiologist' },
  { code: '4', nameZh: '牙體技術生', nameEn: 'Dental Technician' },
  { code: '5', nameZh: '驗光師', nameEn: 'Optometrist' },
  { code: '6', nameZh: '驗光生', nameEn: 'Optometry Technician' },
] as const satisfies readonly PersonnelCategory[];

export type PersonnelCategoryCode = (typeof PERSONNEL_CATEGORIES)[number]['code'];

const CODES: ReadonlySet<string> = new Set(PERSONNEL_CATEGORIES.map((c) => c.code));

export function isPersonnelCategoryCode(code: string): code is PersonnelCategoryCode {
  return CODES.has(code);
}

export function findPersonnelCategory(code: string): PersonnelCategory | undefined {
  return PERSONNEL_CATEGORIES.find((c) => c.code === code);
}
