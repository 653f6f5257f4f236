import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Tx } from '../../core/database';

/** What a case counts under in the summaries (report_sd_*): its first support day and its dimensions. */
export interface SummaryKey {
  day: string;
  countyCode: string;
  categoryCode: string;
  institutionCode: string;
  purpose: string;
  status: string;
}

/** A case as the summaries last applied it (report_sd_case). */
export interface AppliedCase extends SummaryKey {
  version: number;
  sessions: number;
}

/** One summary row (either grain): the period ('YYYY-MM-DD') and its counts. */
export interface SummaryRow extends SummaryKey {
  cases: number;
  sessions: number;
}

/** The dimensions a report groups by, and the SQL column of each. */
export const DIMENSIONS = { county: 'county_code', category: 'category_code', institution: 'institution_code', purpose: 'purpose', status: 'status', month: 'month' } as const;
export type Dimension = keyof typeof DIMENSIONS;

/** Which summary rows a report reads: a month range, and optionally one county / institution. */
export interface SummaryScope {
  fromMonth: string;
  toMonth: string;
  countyCode?: string | null;
  institutionCode?: string | null;
}

export interface Watermark {
  lastEventAt: Date | null;
  appliedAt: Date | null;
  events: number;
  rebuiltAt: Date | null;
}

export interface RebuildCounts {
  cases: number;
  sessions: number;
  dayRows: number;
  monthRows: number;
  /** Summary rows (either grain) that differ from what was there before. */
  differences: number;
}

/** The states whose cases the summaries count (a draft has had no event; a discarded draft never counted). */
const NOT_COUNTED = ['draft', 'discarded'];
export const isCounted = (status: string) => !NOT_COUNTED.includes(status);

const GRAINS = [
  { table: 'report_sd_day', period: 'day', of: (day: string) => day },
  { table: 'report_sd_month', period: 'month', of: (day: string) => `${day.slice(0, 7)}-01` },
] as const;
const KEY_SQL = 'county_code, category_code, institution_code, purpose, status';
/** The facets of report_sd_facet and the month grain's column each rolls up. */
const FACETS = [
  ['category', 'category_code'],
  ['institution', 'institution_code'],
  ['purpose', 'purpose'],
] as const;
const WATERMARK = 'support-duty';

const toNumber = (v: unknown) => Number(v ?? 0);
const dayOf = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/**
 * The support-duty summaries' queries: applying one case's change (its old key out, its new key
 * in, under a row lock on the case's applied version), the rebuild from support_duty_case (read
 * here as the cases' source of truth, never written), and the report reads.
 */
@Injectable()
export class CaseSummaryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The case's applied row, locked for this transaction (created at version 0, not counted, when new). */
  async lockCase(tx: Tx, caseId: string, key: SummaryKey): Promise<AppliedCase> {
    await tx.query(
      `INSERT IGNORE INTO report_sd_case (case_id, version, day, ${KEY_SQL}, sessions) VALUES (?, 0, ?, ?, ?, ?, ?, 'draft', 0)`,
      [caseId, key.day, key.countyCode, key.categoryCode, key.institutionCode, key.purpose],
    );
    const [row] = (await tx.query(`SELECT version, day, ${KEY_SQL}, sessions FROM report_sd_case WHERE case_id = ? FOR UPDATE`, [caseId])) as Array<Record<string, unknown>>;
    return { ...keyOf(row, 'day'), version: toNumber(row.version), sessions: toNumber(row.sessions) };
  }

  async saveCase(tx: Tx, caseId: string, applied: AppliedCase): Promise<void> {
    await tx.query(
      'UPDATE report_sd_case SET version = ?, day = ?, county_code = ?, category_code = ?, institution_code = ?, purpose = ?, status = ?, sessions = ? WHERE case_id = ?',
      [applied.version, applied.day, applied.countyCode, applied.categoryCode, applied.institutionCode, applied.purpose, applied.status, applied.sessions, caseId],
    );
  }

  /** Adds (or takes away) one case and its sessions at `key` in every grain; a row that reaches zero cases goes. */
  async add(tx: Tx, key: SummaryKey, cases: number, sessions: number): Promise<void> {
    for (const grain of GRAINS) {
      const params = [grain.of(key.day), key.countyCode, key.categoryCode, key.institutionCode, key.purpose, key.status];
      await tx.query(
        `INSERT INTO ${grain.table} (${grain.period}, ${KEY_SQL}, cases, sessions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE cases = cases + VALUES(cases), sessions = sessions + VALUES(sessions)`,
        [...params, cases, sessions],
      );
      if (cases < 0) {
        await tx.query(`DELETE FROM ${grain.table} WHERE ${grain.period} = ? AND county_code = ? AND category_code = ? AND institution_code = ? AND purpose = ? AND status = ? AND cases <= 0`, params);
      }
    }
    const month = `${key.day.slice(0, 7)}-01`;
    for (const [facet, value] of [['category', key.categoryCode], ['institution', key.institutionCode], ['purpose', key.purpose]]) {
      const params = [key.countyCode, month, facet, value, key.status];
      await tx.query(
        `INSERT INTO report_sd_facet (county_code, month, facet, value, status, cases, sessions) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE cases = cases + VALUES(cases), sessions = sessions + VALUES(sessions)`,
        [...params, cases, sessions],
      );
      if (cases < 0) await tx.query('DELETE FROM report_sd_facet WHERE county_code = ? AND month = ? AND facet = ? AND value = ? AND status = ? AND cases <= 0', params);
    }
  }

  /** The watermark moves on: the latest event time applied (never back), when, and how many. */
  async advanceWatermark(tx: Tx, eventAt: Date): Promise<void> {
    await tx.query(
      'UPDATE report_watermark SET last_event_at = GREATEST(COALESCE(last_event_at, ?), ?), applied_at = UTC_TIMESTAMP(3), events = events + 1 WHERE name = ?',
      [eventAt, eventAt, WATERMARK],
    );
  }

  async watermark(): Promise<Watermark> {
    const [row] = (await this.dataSource.query('SELECT last_event_at, applied_at, events, rebuilt_at FROM report_watermark WHERE name = ?', [WATERMARK])) as Array<Record<string, unknown>>;
    return {
      lastEventAt: (row?.last_event_at as Date | null) ?? null,
      appliedAt: (row?.applied_at as Date | null) ?? null,
      events: toNumber(row?.events),
      rebuiltAt: (row?.rebuilt_at as Date | null) ?? null,
    };
  }

  /**
   * Recomputes every summary from the cases whose first day is on or after `fromMonth` (a month's
   * first day; null: all), in `tx`, and counts the rows that differ from before (0: the
   * incremental summaries were right). The caller commits, or rolls back for a dry run.
   */
  async rebuild(tx: Tx, fromMonth: string | null): Promise<RebuildCounts> {
    const since = fromMonth ? ' AND first_day >= ?' : '';
    const sinceParams = fromMonth ? [fromMonth] : [];
    const range = (period: string) => (fromMonth ? ` WHERE ${period} >= ?` : '');
    let differences = 0;
    for (const grain of GRAINS) {
      await tx.query(`DROP TEMPORARY TABLE IF EXISTS report_before_${grain.period}`);
      // LIKE: with the summary's primary key, so comparing after the rebuild is a keyed join
      await tx.query(`CREATE TEMPORARY TABLE report_before_${grain.period} LIKE ${grain.table}`);
      await tx.query(`INSERT INTO report_before_${grain.period} SELECT * FROM ${grain.table}${range(grain.period)}`, sinceParams);
      await tx.query(`DELETE FROM ${grain.table}${range(grain.period)}`, sinceParams);
    }
    await tx.query(`DELETE FROM report_sd_case${range('day')}`, sinceParams);
    await tx.query(
      `INSERT INTO report_sd_case (case_id, version, day, ${KEY_SQL}, sessions)
       SELECT id, version, first_day, county_code, category_code, supported_institution_code, purpose, status, session_count
       FROM support_duty_case WHERE status <> 'draft'${since}`,
      sinceParams,
    );
    await tx.query(
      `INSERT INTO report_sd_day (day, ${KEY_SQL}, cases, sessions)
       SELECT day, ${KEY_SQL}, COUNT(*), SUM(sessions) FROM report_sd_case
       WHERE status NOT IN (${NOT_COUNTED.map(() => '?').join(', ')})${fromMonth ? ' AND day >= ?' : ''}
       GROUP BY day, ${KEY_SQL}`,
      [...NOT_COUNTED, ...sinceParams],
    );
    await tx.query(
      `INSERT INTO report_sd_month (month, ${KEY_SQL}, cases, sessions)
       SELECT CAST(DATE_FORMAT(day, '%Y-%m-01') AS DATE), ${KEY_SQL}, SUM(cases), SUM(sessions) FROM report_sd_day${range('day')}
       GROUP BY CAST(DATE_FORMAT(day, '%Y-%m-01') AS DATE), ${KEY_SQL}`,
      sinceParams,
    );
    await tx.query(`DELETE FROM report_sd_facet${range('month')}`, sinceParams);
    for (const [facet, column] of FACETS) {
      await tx.query(
        `INSERT INTO report_sd_facet (county_code, month, facet, value, status, cases, sessions)
         SELECT county_code, month, ?, ${column}, status, SUM(cases), SUM(sessions) FROM report_sd_month${range('month')}
         GROUP BY county_code, month, ${column}, status`,
        [facet, ...sinceParams],
      );
    }
    for (const grain of GRAINS) {
      const before = `report_before_${grain.period}`;
      const on = `b.${grain.period} = a.${grain.period} AND ${KEY_SQL.split(', ')
        .map((c) => `b.${c} = a.${c}`)
        .join(' AND ')}`;
      const changed = `(b.cases IS NULL OR b.cases <> a.cases OR b.sessions <> a.sessions)${fromMonth ? ` AND a.${grain.period} >= ?` : ''}`;
      const [added] = (await tx.query(`SELECT COUNT(*) AS n FROM ${grain.table} a LEFT JOIN ${before} b ON ${on} WHERE ${changed}`, sinceParams)) as Array<{ n: unknown }>;
      const [gone] = (await tx.query(`SELECT COUNT(*) AS n FROM ${before} b LEFT JOIN ${grain.table} a ON ${on} WHERE a.cases IS NULL`)) as Array<{ n: unknown }>;
      differences += toNumber(added.n) + toNumber(gone.n);
      await tx.query(`DROP TEMPORARY TABLE ${before}`);
    }
    await tx.query('UPDATE report_watermark SET rebuilt_at = UTC_TIMESTAMP(3) WHERE name = ?', [WATERMARK]);
    const [totals] = (await tx.query(`SELECT COALESCE(SUM(cases), 0) AS cases, COALESCE(SUM(sessions), 0) AS sessions FROM report_sd_month${range('month')}`, sinceParams)) as Array<Record<string, unknown>>;
    const [days] = (await tx.query(`SELECT COUNT(*) AS n FROM report_sd_day${range('day')}`, sinceParams)) as Array<{ n: unknown }>;
    const [months] = (await tx.query(`SELECT COUNT(*) AS n FROM report_sd_month${range('month')}`, sinceParams)) as Array<{ n: unknown }>;
    return { cases: toNumber(totals.cases), sessions: toNumber(totals.sessions), dayRows: toNumber(days.n), monthRows: toNumber(months.n), differences };
  }

  /** Summary rows of one grain, for these institutions (the property test and the rebuild check compare them). */
  async rowsFor(grain: 'day' | 'month', institutionCodes: string[]): Promise<SummaryRow[]> {
    if (!institutionCodes.length) return [];
    const table = grain === 'day' ? 'report_sd_day' : 'report_sd_month';
    const rows = (await this.dataSource.query(
      `SELECT ${grain}, ${KEY_SQL}, cases, sessions FROM ${table} WHERE institution_code IN (${institutionCodes.map(() => '?').join(', ')})`,
      institutionCodes,
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ ...keyOf(r, grain), cases: toNumber(r.cases), sessions: toNumber(r.sessions) }));
  }

  /** The same figures by a GROUP BY over the raw cases (what the summaries must equal). */
  async rawRowsFor(grain: 'day' | 'month', institutionCodes: string[]): Promise<SummaryRow[]> {
    if (!institutionCodes.length) return [];
    const period = grain === 'day' ? 'first_day' : "CAST(DATE_FORMAT(first_day, '%Y-%m-01') AS DATE)";
    const rows = (await this.dataSource.query(
      `SELECT ${period} AS ${grain}, county_code, category_code, supported_institution_code AS institution_code, purpose, status, COUNT(*) AS cases, SUM(session_count) AS sessions
       FROM support_duty_case WHERE status NOT IN ('draft', 'discarded') AND supported_institution_code IN (${institutionCodes.map(() => '?').join(', ')})
       GROUP BY ${period}, county_code, category_code, supported_institution_code, purpose, status`,
      institutionCodes,
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ ...keyOf(r, grain), cases: toNumber(r.cases), sessions: toNumber(r.sessions) }));
  }

  /**
   * Counts and session sums grouped by `dimensions` (month grain) within the scope: what every
   * report page, chart and export reads.
   */
  async totals(scope: SummaryScope, dimensions: Dimension[]): Promise<Array<Record<Dimension, string> & { cases: number; sessions: number }>> {
    return scope.institutionCode ? this.totalsOf('report_sd_month', scope, dimensions) : this.facetTotals(scope, dimensions);
  }

  /**
   * The same figures from the facet rollup (a county's or every county's): the facet named among
   * the dimensions, or else the purpose facet (every case has exactly one purpose, and there are
   * only eight: the fewest rows to add up for totals by county or month).
   */
  private async facetTotals(scope: SummaryScope, dimensions: Dimension[]): Promise<Array<Record<Dimension, string> & { cases: number; sessions: number }>> {
    const facet = dimensions.find((d) => d === 'category' || d === 'institution' || d === 'purpose') ?? 'purpose';
    const columns = dimensions.map((d) => (d === facet ? 'value' : d === 'county' ? 'county_code' : d === 'month' ? 'month' : 'status'));
    if (dimensions.some((d) => d !== facet && !['county', 'month', 'status'].includes(d))) return this.totalsOf('report_sd_month', scope, dimensions);
    const where = ['month BETWEEN ? AND ?', 'facet = ?'];
    const params: unknown[] = [scope.fromMonth, scope.toMonth, facet];
    if (scope.countyCode) (where.push('county_code = ?'), params.push(scope.countyCode));
    return this.grouped('report_sd_facet', where, params, dimensions, columns);
  }

  private totalsOf(table: string, scope: SummaryScope, dimensions: Dimension[]): Promise<Array<Record<Dimension, string> & { cases: number; sessions: number }>> {
    const columns = dimensions.map((d) => DIMENSIONS[d]);
    const where = ['month BETWEEN ? AND ?'];
    const params: unknown[] = [scope.fromMonth, scope.toMonth];
    if (scope.countyCode) (where.push('county_code = ?'), params.push(scope.countyCode));
    if (scope.institutionCode) (where.push('institution_code = ?'), params.push(scope.institutionCode));
    return this.grouped(table, where, params, dimensions, columns);
  }

  private async grouped(table: string, where: string[], params: unknown[], dimensions: Dimension[], columns: string[]): Promise<Array<Record<Dimension, string> & { cases: number; sessions: number }>> {
    const select = columns.length ? `${columns.join(', ')}, ` : '';
    const group = columns.length ? ` GROUP BY ${columns.join(', ')}` : '';
    const rows = (await this.dataSource.query(`SELECT ${select}SUM(cases) AS cases, SUM(sessions) AS sessions FROM ${table} WHERE ${where.join(' AND ')}${group}`, params)) as Array<Record<string, unknown>>;
    return rows
      .filter((r) => r.cases !== null)
      .map((r) => {
        const out = { cases: toNumber(r.cases), sessions: toNumber(r.sessions) } as Record<Dimension, string> & { cases: number; sessions: number };
        dimensions.forEach((d, i) => (out[d] = d === 'month' ? dayOf(r[columns[i]]).slice(0, 7) : String(r[columns[i]])));
        return out;
      });
  }

  /** The first and last month with any figures (the periods a report offers). */
  async monthRange(): Promise<{ first: string | null; last: string | null }> {
    const [row] = (await this.dataSource.query('SELECT MIN(month) AS first, MAX(month) AS last FROM report_sd_month')) as Array<Record<string, unknown>>;
    return { first: row?.first ? dayOf(row.first) : null, last: row?.last ? dayOf(row.last) : null };
  }
}

function keyOf(row: Record<string, unknown>, period: string): SummaryKey {
  return {
    day: dayOf(row[period]),
    countyCode: String(row.county_code),
    categoryCode: String(row.category_code),
    institutionCode: String(row.institution_code),
    purpose: String(row.purpose),
    status: String(row.status),
  };
}
