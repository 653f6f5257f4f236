// The report as files: an XLSX workbook (write-excel-file, decision 0014) and a printable A4 PDF
// with the ministry's heading (pdfkit with Noto Sans CJK TC, as the printed forms). Built from
// plain data: no database or Nest inside.
import writeXlsxFile from 'write-excel-file/node';
import { translate, type Lang } from '../../common/i18n/i18n';
import { cjkDocument, FONT_SIZE, PAGE_MARGIN } from '../../common/pdf/cjk-pdf';
import { reportTexts } from './report-export';
import { OUTCOMES, type Report } from './reports.service';

/** The formats a monthly county report is kept in. */
export const MONTHLY_FORMATS = ['pdf', 'xlsx', 'csv'] as const;
export type MonthlyFormat = (typeof MONTHLY_FORMATS)[number];

/** One sheet: the header in bold, numbers as numbers, text as text (never a formula). */
export function toXlsx(sheet: { title: string; header: string[]; rows: Array<Array<string | number>> }): Promise<Buffer> {
  const cell = (value: string | number) => (typeof value === 'number' ? { value, type: Number } : { value, type: String });
  const data = [sheet.header.map((value) => ({ value, fontWeight: 'bold' as const })), ...sheet.rows.map((row) => row.map(cell))];
  return writeXlsxFile(data, { sheet: 'statistics', columns: sheet.header.map((_, i) => ({ width: i === 2 ? 36 : i === 0 ? 24 : 12 })), stickyRowsCount: 1 }).toBuffer();
}

/** The number of table lines a report prints (what makes a PDF large). */
export const lineCount = (report: Report) => report.tables.reduce((n, table) => n + table.lines.length, 0);

/**
 * The printable report: the ministry's heading, the title, period, scope and freshness, then each
 * table. `onLine` is told each line printed (the job's progress bar).
 */
export function toPdf(report: Report, lang: Lang, onLine?: (done: number, total: number) => void): Promise<Buffer> {
  const texts = reportTexts(report, lang);
  const t = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);
  const { doc, done } = cjkDocument({ Title: `${texts.title} ${texts.period}`, Author: t('reports.pdf.ministry'), Subject: texts.title, Creator: t('app.name') });
  const left = PAGE_MARGIN;
  const width = doc.page.width - PAGE_MARGIN * 2;
  doc.font('cjk-bold').fontSize(14).text(t('reports.pdf.ministry'), left, PAGE_MARGIN, { width, align: 'center' });
  doc.fontSize(18).text(texts.title, { width, align: 'center' });
  doc.font('cjk').fontSize(FONT_SIZE).moveDown(0.3);
  doc.text(`${texts.scope}　${texts.period}`, { width, align: 'center' });
  doc.text(texts.freshness, { width, align: 'center' });
  doc.moveDown();
  const nameWidth = 155;
  const numberWidth = (width - nameWidth) / (OUTCOMES.length + 2);
  const headers = [...OUTCOMES.map((o) => t(`supportDuty.state.${o}`)), t('reports.column.cases'), t('reports.column.sessions')];
  const row = (cells: string[], bold: boolean) => {
    const height = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: (i === 0 ? nameWidth : numberWidth) - 6 }))) + 6;
    if (doc.y + height > doc.page.height - PAGE_MARGIN) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'cjk-bold' : 'cjk');
    cells.forEach((c, i) => {
      const x = i === 0 ? left : left + nameWidth + (i - 1) * numberWidth;
      const w = i === 0 ? nameWidth : numberWidth;
      doc.rect(x, y, w, height).stroke('#000000');
      doc.fillColor('#000000').text(c, x + 3, y + 3, { width: w - 6, align: i === 0 ? 'left' : 'right' });
    });
    doc.y = y + height;
  };
  const total = lineCount(report);
  let printed = 0;
  for (const table of report.tables) {
    if (doc.y + 60 > doc.page.height - PAGE_MARGIN) doc.addPage();
    doc.font('cjk-bold').fontSize(12).text(t(`reports.table.${table.id}`), left, doc.y, { width });
    doc.fontSize(FONT_SIZE).moveDown(0.2);
    row([t(`reports.column.${table.id}`), ...headers], true);
    for (const line of table.lines) {
      row([line.name, ...OUTCOMES.map((o) => String(line.outcomes[o])), String(line.cases), String(line.sessions)], false);
      onLine?.(++printed, total);
    }
    row([t('reports.column.total'), ...OUTCOMES.map((o) => String(table.total.outcomes[o])), String(table.total.cases), String(table.total.sessions)], true);
    doc.moveDown();
  }
  doc.end();
  return done;
}
