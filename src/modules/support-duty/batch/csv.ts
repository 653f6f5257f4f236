// The batch file's columns and how a row becomes the case form (the CSV itself: common/tables/csv).
// Pure: no Nest, no database.
import { csvFile } from '../../../common/tables/csv';

/** The batch file's columns, in order (the template's header row). */
export const BATCH_COLUMNS = ['national_id', 'supported_institution', 'department', 'purpose', 'purpose_text', 'from', 'to', 'weekdays', 'sessions'] as const;
export type BatchColumn = (typeof BATCH_COLUMNS)[number];

/** The form field an error names → the file's column. */
export const COLUMN_OF_FIELD: Record<string, BatchColumn> = {
  professionalId: 'national_id',
  supportedInstitution: 'supported_institution',
  department: 'department',
  purpose: 'purpose',
  purposeText: 'purpose_text',
  p1From: 'from',
  p1To: 'to',
  p1Weekdays: 'weekdays',
  p1Sessions: 'sessions',
};

const SESSION_WORDS: Record<string, string> = { morning: 'morning', afternoon: 'afternoon', night: 'night', 上午: 'morning', 下午: 'afternoon', 晚上: 'night' };

/** A row as the case form's body (one period): weekdays "1;3" (or "13"), sessions "morning;night" (or 上午;晚上). */
export function rowAsForm(cells: string[]): Record<string, unknown> {
  const cell = (c: BatchColumn) => (cells[BATCH_COLUMNS.indexOf(c)] ?? '').trim();
  return {
    supportedInstitution: cell('supported_institution'),
    department: cell('department'),
    purpose: cell('purpose'),
    purposeText: cell('purpose_text'),
    p1From: cell('from'),
    p1To: cell('to'),
    p1Weekdays: [...cell('weekdays').replace(/[;,\s]/g, '')],
    p1Sessions: cell('sessions')
      .split(/[;,\s]+/)
      .filter(Boolean)
      .map((s) => SESSION_WORDS[s] ?? s),
  };
}

/** The templates' example row (CSV and XLSX alike). */
export function templateExample(example: { supported: string; from: string; to: string }): string[] {
  return ['A123456789', example.supported, '01', 'outpatient', '', example.from, example.to, '1;3', 'morning;afternoon'];
}

/** The template to download: the header and one example row. */
export function batchTemplate(example: { supported: string; from: string; to: string }): string {
  return csvFile([[...BATCH_COLUMNS], templateExample(example)]);
}

