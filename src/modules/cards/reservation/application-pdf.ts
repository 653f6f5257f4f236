// The printable application form (醫事人員憑證IC卡申請書, or the card type's own title) with the detachable user-code stub
// (用戶代碼存根聯), A4, in zh-TW with Noto Sans CJK TC embedded (subset) so it prints the same
// everywhere. Built from plain data: no database or Nest inside.
//
// The applicant's national ID is printed in full: this is the copy the applicant signs and brings
// with their ID card, and only a session that typed the ID (or proved it with a lookup) can get
// it. The agent's ID is printed masked: the agent shows their own ID card at the counter, and the
// applicant's printout need not disclose a third person's number. The user code is never printed:
// we only hold its hash, so the stub has empty boxes the applicant fills in by hand.
import { cjkDocument, FONT_SIZE, labelTable, PAGE_MARGIN, titleBlock } from '../../../common/pdf/cjk-pdf';
import { translate } from '../../../common/i18n/i18n';
import type { ReservationCardType } from '../lifecycle/card-reservation.entity';

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

const CELL_PADDING = 5;

export function buildApplicationPdf(data: ApplicationPdfData): Promise<Buffer> {
  const title = t(`cards.pdf.title.${data.cardType}`);
  const { doc, done } = cjkDocument({ Title: `${title} ${data.reference}`, Author: t('cards.pdf.author'), Subject: title, Creator: t('app.name') });

  const left = PAGE_MARGIN;
  const width = doc.page.width - PAGE_MARGIN * 2;

  titleBlock(doc, title, `${t('cards.pdf.reference')}${data.reference}`, `${t('cards.pdf.createdDay')}${data.createdDay}`);

  const heading = (text: string) => {
    doc.font('cjk-bold').fontSize(11).text(text, left, doc.y + 4, { width });
    doc.y += 2;
    doc.font('cjk').fontSize(FONT_SIZE);
  };

  const table = (rows: Array<[string, string]>) => labelTable(doc, rows);

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
