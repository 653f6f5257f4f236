import type { MigrationInterface, QueryRunner } from 'typeorm';

const KEY_COLUMNS = `
      county_code VARCHAR(8) NOT NULL,
      category_code VARCHAR(16) NOT NULL,
      institution_code CHAR(10) NOT NULL,
      purpose VARCHAR(16) NOT NULL,
      status VARCHAR(16) NOT NULL,
      cases INT NOT NULL,
      sessions BIGINT NOT NULL`;

/**
 * Reporting (issue 13): support-duty summaries kept current from the case-changed events.
 * report_sd_day and report_sd_month hold counts and session sums (never averages) keyed by the
 * case's first support day (or its month) × county × personnel category × supported institution ×
 * purpose × status; report_sd_facet rolls the month grain up per county and month by one facet
 * (category, institution, purpose) × status, which is what the pages read; the day grain is there
 * for finer periods.
 * report_sd_case is each case's last applied version and the key it counts under, so an event
 * applied twice (or after a later one) counts once; report_watermark says how fresh the figures
 * are. Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class Reporting1764633600000 implements MigrationInterface {
  name = 'Reporting1764633600000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, period] of [
      ['report_sd_day', 'day'],
      ['report_sd_month', 'month'],
    ]) {
      await q.query(`CREATE TABLE ${table} (
      ${period} DATE NOT NULL,${KEY_COLUMNS},
      PRIMARY KEY (county_code, ${period}, category_code, institution_code, purpose, status),
      KEY idx_${table}_period (${period}),
      KEY idx_${table}_institution (institution_code, ${period})
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    }
    // The pages' rollup: per county and month, the cases by one facet (category, institution or
    // purpose) × status; a county's year is a few hundred rows whatever the number of cases.
    await q.query(`CREATE TABLE report_sd_facet (
      county_code VARCHAR(8) NOT NULL,
      month DATE NOT NULL,
      facet VARCHAR(16) NOT NULL,
      value VARCHAR(16) NOT NULL,
      status VARCHAR(16) NOT NULL,
      cases INT NOT NULL,
      sessions BIGINT NOT NULL,
      PRIMARY KEY (county_code, month, facet, value, status),
      KEY idx_report_sd_facet_month (month, facet)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE report_sd_case (
      case_id BIGINT NOT NULL PRIMARY KEY,
      version INT NOT NULL,
      day DATE NOT NULL,
      county_code VARCHAR(8) NOT NULL,
      category_code VARCHAR(16) NOT NULL,
      institution_code CHAR(10) NOT NULL,
      purpose VARCHAR(16) NOT NULL,
      status VARCHAR(16) NOT NULL,
      sessions INT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE report_watermark (
      name VARCHAR(32) NOT NULL PRIMARY KEY,
      last_event_at DATETIME(3) NULL,
      applied_at DATETIME(3) NULL,
      events BIGINT NOT NULL DEFAULT 0,
      rebuilt_at DATETIME(3) NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query("INSERT INTO report_watermark (name, events) VALUES ('support-duty', 0)");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE report_watermark');
    await q.query('DROP TABLE report_sd_case');
    await q.query('DROP TABLE report_sd_facet');
    await q.query('DROP TABLE report_sd_month');
    await q.query('DROP TABLE report_sd_day');
  }
}
