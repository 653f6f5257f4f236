import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Lang } from '../../../common/i18n/i18n';

export type BatchStatus = 'queued' | 'running' | 'done' | 'failed';

/** A bad row of a batch: its number (the header is row 1), the column and the reason (in the batch's language). */
export interface BatchRowError {
  row: number;
  column: string;
  reason: string;
}

/** One uploaded batch (批次登錄) of an institution: its file, progress and outcome. */
@Entity('support_duty_batch')
export class SupportDutyBatch {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'institution_code', type: 'char' }) institutionCode: string;
  @Column({ type: 'varchar' }) status: BatchStatus;
  @Column({ type: 'varchar' }) lang: Lang;
  @Column({ type: 'varchar' }) filename: string;
  @Column({ type: 'mediumtext', select: false }) content: string;
  @Column({ name: 'total_rows', type: 'int' }) totalRows: number;
  @Column({ name: 'processed_rows', type: 'int' }) processedRows: number;
  @Column({ name: 'created_cases', type: 'int' }) createdCases: number;
  @Column({ type: 'mediumtext', nullable: true, transformer: { to: (v: BatchRowError[] | null) => (v ? JSON.stringify(v) : null), from: (v: string | null) => (v ? (JSON.parse(v) as BatchRowError[]) : null) } })
  errors: BatchRowError[] | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'finished_at', type: 'datetime', precision: 3, nullable: true }) finishedAt: Date | null;
}
