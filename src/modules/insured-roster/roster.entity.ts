import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';

/** 投保薪資分級表: the insured salary grades (configurable reference data). */
@Entity('insured_salary_grade')
export class SalaryGrade {
  @PrimaryColumn({ type: 'int' }) grade: number;
  @Column({ type: 'int' }) amount: number;
}

/** A unit's insured member (加保 → 異動 → 退保). */
@Entity('insured_member')
export class InsuredMember {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'unit_code', type: 'varchar' }) unitCode: string;
  @Column({ name: 'national_id_cipher', type: 'varchar' }) nationalIdCipher: string;
  @Column({ name: 'national_id_index', type: 'char' }) nationalIdIndex: string;
  /** `<unit>:<id index>` while enrolled, else null (unique: one enrolment per person and unit). */
  @Column({ name: 'active_key', type: 'varchar', nullable: true }) activeKey: string | null;
  @Column({ type: 'varchar' }) name: string;
  @Column({ name: 'birth_date', type: 'date' }) birthDate: string;
  @Column({ type: 'int' }) grade: number;
  @Column({ name: 'start_date', type: 'date' }) startDate: string;
  @Column({ type: 'varchar' }) status: 'enrolled' | 'withdrawn';
  @Column({ name: 'withdraw_date', type: 'date', nullable: true }) withdrawDate: string | null;
  @Column({ name: 'withdraw_reason', type: 'varchar', nullable: true }) withdrawReason: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn() version: number;
}
