import { Inject, Injectable } from '@nestjs/common';
import { visibleTo } from '../../../common/access/access-policy';
import type { Principal } from '../../../common/context/request-context';
import { ConflictError, NotFoundError, type FieldError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { isIsoDay, taipeiDay } from '../../../common/time/taipei-day';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { Database, type Tx } from '../../../core/database';
import { NotificationsService } from '../../notifications';
import { ReferenceService } from '../../reference';
import { caseOwner, FilingService } from '../filing/filing.service';
import { CaseLifecycle } from '../lifecycle/case-lifecycle.service';
import { CaseRules } from '../lifecycle/case-rules.service';
import { CASE_STATES, type CaseState } from '../lifecycle/case-state';
import { caseRow, ruleView } from '../lifecycle/case-view';
import { CaseRepository, type QueueCursor } from '../lifecycle/case.repository';
import { PURPOSES, type Purpose, type SupportDutyCase } from '../lifecycle/support-duty.entity';
import { supportDutyError } from '../support-duty.errors';
import { checkReview, type ReviewInput } from './review-decision';

export const QUEUE_PAGE_SIZE = 25;
/** The queue counts its cases up to this many ("more than 1,000"): a county's whole count is the reporting module's. */
export const QUEUE_COUNT_LIMIT = 1_000;
/** The cap as the page shows it (1,000). */
const QUEUE_COUNT_LIMIT_TEXT = new Intl.NumberFormat('en-US').format(QUEUE_COUNT_LIMIT);

export interface QueueFilter {
  status: CaseState | null;
  from: string;
  to: string;
  institution: string;
  category: string;
  purpose: Purpose | null;
  cursor: QueueCursor | null;
}

/** A queue cursor from the query string: "<submitted time in ms>.<id>" (anything else: the first page). */
export function parseQueueCursor(direction: QueueCursor['direction'], value: string): QueueCursor | null {
  const m = /^(\d{1,15})\.(\d{1,18})$/.exec(value);
  return m ? { direction, submittedAt: new Date(Number(m[1])), id: m[2] } : null;
}

const cursorOf = (c: SupportDutyCase) => `${c.submittedAt?.getTime() ?? 0}.${c.id}`;

/**
 * County review of support-duty cases (seed 002's back office: 查詢, 審查, 套印): a county
 * reviewer sees and decides only the cases of their county (the supported institution's),
 * ministry staff every county. The case page shows every rule check now; a decision is one
 * transition at the version the page showed (a second reviewer gets the conflict page), and the
 * applicant and the institution are told by e-mail (outbox) and in their message list.
 */
@Injectable()
export class ReviewService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: Database,
    private readonly cases: CaseRepository,
    private readonly lifecycle: CaseLifecycle,
    private readonly rules: CaseRules,
    private readonly reference: ReferenceService,
    private readonly notifications: NotificationsService,
    private readonly filing: FilingService,
  ) {}

  /** The reviewer's county (null: ministry staff, every county); a county reviewer without one may do nothing. */
  countyOf(principal: Principal): string | null {
    if (principal.role === 'ministry_staff') return null;
    if (!principal.countyCode) throw supportDutyError.forbidden('reviewer-without-county', 'errors.403.message');
    return principal.countyCode;
  }

  async queue(principal: Principal, filter: QueueFilter, lang: Lang) {
    const countyCode = this.countyOf(principal);
    const errors: FieldError[] = [];
    if (filter.from && !isIsoDay(filter.from)) errors.push({ field: 'from', messageKey: 'supportDuty.review.errors.date' });
    if (filter.to && !isIsoDay(filter.to)) errors.push({ field: 'to', messageKey: 'supportDuty.review.errors.date' });
    const query = {
      statuses: filter.status ? [filter.status] : (['submitted', 'approved', 'rejected', 'cancelled', 'superseded'] as CaseState[]),
      from: filter.from || null,
      to: filter.to || null,
      institutionCode: /^\d{10}$/.test(filter.institution) ? filter.institution : filter.institution ? '-' : null,
      categoryCode: filter.category || null,
      purpose: filter.purpose,
      pageSize: QUEUE_PAGE_SIZE,
    };
    const [{ rows, more }, total] = errors.length
      ? [{ rows: [], more: false }, 0]
      : await Promise.all([this.cases.queuePage(countyCode, query, filter.cursor), this.cases.countUpTo(countyCode, query, QUEUE_COUNT_LIMIT + 1)]);
    // paging by key: "next" after the last row shown, "previous" before the first one
    const backwards = filter.cursor?.direction === 'before';
    const older = rows.length && (backwards || more) ? cursorOf(rows[rows.length - 1]) : null;
    const newer = rows.length && (backwards ? more : filter.cursor !== null) ? cursorOf(rows[0]) : null;
    const names = await this.reference.institutionNames(rows.flatMap((r) => [r.homeInstitutionCode, r.supportedInstitutionCode]), lang);
    return {
      errors,
      rows: rows.map((r) => caseRow(r, `/review/support-duty/${r.id}`, names, lang)),
      total,
      countText: total > QUEUE_COUNT_LIMIT ? QUEUE_COUNT_LIMIT_TEXT : String(total),
      captionKey: total > QUEUE_COUNT_LIMIT ? 'supportDuty.review.queue.captionMore' : 'supportDuty.list.caption',
      older,
      newer,
      statusItems: [{ value: 'all', labelKey: 'supportDuty.list.allStatuses' }, ...CASE_STATES.filter((s) => s !== 'draft' && s !== 'discarded').map((s) => ({ value: s, labelKey: `supportDuty.state.${s}` }))],
      purposeItems: PURPOSES.map((p) => ({ value: p, labelKey: `supportDuty.purpose.${p}` })),
      allCounties: countyCode === null,
    };
  }

  /** A case of the reviewer's county (ministry: any); a draft, another county's or none is "not found". */
  async caseFor(principal: Principal, id: string): Promise<SupportDutyCase> {
    this.countyOf(principal);
    const c = visibleTo(principal, await this.cases.findById(id), caseOwner, 'case-not-found');
    if (c.status === 'draft' || c.status === 'discarded') throw supportDutyError.notFound('case-not-found');
    return c;
  }

  /** The case page: the case, and every rule check as it stands now (as of the submission day for the lead time). */
  async page(c: SupportDutyCase, lang: Lang) {
    const checks = await this.database.transaction(async (tx) => (await this.rules.check(tx, c, c.submittedAt ? taipeiDay(c.submittedAt) : taipeiDay())).checks);
    return {
      ...(await this.filing.page(c, lang, `/review/support-duty/${c.id}/attachments`)),
      checks: checks.map((r) => ruleView(r, lang)),
      decidable: c.status === 'submitted',
      decisionItems: [
        { value: 'approve', labelKey: 'supportDuty.review.approve' },
        { value: 'reject', labelKey: 'supportDuty.review.reject' },
      ],
    };
  }

  attachment(c: SupportDutyCase, attachmentId: string) {
    return this.filing.attachments.read(c.id, attachmentId);
  }

  /** The decision letter (a decided case) or the case as filed (undecided). */
  pdf(c: SupportDutyCase): Promise<Buffer> {
    return this.filing.pdf(c, c.decidedAt ? 'decision' : 'application');
  }

  /** Approve or reject at the version the page showed; bad input is the form again. */
  async decide(principal: Principal, id: string, body: unknown): Promise<{ errors: FieldError[]; values: Record<string, unknown>; c: SupportDutyCase } | null> {
    const c = await this.caseFor(principal, id);
    const check = checkReview(body);
    if (c.status !== 'submitted' || (check.version !== null && check.version !== c.version)) throw supportDutyError.conflict('case-changed', 'supportDuty.errors.changedMeanwhile');
    if (!check.input) return { errors: check.errors, values: check.values, c };
    const input = check.input;
    await this.database.transaction(async (tx) => {
      const row = { ...c, version: check.version ?? c.version };
      const decidedBy = `${principal.kind}:${principal.id}`;
      if (input.decision === 'approve') {
        await this.lifecycle.move(tx, { row, event: 'approve', set: { decidedAt: new Date(), decidedBy, decisionReason: input.reason || null }, summary: { county: c.countyCode } });
        if (c.supersedesCaseId) await this.supersede(tx, c.supersedesCaseId, c);
      } else {
        await this.lifecycle.move(tx, { row, event: 'reject', set: { decidedAt: new Date(), decidedBy, decisionReason: input.reason }, summary: { county: c.countyCode, reason: input.reason } });
        await this.cases.deleteSlots(tx, c.id);
      }
      await this.tell(tx, c, input);
    });
    return null;
  }

  /**
   * Approves the selected cases ("id:version" each), one transaction each: a case decided
   * meanwhile (or out of scope) is reported, the others are approved.
   */
  async approveSelected(principal: Principal, selected: string[]): Promise<{ approved: string[]; conflicts: string[] }> {
    const approved: string[] = [];
    const conflicts: string[] = [];
    for (const item of selected.slice(0, 200)) {
      const m = /^(\d{1,18}):(\d{1,9})$/.exec(item);
      if (!m) continue;
      try {
        const c = await this.caseFor(principal, m[1]);
        await this.decide(principal, m[1], { decision: 'approve', version: m[2] });
        approved.push(c.caseNumber ?? m[1]);
      } catch (err) {
        if (!(err instanceof ConflictError) && !(err instanceof NotFoundError)) throw err;
        const found = await this.cases.findById(m[1]);
        conflicts.push(found?.caseNumber ?? m[1]);
      }
    }
    return { approved, conflicts };
  }

  /** The county bureau's messages (cases cancelled by their applicants), newest first; ministry staff: none of a county's. */
  async messages(principal: Principal) {
    const countyCode = this.countyOf(principal);
    const rows = countyCode ? await this.cases.messagesFor('county', countyCode) : [];
    return rows.map((m) => ({ createdAt: m.createdAt, template: m.template, params: m.params, href: `/review/support-duty/${m.caseId}` }));
  }

  /** The approved change replaces the case it changes: that one's slots no longer count. */
  private async supersede(tx: Tx, oldId: string, change: SupportDutyCase): Promise<void> {
    const old = await this.cases.inTransaction(tx, oldId);
    if (old.status !== 'approved') return;
    await this.lifecycle.move(tx, { row: old, event: 'supersede', summary: { by: change.caseNumber } });
    await this.cases.deleteSlots(tx, old.id);
  }

  /** The applicant and the home institution: an in-app message each, and an e-mail where the registry has an address. */
  private async tell(tx: Tx, c: SupportDutyCase, input: ReviewInput): Promise<void> {
    const template = input.decision === 'approve' ? 'support-duty.approved' : 'support-duty.rejected';
    const [person, home, supported] = await Promise.all([this.reference.professional(c.professionalId), this.reference.institution(c.homeInstitutionCode), this.reference.institution(c.supportedInstitutionCode)]);
    const params = (lang: Lang) => ({
      name: c.professionalName,
      caseNumber: c.caseNumber ?? '',
      supported: supported ? (lang === 'en' ? supported.nameEn : supported.nameZh) : c.supportedInstitutionCode,
      reason: input.reason || translate(lang, 'supportDuty.review.noReason'),
      url: `${this.config.publicOrigin}/support-duty/cases/${c.id}`,
    });
    await this.cases.addMessage(tx, { recipientKind: 'personnel', recipientId: String(c.professionalId), caseId: c.id, template, params: params(c.lang) });
    await this.cases.addMessage(tx, { recipientKind: 'institution', recipientId: c.homeInstitutionCode, caseId: c.id, template, params: params(c.lang) });
    if (person?.email) await this.notifications.notify(tx, { to: person.email, template, lang: c.lang, params: params(c.lang) });
    if (home?.email) await this.notifications.notify(tx, { to: home.email, template, lang: 'zh-TW', params: params('zh-TW') });
  }
}
