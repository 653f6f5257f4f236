// The batch file as an Excel workbook (XLSX): the template to download (write-excel-file, as the
// reports) and the upload read back into rows of text (read-excel-file), which then go through
// the same CSV rows, checks and job as a CSV upload.
import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { BATCH_COLUMNS, templateExample } from './csv';

/** Whether the bytes are a ZIP container (an XLSX workbook is one). */
export const isZip = (bytes: Buffer) => bytes.length > 4 && bytes.readUInt32LE(0) === 0x04034b50;

/** The first sheet's rows as text (a date cell as YYYY-MM-DD, a number as written); null when the file is no workbook. */
export async function readXlsxRows(bytes: Buffer): Promise<string[][] | null> {
  try {
    const data = await readSheet(bytes);
    return data.map((row) => row.map((cell) => cellText(cell as unknown)));
  } catch {
    return null;
  }
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  return String(cell);
}

/** The XLSX template: the header and one example row, every cell text (codes keep their leading zeros). */
export function xlsxTemplate(example: { supported: string; from: string; to: string }): Promise<Buffer> {
  const text = (value: string) => ({ value, type: String });
  const data = [BATCH_COLUMNS.map((value) => ({ value, fontWeight: 'bold' as const, type: String })), templateExample(example).map(text)];
  return writeXlsxFile(data, { sheet: 'support-duty', columns: BATCH_COLUMNS.map((c) => ({ width: c === 'national_id' || c === 'supported_institution' ? 16 : 12 })), stickyRowsCount: 1 }).toBuffer();
}
