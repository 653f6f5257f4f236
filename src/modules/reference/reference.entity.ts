import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

const bool = { to: (v: boolean) => v, from: (v: number | boolean) => Boolean(v) };

@Entity('county')
export class County {
  @PrimaryColumn({ type: 'varchar' }) code: string;
  @Column({ name: 'name_zh', type: 'varchar' }) nameZh: string;
  @Column({ name: 'name_en', type: 'varchar' }) nameEn: string;
  @Column({ name: 'bureau_name_zh', type: 'varchar' }) bureauNameZh: string;
  @Column({ name: 'bureau_name_en', type: 'varchar' }) bureauNameEn: string;
}

@Entity('personnel_category')
export class PersonnelCategory {
  @PrimaryColumn({ type: 'varchar' }) code: string;
  @Column({ name: 'name_zh', type: 'varchar' }) nameZh: string;
  @Column({ name: 'name_en', type: 'varchar' }) nameEn: string;
}

@Entity('department')
export class Department {
  @PrimaryColumn({ type: 'varchar' }) code: string;
  @Column({ name: 'name_zh', type: 'varchar' }) nameZh: string;
  @Column({ name: 'name_en', type: 'varchar' }) nameEn: string;
  @Column({ type: 'tinyint', transformer: bool }) active: boolean;
}

@Entity('institution')
export class Institution {
  @PrimaryColumn({ type: 'char' }) code: string;
  @Column({ name: 'name_zh', type: 'varchar' }) nameZh: string;
  @Column({ name: 'name_en', type: 'varchar' }) nameEn: string;
  @Column({ type: 'varchar' }) kind: string;
  @Column({ name: 'county_code', type: 'varchar' }) countyCode: string;
  @Column({ type: 'varchar' }) address: string;
  @Column({ type: 'varchar' }) phone: string;
  @Column({ name: 'is_initial_review_counter', type: 'tinyint', transformer: bool }) isInitialReviewCounter: boolean;
  /** Half-day sessions the institution runs in a week (the base of the support-duty share rule); null: the policy's default. */
  @Column({ name: 'weekly_sessions', type: 'int', nullable: true }) weeklySessions: number | null;
  /** Where the institution is told of decisions on its cases (optional). */
  @Column({ type: 'varchar', nullable: true }) email: string | null;
}

@Entity('registration_counter')
export class RegistrationCounter {
  @PrimaryColumn({ type: 'varchar' }) code: string;
  @Column({ type: 'varchar' }) kind: 'hospital' | 'health_bureau' | 'health_station';
  @Column({ name: 'name_zh', type: 'varchar' }) nameZh: string;
  @Column({ name: 'name_en', type: 'varchar' }) nameEn: string;
  @Column({ name: 'county_code', type: 'varchar' }) countyCode: string;
  @Column({ name: 'institution_code', type: 'char', nullable: true }) institutionCode: string | null;
  @Column({ type: 'varchar' }) address: string;
  @Column({ type: 'varchar' }) phone: string;
  @Column({ name: 'hours_zh', type: 'varchar' }) hoursZh: string;
  @Column({ name: 'hours_en', type: 'varchar' }) hoursEn: string;
  @Column({ type: 'tinyint', transformer: bool }) active: boolean;
}

/** The professional registry (醫事人員): who holds which certificate; national IDs protected. */
@Entity('professional')
export class Professional {
  @PrimaryGeneratedColumn() id: number;
  @Column({ name: 'national_id_cipher', type: 'varchar' }) nationalIdCipher: string;
  @Column({ name: 'national_id_index', type: 'char' }) nationalIdIndex: string;
  @Column({ name: 'category_code', type: 'varchar' }) categoryCode: string;
  @Column({ name: 'certificate_number', type: 'char' }) certificateNumber: string;
  @Column({ name: 'name_zh', type: 'varchar' }) nameZh: string;
  @Column({ name: 'home_institution_code', type: 'char', nullable: true }) homeInstitutionCode: string | null;
  @Column({ type: 'varchar', nullable: true }) email: string | null;
  /** The practice registration is suspended (停業): no support duty may be filed. */
  @Column({ type: 'tinyint', transformer: bool, default: false }) suspended: boolean;
}

/**
 * The insured-person registry (健保投保資料, reference data): what the NHI card services check a
 * registration, a card-less sign-in or an OTP sign-in against. National IDs protected; the card
 * number, household number (戶號), registered address and mobile as the NHIA holds them.
 */
@Entity('insured_person')
export class InsuredPerson {
  @PrimaryGeneratedColumn() id: number;
  @Column({ name: 'national_id_cipher', type: 'varchar' }) nationalIdCipher: string;
  @Column({ name: 'national_id_index', type: 'char' }) nationalIdIndex: string;
  @Column({ name: 'name_zh', type: 'varchar' }) nameZh: string;
  /** YYYY-MM-DD. */
  @Column({ name: 'birth_date', type: 'date' }) birthDate: string;
  @Column({ name: 'card_number', type: 'char' }) cardNumber: string;
  @Column({ name: 'household_number', type: 'varchar' }) householdNumber: string;
  @Column({ name: 'registered_address', type: 'varchar' }) registeredAddress: string;
  /** 09xx-xxx-xxx, as validatePhone normalises it. */
  @Column({ type: 'varchar' }) mobile: string;
}
