// The printable application form (醫事人員憑證IC卡申請書, or the card type's own title) with the detachable user-code stub
// (用戶代碼存根聯), A4, in zh-TW with Noto Sans CJK TC embedded (subset) so it prints the same
// everywhere. Built from plain data: no database or Nest inside.
//
// The applicant's national ID is printed in full: this is the copy the applicant signs and brings
// with their ID card, and only a session that typed the ID (or proved it with a lookup) can get
// it. The agent's ID is printed masked: the agent shows their own ID card at the counter, and the
// applicant's printout need not disclose a third person's number. The user code is never printed:
// we only hold its hash, so the stub has empty boxes the applicant fills in by hand.
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { translate } from '../../../common/i18n/i18n';
import type { ReservationCardType } from '../lifecycle/card-reservation.entity';

/** Debian's fonts-noto-cjk (installed by the project scripts); each .ttc holds the TC face. */
export const CJK_FONTS = {
  regular: { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKtc-Regular' },
  bold: { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', family: 'NotoSansCJKtc-Bold' },
} as const;

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

export interface ApplicationPdfData {
  cardType: ReservationCardType;
  reference: string;
  /** 'YYYY-MM-DD' (Taiwan) the reservation was made. */
  createdDay: string;
  /** The download's name without .pdf: the form's title and the reservation number. */
  fileName: string;
  /** Label/value rows about the applicant (already in zh-TW). */
  applicantRows: Array<[string, string]>;
  /** Label/value rows about the counter and date. */
  counterRows: Array<[string, string]>;
  /** Label/value rows about the agent, or empty when there is none. */
  agentRows: Array<[string, string]>;
  /** The documents to bring, in order. */
  documents: string[];
  /** Name and masked ID for the stub. */
  stubName: string;
  stubMaskedId: string;
}

const t = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);

const PAGE_MARGIN = 40;
const LABEL_WIDTH = 150;
const FONT_SIZE = 10;
const CELL_PADDING = 5;

export function buildApplicationPdf(data: ApplicationPdfData): Promise<Buffer> {
  const { regular, bold } = fonts();
  const title = t(`cards.pdf.title.${data.cardType}`);
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE_MARGIN,
    lang: 'zh-TW',
    info: { Title: `${title} ${data.reference}`, Author: t('cards.pdf.author'), Subject: title, Creator: t('app.name') },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', regular, CJK_FONTS.regular.family);
  doc.registerFont('cjk-bold', bold, CJK_FONTS.bold.family);

  const left = PAGE_MARGIN;
  const width = doc.page.width - PAGE_MARGIN * 2;

  doc.font('cjk-bold').fontSize(18).text(title, left, PAGE_MARGIN, { width, align: 'center' });
  doc.moveDown(0.3);
  doc.font('cjk').fontSize(FONT_SIZE);
  const metaY = doc.y;
  doc.text(`${t('cards.pdf.reference')}${data.reference}`, left, metaY, { width: width / 2 });
  doc.text(`${t('cards.pdf.createdDay')}${data.createdDay}`, left + width / 2, metaY, { width: width / 2, align: 'right' });
  doc.y = metaY + 20;

  const heading = (text: string) => {
    doc.font('cjk-bold').fontSize(11).text(text, left, doc.y + 4, { width });
    doc.y += 2;
    doc.font('cjk').fontSize(FONT_SIZE);
  };

  /** A bordered label | value table. */
  const table = (rows: Array<[string, string]>) => {
    for (const [label, value] of rows) {
      const valueWidth = width - LABEL_WIDTH - CELL_PADDING * 2;
      const height = Math.max(doc.heightOfString(value || ' ', { width: valueWidth }), doc.heightOfString(label, { width: LABEL_WIDTH - CELL_PADDING * 2 })) + CELL_PADDING * 2;
      const y = doc.y;
      doc.rect(left, y, LABEL_WIDTH, height).fillAndStroke('#eeeeee', '#000000');
      doc.rect(left + LABEL_WIDTH, y, width - LABEL_WIDTH, height).stroke('#000000');
      doc.fillColor('#000000');
      doc.text(label, left + CELL_PADDING, y + CELL_PADDING, { width: LABEL_WIDTH - CELL_PADDING * 2 });
      doc.text(value, left + LABEL_WIDTH + CELL_PADDING, y + CELL_PADDING, { width: valueWidth });
      doc.y = y + height;
    }
  };

  heading(t(`cards.pdf.section.applicant.${data.cardType}`));
  table(data.applicantRows);
  heading(t('cards.pdf.section.counter'));
  table(data.counterRows);
  heading(t('cards.pdf.section.agent'));
  if (data.agentRows.length) table(data.agentRows);
  else doc.text(t('cards.pdf.noAgent'), left, doc.y, { width });

  heading(t('cards.pdf.section.documents'));
  data.documents.forEach((d, i) => doc.text(`${i + 1}. ${d}`, left + 10, doc.y, { width: width - 10 }));
  doc.text(t('cards.pdf.callFirst'), left, doc.y + 2, { width });

  // Signatures: the applicant (or their seal), the agent, and the counter's own box.
  heading(t('cards.pdf.section.signatures'));
  const boxY = doc.y + 2;
  const boxHeight = 62;
  const boxWidth = width / 3;
  const boxes = [t(`cards.pdf.sign.applicant.${data.cardType}`), t('cards.pdf.sign.agent'), t('cards.pdf.sign.counter')];
  boxes.forEach((label, i) => {
    doc.rect(left + boxWidth * i, boxY, boxWidth, boxHeight).stroke('#000000');
    doc.fontSize(9).text(label, left + boxWidth * i + CELL_PADDING, boxY + CELL_PADDING, { width: boxWidth - CELL_PADDING * 2 });
  });
  doc.fontSize(FONT_SIZE);
  doc.y = boxY + boxHeight + 12;

  // The detachable stub.
  const cutY = doc.y;
  doc.save().moveTo(left, cutY).lineTo(left + width, cutY).dash(4, { space: 3 }).stroke('#000000').restore();
  doc.fontSize(8).text(t('cards.pdf.cutHere'), left, cutY + 3, { width, align: 'center' });
  doc.font('cjk-bold').fontSize(12).text(t('cards.pdf.stub.title'), left, doc.y + 4, { width });
  doc.font('cjk').fontSize(FONT_SIZE);
  doc.text(`${t('cards.pdf.reference')}${data.reference}　${t('cards.pdf.stub.name')}${data.stubName}　${t('cards.pdf.stub.id')}${data.stubMaskedId}`, left, doc.y + 2, { width });
  const codeY = doc.y + 6;
  doc.text(t('cards.pdf.stub.code'), left, codeY + 8, { width: 140 });
  const cell = 26;
  for (let i = 0; i < 6; i++) doc.rect(left + 140 + i * (cell + 4), codeY, cell, cell).stroke('#000000');
  doc.y = codeY + cell + 6;
  doc.fontSize(9).text(t('cards.pdf.stub.note'), left, doc.y, { width });

  doc.end();
  return done;
}
