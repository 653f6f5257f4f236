import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reporting (issue 13): the card and employer figures. report_card_month counts card reservations
 * per registration counter, month of the counter date, card type and current state;
 * report_employer_month counts employer first registrations (by whether still in force) and
 * certificate reviews (by status) per month created. Both are recounted from their source tables
 * by the 'figures-refresh' job (decision 0021); report_watermark says when ('cards',
 * 'employers'). Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class ReportingCardEmployerFigures1764800000301 implements MigrationInterface {
  name = 'ReportingCardEmployerFigures1764800000301';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_card_month (
      county_code VARCHAR(8) NOT NULL,
      month DATE NOT NULL,
      counter_code VARCHAR(32) NOT NULL,
      card_type VARCHAR(32) NOT NULL,
      status VARCHAR(16) NOT NULL,
      reservations INT NOT NULL,
      PRIMARY KEY (county_code, month, counter_code, card_type, status),
      KEY idx_report_card_month_month (month)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE report_employer_month (
      month DATE NOT NULL,
      kind VARCHAR(16) NOT NULL,
      outcome VARCHAR(16) NOT NULL,
      count INT NOT NULL,
      PRIMARY KEY (month, kind, outcome)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query("INSERT INTO report_watermark (name, events) VALUES ('cards', 0), ('employers', 0)");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("DELETE FROM report_watermark WHERE name IN ('cards', 'employers')");
    await q.query('DROP TABLE report_employer_month');
    await q.query('DROP TABLE report_card_month');
  }
}
