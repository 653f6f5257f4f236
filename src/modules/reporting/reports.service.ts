import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/context/request-context';
import type { FieldError } from '../../common/errors/domain-error';
import { choiceField, textField } from '../../common/forms';
import { translate, type Lang } from '../../common/i18n/i18n';
import { PERSONNEL_CATEGORIES } from '../../common/identifiers/personnel-categories';
import { taipeiDay } from '../../common/time/taipei-day';
import { ReferenceService } from '../reference';
import { CaseSummaryRepository, type Dimension, type SummaryScope, type Watermark } from './case-summary.repository';
import { ReportCache } from './report-cache';
import { reportingError } from './reporting.errors';
import { PERIOD_PARTS, periodLabel, reportPeriod, rocYear, type PeriodPart, type ReportPeriod } from './report-period';

/** The outcomes a report counts, in the order of its columns and chart segments. */
export const OUTCOMES = ['approved', 'submitted', 'rejected', 'cancelled', 'superseded'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What a report's request asks for, read untrusted from the query string. */
export interface ReportQuery {
  year: number;
  part: PeriodPart;
  county: string | null;
}

/** One line of a report table: a county, category, institution or month, with its counts by outcome. */
export interface ReportLine {
  code: string;
  name: string;
  outcomes: Record<Outcome, number>;
  cases: number;
  sessions: number;
  /** The drill-down (a county's institutions) or the case list, when the reader may follow it. */
  href?: string;
}

export interface ReportTable {
  id: 'county' | 'category' | 'institution' | 'month';
  lines: ReportLine[];
  total: ReportLine;
}

/** Who sees which figures: ministry staff every county, a county reviewer theirs, an institution its own. */
export interface ReportAudience {
  countyCode: string | null;
  institutionCode: string | null;
  /** May pick a county (ministry staff). */
  allCounties: boolean;
  /** May open the case list behind a row (the reviewers). */
  seesCases: boolean;
}

export interface Report {
  query: ReportQuery;
  period: ReportPeriod;
  periodLabel: { key: string; params: Record<string, number> };
  audience: ReportAudience;
  /** The county the figures are of (chosen by ministry staff, or the reviewer's own); null: all. */
  county: { code: string; name: string } | null;
  tables: ReportTable[];
  freshness: Watermark;
  years: number[];
}

/** A report read back from its JSON: the watermark's times are dates again. */
function reviveReport(r: Report): Report {
  const date = (v: unknown) => (v ? new Date(v as string) : null);
  return { ...r, freshness: { ...r.freshness, lastEventAt: date(r.freshness.lastEventAt), appliedAt: date(r.freshness.appliedAt), rebuiltAt: date(r.freshness.rebuiltAt) } };
}

const zero = (): Record<Outcome, number> => ({ approved: 0, submitted: 0, rejected: 0, cancelled: 0, superseded: 0 });

/**
 * The support-duty statistics (seed 002's 線上申辦統計: by personnel category, by institution, the
 * review outcomes of every county), read from the month summaries only, never from the cases.
 * Out of scope is "not found": a county reviewer naming another county gets a 404, as does
 * anyone naming a county that does not exist.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly summaries: CaseSummaryRepository,
    private readonly reference: ReferenceService,
    private readonly cache: ReportCache,
  ) {}

  audienceOf(principal: Principal): ReportAudience {
    switch (principal.role) {
      case 'ministry_staff':
        return { countyCode: null, institutionCode: null, allCounties: true, seesCases: true };
      case 'county_reviewer':
        if (!principal.countyCode) throw reportingError.forbidden('reviewer-without-county', 'errors.403.message');
        return { countyCode: principal.countyCode, institutionCode: null, allCounties: false, seesCases: true };
      case 'institution':
        return { countyCode: null, institutionCode: principal.id, allCounties: false, seesCases: false };
      default:
        throw reportingError.forbidden('role-not-allowed', 'errors.403.message');
    }
  }

  /** The query string read field by field (missing or malformed values are errors, keeping what was entered). */
  readQuery(query: unknown, now = new Date()): { query: ReportQuery; errors: FieldError[]; values: Record<string, string> } {
    const errors: FieldError[] = [];
    const thisYear = Number(taipeiDay(now).slice(0, 4));
    const yearText = textField(query, 'year');
    const yearValue = yearText === '' ? thisYear : /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
    if (!(yearValue >= 2000 && yearValue <= thisYear + 1)) errors.push({ field: 'year', messageKey: 'reports.errors.year' });
    const partText = textField(query, 'part');
    const part = partText === '' ? 'year' : choiceField(query, 'part', PERIOD_PARTS);
    if (!part) errors.push({ field: 'part', messageKey: 'reports.errors.part' });
    const county = textField(query, 'county') || null;
    return {
      query: { year: errors.some((e) => e.field === 'year') ? thisYear : yearValue, part: part ?? 'year', county },
      errors,
      values: { year: yearText || String(thisYear), part: partText || 'year', county: county ?? '' },
    };
  }

  report(principal: Principal, query: ReportQuery, lang: Lang): Promise<Report> {
    return this.reportFor(this.audienceOf(principal), query, lang);
  }

  /**
   * The report as `audience` sees it (the monthly county reports: a county's reviewers' view):
   * from the cache when these figures were computed under the current watermark (one primary-key
   * read and one Redis GET), else computed from the summaries and cached.
   */
  async reportFor(audience: ReportAudience, query: ReportQuery, lang: Lang): Promise<Report> {
    const freshness = await this.summaries.watermark();
    const thisYear = taipeiDay().slice(0, 4);
    const key = this.cache.key([lang, audience.countyCode, audience.institutionCode, audience.allCounties, audience.seesCases, query.county, query.year, query.part, thisYear], freshness);
    const cached = await this.cache.get<Report>(key, reviveReport);
    if (cached) return cached;
    const report = await this.compute(audience, query, lang, freshness);
    await this.cache.set(key, report);
    return report;
  }

  private async compute(audience: ReportAudience, query: ReportQuery, lang: Lang, freshness: Watermark): Promise<Report> {
    const counties = await this.reference.counties();
    const countyName = (code: string) => {
      const c = counties.find((x) => x.code === code);
      return c ? (lang === 'en' ? c.nameEn : c.nameZh) : code;
    };
    let countyCode = audience.countyCode;
    if (query.county) {
      // a county named in the URL: ministry staff any that exists; a reviewer only their own
      if (!counties.some((c) => c.code === query.county) || (!audience.allCounties && query.county !== audience.countyCode)) throw reportingError.notFound('report-not-found', 'errors.404.message');
      countyCode = query.county;
    }
    const period = reportPeriod(query.year, query.part);
    const scope: SummaryScope = { fromMonth: period.fromMonth, toMonth: period.toMonth, countyCode, institutionCode: audience.institutionCode };
    const base = `/reports?year=${period.year}&part=${period.part}`;
    const caseList = (params: Record<string, string>) => `/review/support-duty?${new URLSearchParams({ ...params, from: period.fromDay, to: period.toDay })}`;
    const categoryName = (code: string) => {
      const c = PERSONNEL_CATEGORIES.find((x) => x.code === code);
      return c ? (lang === 'en' ? c.nameEn : c.nameZh) : code;
    };

    const tables: ReportTable[] = [];
    if (audience.allCounties && !countyCode) {
      tables.push(await this.table('county', scope, countyName, (code) => `${base}&county=${encodeURIComponent(code)}`));
    }
    tables.push(await this.table('category', scope, categoryName, audience.seesCases ? (code) => caseList({ category: code }) : undefined));
    if (countyCode || audience.institutionCode) {
      const table = await this.table('institution', scope, (code) => code, audience.seesCases ? (code) => caseList({ institution: code }) : undefined);
      const names = await this.reference.institutionNames(table.lines.map((l) => l.code), lang);
      for (const line of table.lines) line.name = names.get(line.code) ?? line.code;
      tables.push(table);
    }
    tables.push(await this.table('month', scope, (code) => monthName(code, lang)));
    const range = await this.summaries.monthRange();
    const first = Number((range.first ?? taipeiDay()).slice(0, 4));
    const last = Math.max(Number(taipeiDay().slice(0, 4)), Number((range.last ?? taipeiDay()).slice(0, 4)));
    return {
      query,
      period,
      periodLabel: periodLabel(period),
      audience,
      county: countyCode ? { code: countyCode, name: countyName(countyCode) } : null,
      tables,
      freshness,
      years: Array.from({ length: last - first + 1 }, (_, i) => last - i),
    };
  }

  /** One table: the lines of `dimension` × outcome, largest first (months in order), and the total. */
  private async table(id: ReportTable['id'], scope: SummaryScope, nameOf: (code: string) => string, hrefOf?: (code: string) => string): Promise<ReportTable> {
    const dimension: Dimension = id;
    const rows = await this.summaries.totals(scope, [dimension, 'status']);
    const lines = new Map<string, ReportLine>();
    const total: ReportLine = { code: '', name: '', outcomes: zero(), cases: 0, sessions: 0 };
    for (const row of rows) {
      const code = row[dimension];
      let line = lines.get(code);
      if (!line) lines.set(code, (line = { code, name: nameOf(code), outcomes: zero(), cases: 0, sessions: 0, ...(hrefOf ? { href: hrefOf(code) } : {}) }));
      const status = row.status as Outcome;
      if (status in line.outcomes) (line.outcomes[status] += row.cases), (total.outcomes[status] += row.cases);
      line.cases += row.cases;
      line.sessions += row.sessions;
      total.cases += row.cases;
      total.sessions += row.sessions;
    }
    const sorted = [...lines.values()].sort(id === 'month' ? (a, b) => a.code.localeCompare(b.code) : (a, b) => b.cases - a.cases || a.code.localeCompare(b.code));
    return { id, lines: sorted, total };
  }
}

/** 'YYYY-MM' as 民國 115 年 7 月 / 2026-07. */
export function monthName(code: string, lang: Lang): string {
  const [y, m] = code.split('-').map(Number);
  return translate(lang, 'reports.monthName', { roc: rocYear(y), year: y, month: m, mm: String(m).padStart(2, '0') });
}
