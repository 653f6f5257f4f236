// Departments (科別) by their NHI codes: the NHI "就醫科別" list of the NHIA file code book
// (檔案譯碼簿, 2022-08-02 version), as published in the MOHW TW Core IG code system
// medical-consultation-department-nhi-tw. Names in Chinese are the NHIA's; English names are ours.
// This is seed data: staff can edit, add and retire departments in the application, so the
// database is the source of truth once seeded.
// Note: in this list radiology/pathology are 82 放射線科, 83 病理科, 84 核醫科, and diagnostic
// radiology / radiation oncology are FA / FB (the NHI 診療科別 list numbers them differently).

export interface Department {
  code: string;
  nameZh: string;
  nameEn: string;
}

export const DEPARTMENTS = [
  { code: '00', nameZh: '不分科', nameEn: 'General (no specialty)' },
  { code: '01', nameZh: '家醫科', nameEn: 'Family Medicine' },
  { code: '02', nameZh: '內科', nameEn: 'Internal Medicine' },
  { code: '03', nameZh: '外科', nameEn: 'Surgery' },
  { code: '04', nameZh: '兒科', nameEn: 'Pediatrics' },
  { code: '05', nameZh: '婦產科', nameEn: 'Obstetrics and Gynecology' },
  { code: '06', nameZh: '骨科', nameEn: 'Orthopedics' },
  { code: '07', nameZh: '神經外科', nameEn: 'Neurosurgery' },
  { code: '08', nameZh: '泌尿科', nameEn: 'Urology' },
  { code: '09', nameZh: '耳鼻喉科', nameEn: 'Otorhinolaryngology' },
  { code: '10', nameZh: '眼科', nameEn: 'Ophthalmology' },
  { code: '11', nameZh: '皮膚科', nameEn: 'Dermatology' },
  { code: '12', nameZh: '神經科', nameEn: 'Neurology' },
  { code: '13', nameZh: '精神科', nameEn: 'Psychiatry' },
  { code: '14', nameZh: '復健科', nameEn: 'Physical Medicine and Rehabilitation' },
  { code: '15', nameZh: '整形外科', nameEn: 'Plastic Surgery' },
  { code: '22', nameZh: '急診醫學科', nameEn: 'Emergency Medicine' },
  { code: '23', nameZh: '職業醫學科', nameEn: 'Occupational Medicine' },
  { code: '2A', nameZh: '結核科', nameEn: 'Tuberculosis' },
  { code: '2B', nameZh: '洗腎科', nameEn: 'Dialysis' },
  { code: '40', nameZh: '牙科', nameEn: 'Dentistry' },
  { code: '60', nameZh: '中醫科', nameEn: 'Chinese Medicine' },
  { code: '81', nameZh: '麻醉科', nameEn: 'Anesthesiology' },
  { code: '82', nameZh: '放射線科', nameEn: 'Radiology' },
  { code: '83', nameZh: '病理科', nameEn: 'Pathology' },
  { code: '84', nameZh: '核醫科', nameEn: 'Nuclear Medicine' },
  { code: 'AA', nameZh: '消化內科', nameEn: 'Gastroenterology' },
  { code: 'AB', nameZh: '心臟血管內科', nameEn: 'Cardiology' },
  { code: 'AC', nameZh: '胸腔內科', nameEn: 'Chest Medicine' },
  { code: 'AD', nameZh: '腎臟內科', nameEn: 'Nephrology' },
  { code: 'AE', nameZh: '風濕免疫科', nameEn: 'Rheumatology and Immunology' },
  { code: 'AF', nameZh: '血液腫瘤科', nameEn: 'Hematology and Oncology' },
  { code: 'AG', nameZh: '內分泌科', nameEn: 'Endocrinology' },
  { code: 'AH', nameZh: '感染科', nameEn: 'Infectious Diseases' },
  { code: 'AI', nameZh: '潛醫科', nameEn: 'Hyperbaric and Diving Medicine' },
  { code: 'AJ', nameZh: '胸腔暨重症加護', nameEn: 'Chest Medicine and Critical Care' },
  { code: 'AK', nameZh: '老人醫學科', nameEn: 'Geriatrics' },
  { code: 'BA', nameZh: '直腸外科', nameEn: 'Colorectal Surgery' },
  { code: 'BB', nameZh: '心臟血管外科', nameEn: 'Cardiovascular Surgery' },
  { code: 'BC', nameZh: '胸腔外科', nameEn: 'Thoracic Surgery' },
  { code: 'BD', nameZh: '消化外科', nameEn: 'Gastrointestinal Surgery' },
  { code: 'CA', nameZh: '小兒外科', nameEn: 'Pediatric Surgery' },
  { code: 'CB', nameZh: '新生兒科', nameEn: 'Neonatology' },
  { code: 'DA', nameZh: '疼痛科', nameEn: 'Pain Medicine' },
  { code: 'EA', nameZh: '居家照護', nameEn: 'Home Care' },
  { code: 'FA', nameZh: '放射診斷科', nameEn: 'Diagnostic Radiology' },
  { code: 'FB', nameZh: '放射腫瘤科', nameEn: 'Radiation Oncology' },
  { code: 'GA', nameZh: '口腔顏面外科', nameEn: 'Oral and Maxillofacial Surgery' },
  { code: 'HA', nameZh: '脊椎骨科', nameEn: 'Spine Orthopedics' },
  { code: 'TB', nameZh: '肺結核', nameEn: 'Pulmonary Tuberculosis' },
] as const satisfies readonly Department[];
// No union type of the codes on purpose: staff-edited departments live in the database.

export function findDepartment(code: string): Department | undefined {
  return DEPARTMENTS.find((d) => d.code === code);
}
