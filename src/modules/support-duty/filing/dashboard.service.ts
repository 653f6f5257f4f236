import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../common/context/request-context';
import type { Lang } from '../../../common/i18n/i18n';
import { addDays, taipeiDay } from '../../../common/time/taipei-day';
import { ReferenceService } from '../../reference';
import { CaseRules } from '../lifecycle/case-rules.service';
import { CASE_STATES, type CaseState } from '../lifecycle/case-state';
import { caseRow, caseTag } from '../lifecycle/case-view';
import { CaseRepository } from '../lifecycle/case.repository';
import { weekStartOf } from '../lifecycle/periods';
import { institutionLimit } from '../lifecycle/quota-policy';
import { FilingService } from './filing.service';

export const DASHBOARD_WEEKS = 8;
export const ENDING_WITHIN_DAYS = 14;
const DASHBOARD_PAGE_SIZE = 10;

export type Direction = 'inbound' | 'outbound';

/**
 * The institution dashboard (醫事機構報備支援儀錶板, seed 002): its staff's cases by status,
 * "他院支援本院" (others' staff supporting it) and "本院支援他院" (its staff supporting others)
 * with a status filter, its supported sessions per week for the coming weeks against its share,
 * and the approved periods that end within 14 days (renew with a change, or let them lapse).
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly rules: CaseRules,
    private readonly reference: ReferenceService,
    private readonly filing: FilingService,
  ) {}

  async page(principal: Principal, filter: { direction: Direction; status: CaseState | null; page: number }, lang: Lang) {
    const code = principal.id;
    const counts = await this.cases.countsByStatus(code);
    const institution = await this.reference.institution(code);
    const limit = institutionLimit(this.rules.policy, institution?.weeklySessions ?? null);
    const weeks = Array.from({ length: DASHBOARD_WEEKS }, (_, i) => weekStartOf(addDays(taipeiDay(), i * 7)));
    const usage = await this.cases.weekUsage(code, weeks);
    const today = taipeiDay();
    const ending = await this.cases.endingBetween(code, today, addDays(today, ENDING_WITHIN_DAYS));
    const scope = filter.direction === 'inbound' ? { supportedInstitutionCode: code } : { institutionCode: code };
    const statuses: CaseState[] = filter.status ? [filter.status] : ['submitted', 'approved'];
    const { rows, total } = await this.cases.list(scope, { statuses, page: filter.page, pageSize: DASHBOARD_PAGE_SIZE });
    const names = await this.reference.institutionNames([...rows, ...ending].flatMap((r) => [r.homeInstitutionCode, r.supportedInstitutionCode]), lang);
    return {
      statusCounts: CASE_STATES.filter((s) => s !== 'discarded').map((s) => ({ tag: caseTag(s), count: counts.get(s) ?? 0, href: `/support-duty?status=${s}` })),
      weeks: weeks.map((w) => ({ week: w, used: usage.get(w) ?? 0, limit, over: (usage.get(w) ?? 0) >= limit })),
      limit,
      ending: ending.map((c) => ({ ...caseRow(c, `/support-duty/cases/${c.id}`, names, lang) })),
      direction: filter.direction,
      rows: rows.map((c) => caseRow(c, filter.direction === 'outbound' ? `/support-duty/cases/${c.id}` : '', names, lang)),
      total,
      pages: Math.max(1, Math.ceil(total / DASHBOARD_PAGE_SIZE)),
    };
  }
}
