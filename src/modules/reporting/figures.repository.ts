import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Tx } from '../../core/database';
import type { Watermark } from './case-summary.repository';

/** Card reservations of one counter, month ('YYYY-MM') and state. */
export interface CardFigure {
  counterCode: string;
  month: string;
  status: string;
  reservations: number;
}

/** Employer registrations ('registration': in-force / ended) or certificate reviews ('review': by status) of one month. */
export interface EmployerFigure {
  month: string;
  kind: 'registration' | 'review';
  outcome: string;
  count: number;
}

const monthOf = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v)).slice(0, 7);
/** A UTC DATETIME's month in Taiwan time (UTC+8 all year: no daylight saving). */
const TAIPEI_MONTH = (column: string) => `CAST(DATE_FORMAT(DATE_ADD(${column}, INTERVAL 8 HOUR), '%Y-%m-01') AS DATE)`;

/**
 * The card and employer figures (report_card_month, report_employer_month): recounted from the
 * cards module's card_reservation and the employer registry's employer_registration /
 * employer_review_case (read here, never written) by GROUP BYs over their indexed columns, and read
 * by the report pages. Decision 0021 says why these are recounted rather than fed by events.
 */
@Injectable()
export class FiguresRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Recounts the card figures in `tx`; returns how many reservations they hold. */
  async refreshCards(tx: Tx): Promise<number> {
    await tx.query('DELETE FROM report_card_month');
    await tx.query(
      `INSERT INTO report_card_month (county_code, month, counter_code, card_type, status, reservations)
       SELECT counter_county_code, CAST(DATE_FORMAT(counter_date, '%Y-%m-01') AS DATE), counter_code, card_type, status, COUNT(*)
       FROM card_reservation GROUP BY counter_county_code, CAST(DATE_FORMAT(counter_date, '%Y-%m-01') AS DATE), counter_code, card_type, status`,
    );
    await tx.query("UPDATE report_watermark SET last_event_at = (SELECT MAX(updated_at) FROM card_reservation), rebuilt_at = UTC_TIMESTAMP(3) WHERE name = 'cards'");
    const [row] = (await tx.query('SELECT COALESCE(SUM(reservations), 0) AS n FROM report_card_month')) as Array<{ n: unknown }>;
    return Number(row.n);
  }

  /** Recounts the employer figures in `tx`; returns how many registrations and reviews they hold. */
  async refreshEmployers(tx: Tx): Promise<number> {
    await tx.query('DELETE FROM report_employer_month');
    await tx.query(
      `INSERT INTO report_employer_month (month, kind, outcome, count)
       SELECT ${TAIPEI_MONTH('created_at')}, 'registration', CASE WHEN ended_at IS NULL THEN 'in-force' ELSE 'ended' END, COUNT(*)
       FROM employer_registration GROUP BY ${TAIPEI_MONTH('created_at')}, CASE WHEN ended_at IS NULL THEN 'in-force' ELSE 'ended' END`,
    );
    await tx.query(
      `INSERT INTO report_employer_month (month, kind, outcome, count)
       SELECT ${TAIPEI_MONTH('created_at')}, 'review', status, COUNT(*) FROM employer_review_case GROUP BY ${TAIPEI_MONTH('created_at')}, status`,
    );
    await tx.query(
      "UPDATE report_watermark SET last_event_at = GREATEST(COALESCE((SELECT MAX(created_at) FROM employer_registration), '1970-01-01'), COALESCE((SELECT MAX(COALESCE(decided_at, created_at)) FROM employer_review_case), '1970-01-01')), rebuilt_at = UTC_TIMESTAMP(3) WHERE name = 'employers'",
    );
    const [row] = (await tx.query('SELECT COALESCE(SUM(count), 0) AS n FROM report_employer_month')) as Array<{ n: unknown }>;
    return Number(row.n);
  }

  /** The card figures of a month range, of one county (null: all), with the counters' names. */
  async cards(fromMonth: string, toMonth: string, countyCode: string | null): Promise<Array<CardFigure & { nameZh: string; nameEn: string }>> {
    const rows = (await this.dataSource.query(
      `SELECT f.counter_code, f.month, f.status, SUM(f.reservations) AS n, c.name_zh, c.name_en
       FROM report_card_month f JOIN registration_counter c ON c.code = f.counter_code
       WHERE f.month BETWEEN ? AND ?${countyCode ? ' AND f.county_code = ?' : ''}
       GROUP BY f.counter_code, f.month, f.status, c.name_zh, c.name_en`,
      countyCode ? [fromMonth, toMonth, countyCode] : [fromMonth, toMonth],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ counterCode: String(r.counter_code), month: monthOf(r.month), status: String(r.status), reservations: Number(r.n), nameZh: String(r.name_zh), nameEn: String(r.name_en) }));
  }

  async employers(fromMonth: string, toMonth: string): Promise<EmployerFigure[]> {
    const rows = (await this.dataSource.query('SELECT month, kind, outcome, count FROM report_employer_month WHERE month BETWEEN ? AND ?', [fromMonth, toMonth])) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ month: monthOf(r.month), kind: r.kind as EmployerFigure['kind'], outcome: String(r.outcome), count: Number(r.count) }));
  }

  async watermark(name: 'cards' | 'employers'): Promise<Pick<Watermark, 'lastEventAt' | 'rebuiltAt'>> {
    const [row] = (await this.dataSource.query('SELECT last_event_at, rebuilt_at FROM report_watermark WHERE name = ?', [name])) as Array<Record<string, unknown>>;
    return { lastEventAt: (row?.last_event_at as Date | null) ?? null, rebuiltAt: (row?.rebuilt_at as Date | null) ?? null };
  }
}
