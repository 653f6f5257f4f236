// The batch file's XLSX template (write-excel-file, as the reports). An XLSX upload is read back
// into rows of text by common/tables/xlsx.ts and goes through the same rows, checks and job as a CSV.
import { textWorkbook } from '../../../common/tables/xlsx';
import { BATCH_COLUMNS, templateExample } from './csv';

/** The XLSX template: the header and one example row, every cell text (codes keep their leading zeros). */
export function xlsxTemplate(example: { supported: string; from: string; to: string }): Promise<Buffer> {
  return textWorkbook([[...BATCH_COLUMNS], templateExample(example)], { sheet: 'support-duty', widths: BATCH_COLUMNS.map((c) => (c === 'national_id' || c === 'supported_institution' ? 16 : 12)) });
}
