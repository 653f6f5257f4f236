// The periods a report covers: a year, a quarter or a month, named in the URL by the western
// year and a part ('year', 'q1'…'q4', 'm01'…'m12') and shown with the 民國 (ROC) year.
import { ROC_YEAR_OFFSET } from '../../common/i18n/dates';
import type { Lang } from '../../common/i18n/i18n';

export const PERIOD_PARTS = ['year', 'q1', 'q2', 'q3', 'q4', ...Array.from({ length: 12 }, (_, i) => `m${String(i + 1).padStart(2, '0')}`)] as const;
export type PeriodPart = (typeof PERIOD_PARTS)[number];

export interface ReportPeriod {
  year: number;
  part: PeriodPart;
  /** The first and last month covered, 'YYYY-MM-01'. */
  fromMonth: string;
  toMonth: string;
  /** The first and last day covered, 'YYYY-MM-DD' (for links to the case list). */
  fromDay: string;
  toDay: string;
}

/** 民國 year of a western year (1912 = 民國 1). */
export const rocYear = (year: number) => year - ROC_YEAR_OFFSET;

const month = (year: number, m: number) => `${year}-${String(m).padStart(2, '0')}-01`;
const lastDay = (year: number, m: number) => new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);

/** The period of a year and a part; the months are whole calendar months. */
export function reportPeriod(year: number, part: PeriodPart): ReportPeriod {
  const [first, last] = part === 'year' ? [1, 12] : part.startsWith('q') ? [3 * Number(part[1]) - 2, 3 * Number(part[1])] : [Number(part.slice(1)), Number(part.slice(1))];
  return { year, part, fromMonth: month(year, first), toMonth: month(year, last), fromDay: month(year, first), toDay: lastDay(year, last) };
}

/** The catalog key and parameters naming a period, e.g. 民國 115 年第 3 季. */
export function periodLabel(p: Pick<ReportPeriod, 'year' | 'part'>): { key: string; params: Record<string, number> } {
  const params = { roc: rocYear(p.year), year: p.year };
  if (p.part === 'year') return { key: 'reports.period.year', params };
  if (p.part.startsWith('q')) return { key: 'reports.period.quarter', params: { ...params, quarter: Number(p.part[1]) } };
  return { key: 'reports.period.month', params: { ...params, month: Number(p.part.slice(1)) } };
}

/** The period form's choices: these years (shown with the 民國 year) and every part. */
export function periodItems(years: number[], lang: Lang) {
  return {
    yearItems: years.map((y) => ({ value: String(y), text: lang === 'en' ? `${y} (ROC ${rocYear(y)})` : `民國 ${rocYear(y)} 年（${y}）` })),
    partItems: PERIOD_PARTS.map((p) => ({ value: p, labelKey: `reports.part.${p}` })),
  };
}
