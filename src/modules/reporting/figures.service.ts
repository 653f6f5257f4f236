import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/context/request-context';
import type { Lang } from '../../common/i18n/i18n';
import { Database } from '../../core/database';
import { FiguresRepository } from './figures.repository';
import { reportPeriod, type ReportPeriod } from './report-period';
import { reportingError } from './reporting.errors';
import { ReportsService, type ReportQuery } from './reports.service';

/** The card states a reservation can be in, in the order of the state table. */
export const CARD_FIGURE_STATES = ['reserved', 'approved', 'issued', 'active', 'suspended', 'revoked', 'expired', 'rejected', 'cancelled'] as const;
export const REGISTRATION_OUTCOMES = ['in-force', 'ended'] as const;
export const REVIEW_OUTCOMES = ['open', 'approved', 'rejected'] as const;

export interface FiguresRefreshResult {
  reservations: number;
  employerRecords: number;
}

export interface CardsReport {
  period: ReportPeriod;
  countyCode: string | null;
  months: string[];
  /** Reservations per counter (largest first) and month of the counter date. */
  counters: Array<{ code: string; name: string; perMonth: number[]; total: number }>;
  totalPerMonth: number[];
  total: number;
  /** Reservations by their current state. */
  states: Array<{ status: string; count: number }>;
  freshness: { lastEventAt: Date | null; rebuiltAt: Date | null };
}

export interface EmployersReport {
  period: ReportPeriod;
  /** Per month: registrations by whether still in force, reviews by status. */
  months: Array<{ month: string; registrations: number[]; registrationsTotal: number; reviews: number[]; reviewsTotal: number }>;
  total: { registrations: number[]; registrationsTotal: number; reviews: number[]; reviewsTotal: number };
  freshness: { lastEventAt: Date | null; rebuiltAt: Date | null };
}

/** The months ('YYYY-MM') of a period, in order. */
const monthsOf = (p: ReportPeriod) => {
  const out: string[] = [];
  for (let m = Number(p.fromMonth.slice(5, 7)); m <= Number(p.toMonth.slice(5, 7)); m++) out.push(`${p.year}-${String(m).padStart(2, '0')}`);
  return out;
};

/**
 * The cards module's and the employer registry's figures as reports: card reservations per
 * registration counter and month (ministry staff: every counter; a county reviewer: the counters of
 * their county), and employer first registrations and certificate reviews per month (ministry
 * staff). Read from report_card_month / report_employer_month, which the 'figures-refresh' job
 * recounts (decision 0021).
 */
@Injectable()
export class FiguresService {
  constructor(
    private readonly figures: FiguresRepository,
    private readonly reports: ReportsService,
    private readonly database: Database,
  ) {}

  /** Recounts both sets of figures in one transaction. */
  refresh(): Promise<FiguresRefreshResult> {
    return this.database.transaction(async (tx) => ({ reservations: await this.figures.refreshCards(tx), employerRecords: await this.figures.refreshEmployers(tx) }));
  }

  async cards(principal: Principal, query: ReportQuery, lang: Lang): Promise<CardsReport> {
    const audience = this.reports.audienceOf(principal);
    if (audience.institutionCode) throw reportingError.notFound('report-not-found', 'errors.404.message');
    const period = reportPeriod(query.year, query.part);
    const months = monthsOf(period);
    const rows = await this.figures.cards(period.fromMonth, period.toMonth, audience.countyCode);
    const counters = new Map<string, CardsReport['counters'][number]>();
    const states = new Map<string, number>(CARD_FIGURE_STATES.map((s) => [s, 0]));
    for (const r of rows) {
      let c = counters.get(r.counterCode);
      if (!c) counters.set(r.counterCode, (c = { code: r.counterCode, name: lang === 'en' ? r.nameEn : r.nameZh, perMonth: months.map(() => 0), total: 0 }));
      c.perMonth[months.indexOf(r.month)] += r.reservations;
      c.total += r.reservations;
      states.set(r.status, (states.get(r.status) ?? 0) + r.reservations);
    }
    const list = [...counters.values()].sort((a, b) => b.total - a.total || a.code.localeCompare(b.code));
    return {
      period,
      countyCode: audience.countyCode,
      months,
      counters: list,
      totalPerMonth: months.map((_, i) => list.reduce((n, c) => n + c.perMonth[i], 0)),
      total: list.reduce((n, c) => n + c.total, 0),
      states: [...states].map(([status, count]) => ({ status, count })),
      freshness: await this.figures.watermark('cards'),
    };
  }

  async employers(principal: Principal, query: ReportQuery): Promise<EmployersReport> {
    if (principal.role !== 'ministry_staff') throw reportingError.forbidden('role-not-allowed', 'errors.403.message');
    const period = reportPeriod(query.year, query.part);
    const rows = await this.figures.employers(period.fromMonth, period.toMonth);
    const count = (month: string | null, kind: string, outcome: string) => rows.filter((r) => (month === null || r.month === month) && r.kind === kind && r.outcome === outcome).reduce((n, r) => n + r.count, 0);
    const line = (month: string | null) => {
      const registrations = REGISTRATION_OUTCOMES.map((o) => count(month, 'registration', o));
      const reviews = REVIEW_OUTCOMES.map((o) => count(month, 'review', o));
      return { registrations, registrationsTotal: registrations.reduce((a, b) => a + b, 0), reviews, reviewsTotal: reviews.reduce((a, b) => a + b, 0) };
    };
    return { period, months: monthsOf(period).map((month) => ({ month, ...line(month) })), total: line(null), freshness: await this.figures.watermark('employers') };
  }
}

