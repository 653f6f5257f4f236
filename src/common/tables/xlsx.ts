// Spreadsheets people upload and templates they download: an XLSX workbook's first sheet read
// back into rows of text (read-excel-file), so that it goes through the same checks as the CSV of
// the same columns; a template of text cells (write-excel-file).
import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { parseCsv } from './csv';

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

/** An uploaded table: an XLSX workbook's first sheet, else CSV text in UTF-8; null for a workbook that cannot be read. */
export async function readUploadedTable(bytes: Buffer): Promise<string[][] | null> {
  return isZip(bytes) ? readXlsxRows(bytes) : parseCsv(bytes.toString('utf8'));
}

/** A workbook of text cells (codes keep their leading zeros): the first row bold and kept in view. */
export function textWorkbook(rows: string[][], options: { sheet: string; widths?: number[] }): Promise<Buffer> {
  const data = rows.map((row, r) => row.map((value) => ({ value, type: String, ...(r === 0 ? { fontWeight: 'bold' as const } : {}) })));
  return writeXlsxFile(data, { sheet: options.sheet, columns: options.widths?.map((width) => ({ width })), stickyRowsCount: 1 }).toBuffer();
}
