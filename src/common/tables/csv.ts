// CSV as people exchange it with spreadsheets: a small RFC 4180 reader (quoted fields, doubled
// quotes, CRLF or LF, a UTF-8 BOM dropped) and writer (a field with a comma, quote or line break
// is quoted; a text a spreadsheet would take for a formula is kept as text). Pure.

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

/** A text a spreadsheet would take for a formula (=, +, -, @, tab, CR) is kept as text with a leading apostrophe. */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV field: quoted when it holds a comma, quote or line break; for a spreadsheet (`inert`) a formula-like text is kept as text, and quoted. */
export function csvField(value: string, inert = true): string {
  const safe = inert ? inertCell(value) : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Rows as CSV text, CRLF after each row. `inert: false` keeps every value exactly (text that is
 * read back by parseCsv, never opened in a spreadsheet).
 */
export function toCsv(rows: string[][], { inert = true }: { inert?: boolean } = {}): string {
  return rows.map((row) => row.map((value) => csvField(value, inert)).join(',')).join('\r\n') + '\r\n';
}

/** A CSV file to download: UTF-8 with a byte-order mark (so Excel in zh-TW reads it as UTF-8), then the rows. */
export function csvFile(rows: string[][]): string {
  return `\uFEFF${toCsv(rows)}`;
}
