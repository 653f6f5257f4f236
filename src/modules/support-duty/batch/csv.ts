// A small RFC 4180 reader (quoted fields, doubled quotes, CRLF or LF) and the batch file's
// columns. Pure: no Nest, no database.

/** The rows of a CSV text (a UTF-8 BOM is dropped); blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

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
  return `\ufeff${toCsv([[...BATCH_COLUMNS], templateExample(example)])}`;
}

/** Rows as CSV text (RFC 4180: a field with a comma, quote or line break is quoted), CRLF after each row. */
export function toCsv(rows: string[][]): string {
  return rows.map((row) => row.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\r\n') + '\r\n';
}
