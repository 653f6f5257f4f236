import { Injectable } from '@nestjs/common';
import { isIsoDay } from '../../common/time/taipei-day';
import { Database } from '../../core/database';
import type { CaseChangedEvent } from '../support-duty';
import { CaseSummaryRepository, isCounted, type RebuildCounts, type SummaryKey, type Watermark } from './case-summary.repository';

/** What applying one event did: counted it, or skipped it as already applied (a replay, or older than what was applied). */
export type ApplyOutcome = 'applied' | 'skipped';

export interface RebuildResult extends RebuildCounts {
  dryRun: boolean;
  /** The first month rebuilt ('YYYY-MM-01'), null: everything. */
  fromMonth: string | null;
}

/** A case-changed event as the queue delivered it, checked field by field; null when it is not one. */
export function readCaseChanged(data: unknown): CaseChangedEvent | null {
  if (typeof data !== 'object' || data === null) return null;
  const e = data as Record<string, unknown>;
  const strings = ['caseId', 'to', 'countyCode', 'categoryCode', 'supportedInstitutionCode', 'purpose', 'firstDay', 'at'];
  if (!strings.every((k) => typeof e[k] === 'string' && e[k] !== '')) return null;
  if (!/^\d{1,18}$/.test(e.caseId as string) || !isIsoDay(e.firstDay as string) || Number.isNaN(Date.parse(e.at as string))) return null;
  if (!Number.isInteger(e.version) || (e.version as number) < 1 || !Number.isInteger(e.sessionCount)) return null;
  return data as CaseChangedEvent;
}

const keyOf = (e: CaseChangedEvent): SummaryKey => ({
  day: e.firstDay,
  countyCode: e.countyCode,
  categoryCode: e.categoryCode,
  institutionCode: e.supportedInstitutionCode,
  purpose: e.purpose,
  status: e.to,
});

/**
 * The support-duty summaries (report_sd_day / report_sd_month): kept current one case-changed
 * event at a time, and rebuilt from the cases on demand. A case counts once, under its latest
 * applied state: an event whose version is not above the case's applied version (a replay, or an
 * older event arriving late) changes nothing.
 */
@Injectable()
export class CaseSummaryService {
  constructor(
    private readonly database: Database,
    private readonly summaries: CaseSummaryRepository,
  ) {}

  async apply(event: CaseChangedEvent): Promise<ApplyOutcome> {
    // A change between states never counted (a draft edited or discarded) moves no figure: no
    // write, and the watermark (part of every cached report's key) stays where it is.
    if (!isCounted(event.from) && !isCounted(event.to)) return 'skipped';
    return this.database.transaction(async (tx) => {
      const key = keyOf(event);
      const applied = await this.summaries.lockCase(tx, event.caseId, key);
      if (event.version <= applied.version) return 'skipped';
      if (isCounted(applied.status)) await this.summaries.add(tx, applied, -1, -applied.sessions);
      if (isCounted(event.to)) await this.summaries.add(tx, key, 1, event.sessionCount);
      await this.summaries.saveCase(tx, event.caseId, { ...key, version: event.version, sessions: event.sessionCount });
      await this.summaries.advanceWatermark(tx, new Date(event.at));
      return 'applied';
    });
  }

  /** How fresh the summaries are: the latest event applied, when, and the last rebuild. */
  freshness(): Promise<Watermark> {
    return this.summaries.watermark();
  }

  /**
   * Every summary recomputed from support_duty_case (from `from`'s month on, or all), in one
   * transaction; a dry run rolls it back and only reports. `differences` counts the summary rows
   * the rebuild changed: 0 means the incremental summaries already agreed with the cases.
   */
  async rebuild(options: { from?: string | null; dryRun?: boolean } = {}): Promise<RebuildResult> {
    const fromMonth = options.from ? `${options.from.slice(0, 7)}-01` : null;
    const dryRun = !!options.dryRun;
    let result: RebuildCounts | null = null;
    try {
      await this.database.transaction(async (tx) => {
        result = await this.summaries.rebuild(tx, fromMonth);
        if (dryRun) throw ROLLBACK;
      });
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
    return { dryRun, fromMonth, ...(result as unknown as RebuildCounts) };
  }
}

const ROLLBACK = new Error('dry run: roll back');
