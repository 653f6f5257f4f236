import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { Lang } from '../../../common/i18n/i18n';
import type { CaseState } from './case-state';
import type { Period, Session } from './periods';

export const PURPOSES = ['outpatient', 'surgery', 'consultation', 'locum', 'itinerant', 'teaching', 'emergency', 'other'] as const;
export type Purpose = (typeof PURPOSES)[number];

const periodsJson = {
  to: (v: Period[]) => JSON.stringify(v),
  from: (v: string) => JSON.parse(v) as Period[],
};

/** One support-duty filing (報備支援案件): who supports whom, when, why; a change is a new case superseding the approved one. */
@Entity('support_duty_case')
export class SupportDutyCase {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  /** Given at submission (SD + 10 digits). */
  @Column({ name: 'case_number', type: 'char', nullable: true }) caseNumber: string | null;
  @Column({ type: 'varchar' }) status: CaseState;
  @Column({ name: 'professional_id', type: 'int' }) professionalId: number;
  /** The blind index of the person's national ID: the quotas count per person, whatever the category. */
  @Column({ name: 'person_index', type: 'char' }) personIndex: string;
  @Column({ name: 'professional_name', type: 'varchar' }) professionalName: string;
  @Column({ name: 'category_code', type: 'varchar' }) categoryCode: string;
  @Column({ name: 'certificate_number', type: 'char' }) certificateNumber: string;
  @Column({ name: 'home_institution_code', type: 'char' }) homeInstitutionCode: string;
  @Column({ name: 'supported_institution_code', type: 'char' }) supportedInstitutionCode: string;
  /** The supported institution's county: whose health bureau reviews the case. */
  @Column({ name: 'county_code', type: 'varchar' }) countyCode: string;
  @Column({ name: 'department_code', type: 'varchar' }) departmentCode: string;
  @Column({ type: 'varchar' }) purpose: Purpose;
  @Column({ name: 'purpose_text', type: 'varchar', nullable: true }) purposeText: string | null;
  @Column({ type: 'text', transformer: periodsJson }) periods: Period[];
  @Column({ name: 'first_day', type: 'date' }) firstDay: string;
  @Column({ name: 'last_day', type: 'date' }) lastDay: string;
  @Column({ name: 'session_count', type: 'int' }) sessionCount: number;
  /** Who filed it: the person themself ('personnel', professional id) or their institution ('institution', its code). */
  @Column({ name: 'filed_by_kind', type: 'varchar' }) filedByKind: 'personnel' | 'institution';
  @Column({ name: 'filed_by_id', type: 'varchar' }) filedById: string;
  @Column({ type: 'varchar' }) lang: Lang;
  @Column({ name: 'supersedes_case_id', type: 'bigint', nullable: true }) supersedesCaseId: string | null;
  @Column({ name: 'submitted_at', type: 'datetime', precision: 3, nullable: true }) submittedAt: Date | null;
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true }) decidedAt: Date | null;
  @Column({ name: 'decided_by', type: 'varchar', nullable: true }) decidedBy: string | null;
  @Column({ name: 'decision_reason', type: 'varchar', nullable: true }) decisionReason: string | null;
  @Column({ name: 'cancelled_at', type: 'datetime', precision: 3, nullable: true }) cancelledAt: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn() version: number;
}

/** One half-day slot of a live case (submitted or approved): what the quota rules count. */
@Entity('support_duty_slot')
export class SupportDutySlot {
  @PrimaryColumn({ name: 'case_id', type: 'bigint' }) caseId: string;
  @PrimaryColumn({ type: 'date' }) day: string;
  @PrimaryColumn({ type: 'varchar' }) session: Session;
  @Column({ name: 'week_start', type: 'date' }) weekStart: string;
  @Column({ name: 'person_index', type: 'char' }) personIndex: string;
  @Column({ name: 'institution_code', type: 'char' }) institutionCode: string;
}

/** An in-app message: the copy of a decision's e-mail for a person or an institution; a cancellation for the county bureau's reviewers ('county', county code). */
@Entity('support_duty_message')
export class SupportDutyMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'recipient_kind', type: 'varchar' }) recipientKind: 'personnel' | 'institution' | 'county';
  @Column({ name: 'recipient_id', type: 'varchar' }) recipientId: string;
  @Column({ name: 'case_id', type: 'bigint' }) caseId: string;
  @Column({ type: 'varchar' }) template: string;
  @Column({ type: 'text', transformer: { to: (v: Record<string, string>) => JSON.stringify(v), from: (v: string) => JSON.parse(v) as Record<string, string> } }) params: Record<string, string>;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}

/** A document attached to a case (PDF, JPEG or PNG, by content): the bytes live outside the web root under their SHA-256. */
@Entity('support_duty_attachment')
export class SupportDutyAttachment {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'case_id', type: 'bigint' }) caseId: string;
  @Column({ type: 'varchar' }) filename: string;
  @Column({ name: 'content_type', type: 'varchar' }) contentType: string;
  @Column({ type: 'int' }) size: number;
  @Column({ type: 'char' }) sha256: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
