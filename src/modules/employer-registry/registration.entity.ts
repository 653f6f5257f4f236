import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';

/** What made a registration: the first registration, or one of seed 003's three certificate replacements. */
export const REGISTRATION_KINDS = ['register', 'replace-unit', 'replace-manager', 'replace-both'] as const;
export type RegistrationKind = (typeof REGISTRATION_KINDS)[number];

/** A unit's registration: its certificate and its manager's citizen certificate, with the manager's contacts and the unit fields. */
@Entity('employer_registration')
export class EmployerRegistration {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'varchar' }) reference: string;
  @Column({ name: 'unit_code', type: 'varchar' }) unitCode: string;
  /** The unit code while this registration is the unit's active one, else null (unique: one active per unit). */
  @Column({ name: 'active_unit_code', type: 'varchar', nullable: true }) activeUnitCode: string | null;
  @Column({ name: 'unit_cert_serial', type: 'varchar' }) unitCertSerial: string;
  @Column({ name: 'unit_cert_issuer', type: 'varchar' }) unitCertIssuer: string;
  @Column({ name: 'unit_cert_family', type: 'varchar' }) unitCertFamily: string;
  @Column({ name: 'manager_id_cipher', type: 'varchar' }) managerIdCipher: string;
  @Column({ name: 'manager_id_index', type: 'char' }) managerIdIndex: string;
  @Column({ name: 'manager_cert_serial', type: 'varchar' }) managerCertSerial: string;
  @Column({ name: 'manager_cert_issuer', type: 'varchar' }) managerCertIssuer: string;
  @Column({ name: 'manager_name', type: 'varchar' }) managerName: string;
  @Column({ type: 'varchar' }) email: string;
  @Column({ type: 'varchar', nullable: true }) phone: string | null;
  @Column({ type: 'varchar', nullable: true }) mobile: string | null;
  @Column({ name: 'unit_name', type: 'varchar' }) unitName: string;
  @Column({ name: 'business_number', type: 'char' }) businessNumber: string;
  @Column({ name: 'labour_insurance_number', type: 'char', nullable: true }) labourInsuranceNumber: string | null;
  @Column({ name: 'three_in_one', type: 'boolean' }) threeInOne: boolean;
  @Column({ name: 'responsible_id_cipher', type: 'varchar' }) responsibleIdCipher: string;
  @Column({ name: 'responsible_id_index', type: 'char' }) responsibleIdIndex: string;
  @Column({ name: 'responsible_is_manager', type: 'boolean' }) responsibleIsManager: boolean;
  @Column({ type: 'varchar' }) lang: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true }) endedAt: Date | null;
  @Column({ type: 'varchar', default: 'register' }) kind: RegistrationKind;
  /** The registration this one replaced (a certificate replacement), else null. */
  @Column({ name: 'replaces_id', type: 'bigint', nullable: true }) replacesId: string | null;
  @VersionColumn() version: number;
}

export const REVIEW_STATUSES = ['open', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** A unit certificate that did not match the registry, for ministry staff to approve or reject. */
@Entity('employer_review_case')
export class EmployerReviewCase {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'unit_code', type: 'varchar' }) unitCode: string;
  @Column({ type: 'varchar' }) status: ReviewStatus;
  @Column({ name: 'cert_serial', type: 'varchar' }) certSerial: string;
  @Column({ name: 'cert_issuer', type: 'varchar' }) certIssuer: string;
  @Column({ name: 'cert_family', type: 'varchar' }) certFamily: string;
  @Column({ name: 'cert_identifier', type: 'varchar', nullable: true }) certIdentifier: string | null;
  @Column({ name: 'cert_subject', type: 'varchar' }) certSubject: string;
  @Column({ name: 'applicant_name', type: 'varchar' }) applicantName: string;
  @Column({ name: 'applicant_phone', type: 'varchar' }) applicantPhone: string;
  @Column({ name: 'applicant_email', type: 'varchar' }) applicantEmail: string;
  @Column({ type: 'varchar' }) lang: string;
  @Column({ name: 'decided_by', type: 'varchar', nullable: true }) decidedBy: string | null;
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true }) decidedAt: Date | null;
  @Column({ type: 'varchar', nullable: true }) reason: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @VersionColumn() version: number;
}
