import {
  validateEmail,
  validateInstitutionCode,
  validateNationalId,
  validatePhone,
  validateProfessionalCertificate,
} from '../../src/common/identifiers';
import {
  COUNTER_KINDS,
  COUNTIES,
  DEMO_COUNTERS,
  DEMO_FIXTURES,
  DEMO_INSTITUTIONS,
  DEMO_PERSONNEL,
  DEPARTMENTS,
  INSTITUTION_KINDS,
  PERSONNEL_CATEGORIES,
  findCounty,
  findDemoInstitution,
  findDepartment,
  findPersonnelCategory,
  isPersonnelCategoryCode,
} from '../../src/modules/reference/data';

function duplicates(values: readonly string[]): string[] {
  return values.filter((value, i) => values.indexOf(value) !== i);
}

describe('counties', () => {
  it('lists the 22 counties and cities with unique codes and names', () => {
    expect(COUNTIES).toHaveLength(22);
    expect(duplicates(COUNTIES.map((c) => c.code))).toEqual([]);
    expect(duplicates(COUNTIES.map((c) => c.nameZh))).toEqual([]);
    expect(duplicates(COUNTIES.map((c) => c.nameEn))).toEqual([]);
  });

  it('uses the DOMAIN.md codes and official English names', () => {
    expect(findCounty('63000')).toMatchObject({ nameZh: '臺北市', nameEn: 'Taipei City' });
    expect(findCounty('65000')).toMatchObject({ nameZh: '新北市', nameEn: 'New Taipei City' });
    expect(findCounty('09020')).toMatchObject({ nameZh: '金門縣', nameEn: 'Kinmen County' });
    expect(findCounty('09007')).toMatchObject({ nameZh: '連江縣', nameEn: 'Lienchiang County' });
    expect(findCounty('10020')).toMatchObject({ nameZh: '嘉義市', nameEn: 'Chiayi City' });
    expect(findCounty('99999')).toBeUndefined();
  });

  it('gives every county a health bureau named after it', () => {
    for (const county of COUNTIES) {
      expect(county.healthBureau.nameZh.startsWith(county.nameZh)).toBe(true);
      expect(county.healthBureau.nameZh).toMatch(/衛生(福利)?局$/);
      expect(county.healthBureau.nameEn.startsWith(county.nameEn)).toBe(true);
    }
    expect(findCounty('63000')?.healthBureau).toEqual({ nameZh: '臺北市政府衛生局', nameEn: 'Taipei City Department of Health' });
    expect(findCounty('10015')?.healthBureau).toEqual({ nameZh: '花蓮縣衛生局', nameEn: 'Hualien County Public Health Bureau' });
  });
});

describe('personnel categories', () => {
  it('lists the 31 categories with unique codes: A-Z without O, then 1-6', () => {
    expect(PERSONNEL_CATEGORIES).toHaveLength(31);
    expect(PERSONNEL_CATEGORIES.map((c) => c.code).join('')).toBe('ABCDEFGHIJKLMNPQRSTUVWXYZ123456');
    expect(duplicates(PERSONNEL_CATEGORIES.map((c) => c.nameZh))).toEqual([]);
    expect(duplicates(PERSONNEL_CATEGORIES.map((c) => c.nameEn))).toEqual([]);
  });

  it('names the categories as DOMAIN.md does', () => {
    expect(findPersonnelCategory('A')?.nameZh).toBe('西醫師');
    expect(findPersonnelCategory('F')?.nameZh).toBe('護理師');
    expect(findPersonnelCategory('P')?.nameZh).toBe('接骨員');
    expect(findPersonnelCategory('1')?.nameZh).toBe('語言治療師');
    expect(findPersonnelCategory('6')?.nameZh).toBe('驗光生');
    expect(isPersonnelCategoryCode('O')).toBe(false);
    expect(isPersonnelCategoryCode('a')).toBe(false);
  });
});

describe('departments', () => {
  it('has unique codes of two characters and unique names', () => {
    expect(DEPARTMENTS.length).toBeGreaterThanOrEqual(40);
    expect(duplicates(DEPARTMENTS.map((d) => d.code))).toEqual([]);
    expect(duplicates(DEPARTMENTS.map((d) => d.nameZh))).toEqual([]);
    for (const department of DEPARTMENTS) expect(department.code).toMatch(/^[0-9A-Z]{2}$/);
  });

  it('starts with the NHI codes 00 不分科 … 15 整形外科 and includes the special ones', () => {
    expect(DEPARTMENTS.slice(0, 16).map((d) => d.code)).toEqual(
      ['00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15'],
    );
    expect(findDepartment('00')?.nameZh).toBe('不分科');
    expect(findDepartment('01')?.nameZh).toBe('家醫科');
    expect(findDepartment('2A')?.nameZh).toBe('結核科');
    expect(findDepartment('22')?.nameZh).toBe('急診醫學科');
    expect(findDepartment('23')?.nameZh).toBe('職業醫學科');
    expect(findDepartment('40')?.nameZh).toBe('牙科');
    expect(findDepartment('60')?.nameZh).toBe('中醫科');
    expect(findDepartment('81')?.nameZh).toBe('麻醉科');
  });
});

describe('demo institutions', () => {
  const countyCodes = new Set(COUNTIES.map((c) => c.code));
  const kinds = new Set<string>(INSTITUTION_KINDS.map((k) => k.code));

  it('has about a dozen institutions with unique valid codes across at least 6 counties', () => {
    expect(DEMO_INSTITUTIONS.length).toBeGreaterThanOrEqual(12);
    expect(duplicates(DEMO_INSTITUTIONS.map((i) => i.code))).toEqual([]);
    for (const institution of DEMO_INSTITUTIONS) {
      expect(validateInstitutionCode(institution.code)).toEqual({ ok: true, value: institution.code });
    }
    expect(new Set(DEMO_INSTITUTIONS.map((i) => i.countyCode)).size).toBeGreaterThanOrEqual(6);
  });

  it('places every institution in an existing county, with a known kind and a valid normalised phone', () => {
    for (const institution of DEMO_INSTITUTIONS) {
      expect(countyCodes.has(institution.countyCode)).toBe(true);
      expect(kinds.has(institution.kind)).toBe(true);
      expect(institution.address.startsWith(findCounty(institution.countyCode)!.nameZh)).toBe(true);
      expect(validatePhone(institution.phone)).toMatchObject({ ok: true, value: institution.phone });
    }
  });

  it('covers every institution kind, and only hospitals act as initial-review counters', () => {
    for (const kind of kinds) expect(DEMO_INSTITUTIONS.some((i) => i.kind === kind)).toBe(true);
    const counters = DEMO_INSTITUTIONS.filter((i) => i.isInitialReviewCounter);
    expect(counters.length).toBeGreaterThanOrEqual(2);
    for (const institution of counters) expect(institution.kind).toMatch(/_(center|hospital)$/);
  });
});

describe('demo registration counters', () => {
  const countyCodes = new Set(COUNTIES.map((c) => c.code));

  it('has unique codes, existing counties, known kinds and valid phones', () => {
    expect(duplicates(DEMO_COUNTERS.map((c) => c.code))).toEqual([]);
    const kinds = new Set<string>(COUNTER_KINDS.map((k) => k.code));
    for (const counter of DEMO_COUNTERS) {
      expect(countyCodes.has(counter.countyCode)).toBe(true);
      expect(kinds.has(counter.kind)).toBe(true);
      expect(counter.address.startsWith(findCounty(counter.countyCode)!.nameZh)).toBe(true);
      expect(validatePhone(counter.phone)).toMatchObject({ ok: true, value: counter.phone });
      expect(counter.openingHoursZh).not.toBe('');
      expect(counter.openingHoursEn).not.toBe('');
    }
  });

  it('gives every county its health-bureau counter HB-<county>', () => {
    for (const county of COUNTIES) {
      const counter = DEMO_COUNTERS.find((c) => c.code === `HB-${county.code}`);
      expect(counter).toMatchObject({ kind: 'health_bureau', countyCode: county.code, nameZh: county.healthBureau.nameZh, institutionCode: null });
    }
    expect(DEMO_COUNTERS.filter((c) => c.kind === 'health_bureau')).toHaveLength(22);
  });

  it('has a hospital counter for exactly the initial-review hospitals, coded by institution code', () => {
    const hospitalCounters = DEMO_COUNTERS.filter((c) => c.kind === 'hospital');
    const initialReview = DEMO_INSTITUTIONS.filter((i) => i.isInitialReviewCounter);
    expect(hospitalCounters.map((c) => c.code).sort()).toEqual(initialReview.map((i) => i.code).sort());
    for (const counter of hospitalCounters) {
      expect(counter.institutionCode).toBe(counter.code);
      expect(findDemoInstitution(counter.code)?.countyCode).toBe(counter.countyCode);
    }
  });

  it('has a few health stations', () => {
    const stations = DEMO_COUNTERS.filter((c) => c.kind === 'health_station');
    expect(stations.length).toBeGreaterThanOrEqual(3);
    for (const station of stations) expect(station.code).toMatch(new RegExp(`^HS-${station.countyCode}-\\d{2}$`));
  });
});

describe('demo professional registry', () => {
  it('has about 40 people with unique, valid national IDs and e-mails', () => {
    expect(DEMO_PERSONNEL.length).toBeGreaterThanOrEqual(40);
    expect(duplicates(DEMO_PERSONNEL.map((p) => p.nationalId))).toEqual([]);
    expect(duplicates(DEMO_PERSONNEL.map((p) => p.email))).toEqual([]);
    for (const person of DEMO_PERSONNEL) {
      expect(validateNationalId(person.nationalId)).toMatchObject({ ok: true, value: person.nationalId });
      expect(validateEmail(person.email)).toEqual({ ok: true, value: person.email });
      expect(person.email.endsWith('@example.test')).toBe(true);
      expect(person.nameZh).not.toBe('');
    }
  });

  it('uses existing categories, 6-digit certificate numbers unique per category, and existing institutions', () => {
    expect(duplicates(DEMO_PERSONNEL.map((p) => `${p.categoryCode}-${p.certificateNumber}`))).toEqual([]);
    for (const person of DEMO_PERSONNEL) {
      expect(validateProfessionalCertificate(person.categoryCode, person.certificateNumber)).toEqual({
        ok: true,
        value: person.certificateNumber,
        category: person.categoryCode,
      });
      expect(findDemoInstitution(person.homeInstitutionCode)).toBeDefined();
    }
  });

  it('has at least two people in each of A, B, C, D, F and some in other categories', () => {
    for (const code of ['A', 'B', 'C', 'D', 'F']) {
      expect(DEMO_PERSONNEL.filter((p) => p.categoryCode === code).length).toBeGreaterThanOrEqual(2);
    }
    const others = new Set(DEMO_PERSONNEL.map((p) => p.categoryCode).filter((c) => !'ABCDF'.includes(c)));
    expect(others.size).toBeGreaterThanOrEqual(5);
  });

  it('has people at initial-review hospitals and at clinics', () => {
    const homes = DEMO_PERSONNEL.map((p) => findDemoInstitution(p.homeInstitutionCode)!);
    expect(homes.filter((i) => i.isInitialReviewCounter).length).toBeGreaterThanOrEqual(3);
    expect(homes.filter((i) => i.kind === 'clinic').length).toBeGreaterThanOrEqual(3);
  });

  it('contains at least one new-format resident certificate number', () => {
    const kinds = DEMO_PERSONNEL.map((p) => validateNationalId(p.nationalId)).map((r) => (r.ok ? r.kind : null));
    expect(kinds).toContain('resident_new');
  });
});

describe('demo fixtures', () => {
  it('are rows of the demo data with the properties their names promise', () => {
    const f = DEMO_FIXTURES;
    expect(f.physicianAtInitialReviewHospital).toBe(DEMO_PERSONNEL[0]);
    expect(findDemoInstitution(f.physicianAtInitialReviewHospital.homeInstitutionCode)?.isInitialReviewCounter).toBe(true);
    expect(f.physicianAtClinic.categoryCode).toBe('A');
    expect(findDemoInstitution(f.physicianAtClinic.homeInstitutionCode)?.kind).toBe('clinic');
    expect(findDemoInstitution(f.physicianAtNonCounterHospital.homeInstitutionCode)).toMatchObject({ kind: 'district_hospital', isInitialReviewCounter: false });
    expect(validateNationalId(f.residentPhysician.nationalId)).toMatchObject({ ok: true, kind: 'resident_new' });
    expect(f.nurseAtInitialReviewHospital.categoryCode).toBe('F');
    expect(findDemoInstitution(f.nurseAtInitialReviewHospital.homeInstitutionCode)?.isInitialReviewCounter).toBe(true);
    expect(f.pharmacistAtPharmacy.categoryCode).toBe('D');
    expect(findDemoInstitution(f.pharmacistAtPharmacy.homeInstitutionCode)?.kind).toBe('pharmacy');
    expect(f.initialReviewHospital.isInitialReviewCounter).toBe(true);
    expect(f.otherInitialReviewHospital.isInitialReviewCounter).toBe(true);
    expect(f.otherInitialReviewHospital.countyCode).not.toBe(f.initialReviewHospital.countyCode);
    expect(f.clinic.kind).toBe('clinic');
    expect(f.pharmacy.kind).toBe('pharmacy');
    expect(f.nonCounterHospital).toMatchObject({ kind: 'district_hospital', isInitialReviewCounter: false });
  });

  it('is deterministic: the first physician always gets the same synthetic ID', () => {
    // first letter A, male, patterned serial 0990001, check digit from the DOMAIN.md algorithm:
    // A=10 → 1*1 + 0*9; digits 1,0,9,9,0,0,0,1 × 8..1 → 8+0+54+45+0+0+0+1 = 108 + 1 = 109 → check 1
    expect(DEMO_PERSONNEL[0].nationalId).toBe('A109900011');
  });
});
