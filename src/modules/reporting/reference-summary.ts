import type { CountyCounts } from '../reference';

export const COUNTER_KINDS = ['hospital', 'health_bureau', 'health_station'] as const;
export type CounterKind = (typeof COUNTER_KINDS)[number];

export interface CountySummary {
  code: string;
  nameZh: string;
  nameEn: string;
  institutions: number;
  /** Active registration counters by kind. */
  counters: Record<CounterKind, number>;
  countersTotal: number;
}

/** The result of the 'reference-summary' job. */
export interface ReferenceSummary {
  generatedAt: string;
  counties: CountySummary[];
  totals: { institutions: number; counters: Record<CounterKind, number>; countersTotal: number };
}

const zero = (): Record<CounterKind, number> => ({ hospital: 0, health_bureau: 0, health_station: 0 });

/** Institutions and active registration counters per county, with the totals (counts, never averages). */
export function summarise(counts: CountyCounts[], now: Date = new Date()): ReferenceSummary {
  const totals = { institutions: 0, counters: zero(), countersTotal: 0 };
  const counties = counts.map((c) => {
    const counters = zero();
    let countersTotal = 0;
    for (const [kind, n] of Object.entries(c.counters)) {
      if (kind in counters) counters[kind as CounterKind] = n;
      countersTotal += n;
      if (kind in totals.counters) totals.counters[kind as CounterKind] += n;
    }
    totals.institutions += c.institutions;
    totals.countersTotal += countersTotal;
    return { code: c.code, nameZh: c.nameZh, nameEn: c.nameEn, institutions: c.institutions, counters, countersTotal };
  });
  return { generatedAt: now.toISOString(), counties, totals };
}
