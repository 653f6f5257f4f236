// The printed support-duty case (套印: 報備支援申請表) and the bureau's decision letter
// (報備支援審查結果通知書), A4 in zh-TW. Built from plain data: no database or Nest inside.
// National IDs are printed masked: the copy may be filed or posted at the supported institution.
import { translate } from '../../../common/i18n/i18n';
import { cjkDocument, labelTable, PAGE_MARGIN, titleBlock } from '../../../common/pdf/cjk-pdf';

export interface CasePdfData {
  kind: 'application' | 'decision';
  caseNumber: string;
  /** 'YYYY-MM-DD' (Taiwan) printed on the form. */
  day: string;
  /** Label/value rows of the case (already in zh-TW). */
  rows: Array<[string, string]>;
  /** The bureau that decides (the supported institution's county). */
  bureau: string;
}

const t = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);

export function buildCasePdf(data: CasePdfData): Promise<Buffer> {
  const title = t(`supportDuty.pdf.title.${data.kind}`);
  const { doc, done } = cjkDocument({ Title: `${title} ${data.caseNumber}`, Author: data.bureau, Subject: title, Creator: t('app.name') });
  const left = PAGE_MARGIN;
  const width = doc.page.width - PAGE_MARGIN * 2;
  titleBlock(doc, title, `${t('supportDuty.case.numberLabel')}${data.caseNumber}`, `${t('supportDuty.pdf.printed')}${data.day}`);
  labelTable(doc, data.rows);
  doc.moveDown();
  doc.text(t(`supportDuty.pdf.note.${data.kind}`, { bureau: data.bureau }), left, doc.y, { width });
  doc.end();
  return done;
}
