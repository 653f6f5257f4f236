// Printable A4 documents in zh-TW with Noto Sans CJK TC embedded (subset), so they print the same
// everywhere: the document, its fonts, and the bordered label | value table the forms share.
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';

/** Debian's fonts-noto-cjk (installed by the project scripts); each .ttc holds the TC face. */
export const CJK_FONTS = {
  regular: { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKtc-Regular' },
  bold: { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', family: 'NotoSansCJKtc-Bold' },
} as const;

export const PAGE_MARGIN = 40;
export const FONT_SIZE = 10;
const LABEL_WIDTH = 150;
const CELL_PADDING = 5;

let fontCache: { regular: Buffer; bold: Buffer } | null = null;

function fonts(): { regular: Buffer; bold: Buffer } {
  if (!fontCache) {
    try {
      fontCache = { regular: readFileSync(CJK_FONTS.regular.file), bold: readFileSync(CJK_FONTS.bold.file) };
    } catch (err) {
      throw new Error(`The CJK font for printable forms is missing (${CJK_FONTS.regular.file}): install the Debian package fonts-noto-cjk (npm start does). ${String(err)}`);
    }
  }
  return fontCache;
}

/** An A4 zh-TW document with the fonts 'cjk' and 'cjk-bold' registered, and the promise of its bytes. */
export function cjkDocument(info: { Title: string; Author: string; Subject: string; Creator: string }): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const { regular, bold } = fonts();
  const doc = new PDFDocument({ size: 'A4', margin: PAGE_MARGIN, lang: 'zh-TW', info });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', regular, CJK_FONTS.regular.family);
  doc.registerFont('cjk-bold', bold, CJK_FONTS.bold.family);
  return { doc, done };
}

/** The title, centred, and under it a reference on the left and a date on the right; the body font after. */
export function titleBlock(doc: PDFKit.PDFDocument, title: string, reference: string, day: string): void {
  const left = PAGE_MARGIN;
  const width = doc.page.width - PAGE_MARGIN * 2;
  doc.font('cjk-bold').fontSize(18).text(title, left, PAGE_MARGIN, { width, align: 'center' });
  doc.moveDown(0.3);
  doc.font('cjk').fontSize(FONT_SIZE);
  const metaY = doc.y;
  doc.text(reference, left, metaY, { width: width / 2 });
  doc.text(day, left + width / 2, metaY, { width: width / 2, align: 'right' });
  doc.y = metaY + 20;
}

/** A bordered label | value table from the current position, full width. */
export function labelTable(doc: PDFKit.PDFDocument, rows: Array<[string, string]>): void {
  const left = PAGE_MARGIN;
  const width = doc.page.width - PAGE_MARGIN * 2;
  for (const [label, value] of rows) {
    const valueWidth = width - LABEL_WIDTH - CELL_PADDING * 2;
    const height = Math.max(doc.heightOfString(value || ' ', { width: valueWidth }), doc.heightOfString(label, { width: LABEL_WIDTH - CELL_PADDING * 2 })) + CELL_PADDING * 2;
    if (doc.y + height > doc.page.height - PAGE_MARGIN) doc.addPage();
    const y = doc.y;
    doc.rect(left, y, LABEL_WIDTH, height).fillAndStroke('#eeeeee', '#000000');
    doc.rect(left + LABEL_WIDTH, y, width - LABEL_WIDTH, height).stroke('#000000');
    doc.fillColor('#000000');
    doc.text(label, left + CELL_PADDING, y + CELL_PADDING, { width: LABEL_WIDTH - CELL_PADDING * 2 });
    doc.text(value, left + LABEL_WIDTH + CELL_PADDING, y + CELL_PADDING, { width: valueWidth });
    doc.y = y + height;
  }
}
