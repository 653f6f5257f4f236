// How a case reads on the pages (applicant's, institution's and reviewer's alike).
import type { Response } from 'express';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { findPersonnelCategory } from '../../../common/identifiers/personnel-categories';
import type { CaseState } from './case-state';
import type { Session } from './periods';
import type { RuleCheck } from './quota-policy';
import type { SupportDutyCase } from './support-duty.entity';

const STATE_TAG: Record<CaseState, string> = {
  draft: 'govuk-tag--grey',
  submitted: 'govuk-tag--blue',
  approved: 'govuk-tag--green',
  rejected: 'govuk-tag--red',
  cancelled: 'govuk-tag--grey',
  superseded: 'govuk-tag--grey',
  discarded: 'govuk-tag--grey',
};

export function caseTag(state: CaseState) {
  return { textKey: `supportDuty.state.${state}`, classes: STATE_TAG[state] };
}

/** "2026-12-07 – 2027-01-31, 週一、週三：上午、下午" per period. */
/** A session with its clock times: 上午（08:00–12:00）. */
export function sessionLabel(session: Session, lang: Lang, times: Record<Session, string>): string {
  return translate(lang, 'supportDuty.sessionWithTime', { session: translate(lang, `supportDuty.session.${session}`), time: times[session] });
}

export function periodLines(c: Pick<SupportDutyCase, 'periods'>, lang: Lang, times: Record<Session, string>): string[] {
  const sep = translate(lang, 'supportDuty.listSeparator');
  return c.periods.map((p) =>
    translate(lang, 'supportDuty.periodLine', {
      from: p.from,
      to: p.to,
      weekdays: p.weekdays.map((d) => translate(lang, `supportDuty.weekday.${d}`)).join(sep),
      sessions: p.sessions.map((s) => sessionLabel(s, lang, times)).join(sep),
    }),
  );
}

/** A rule check as the pages list it: the message with its numbers, and whether it passed. */
export function ruleView(check: RuleCheck, lang: Lang) {
  return { ok: check.ok, text: translate(lang, `supportDuty.rules.${check.rule}.${check.ok ? 'ok' : 'failed'}`, check.params) };
}

/** The row of a case list. */
export function caseRow(c: SupportDutyCase, href: string, names: Map<string, string>, lang: Lang) {
  return {
    id: c.id,
    href,
    caseNumber: c.caseNumber,
    professionalName: c.professionalName,
    supported: names.get(c.supportedInstitutionCode) ?? c.supportedInstitutionCode,
    home: names.get(c.homeInstitutionCode) ?? c.homeInstitutionCode,
    firstDay: c.firstDay,
    lastDay: c.lastDay,
    sessionCount: c.sessionCount,
    purposeKey: `supportDuty.purpose.${c.purpose}`,
    categoryName: categoryName(c.categoryCode, lang),
    tag: caseTag(c.status),
    version: c.version,
    decidable: c.status === 'submitted',
  };
}

export function categoryName(code: string, lang: Lang): string {
  const category = findPersonnelCategory(code);
  return category ? (lang === 'en' ? category.nameEn : category.nameZh) : code;
}

/** A generated PDF, shown inline (sent no-store like every page, by the http pipeline). */
export function sendPdf(res: Response, filename: string, pdf: Buffer): void {
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `inline; filename="${filename}"`);
  res.send(pdf);
}

/** An attachment as a download (never rendered inline: its type was checked, but it is the user's file). */
export function sendAttachment(res: Response, file: { attachment: { filename: string; contentType: string }; bytes: Buffer }): void {
  res.setHeader('Content-Type', file.attachment.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="attachment"; filename*=UTF-8''${encodeURIComponent(file.attachment.filename)}`);
  res.send(file.bytes);
}
