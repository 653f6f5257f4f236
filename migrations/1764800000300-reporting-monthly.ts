import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reporting (issue 13, item 5): the monthly county reports. report_file holds each file's bytes
 * once, by the SHA-256 of its content; report_monthly lists, per county, month and format, which
 * file it is. The unique key (county, month, format) makes a second run for the same month add
 * nothing. Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class ReportingMonthly1764800000300 implements MigrationInterface {
  name = 'ReportingMonthly1764800000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_file (
      content_hash CHAR(64) NOT NULL PRIMARY KEY,
      media_type VARCHAR(100) NOT NULL,
      bytes INT NOT NULL,
      content LONGBLOB NOT NULL,
      created_at DATETIME(3) NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE report_monthly (
      county_code VARCHAR(8) NOT NULL,
      month DATE NOT NULL,
      format VARCHAR(8) NOT NULL,
      content_hash CHAR(64) NOT NULL,
      created_at DATETIME(3) NOT NULL,
      PRIMARY KEY (county_code, month, format),
      KEY idx_report_monthly_month (month),
      CONSTRAINT fk_report_monthly_file FOREIGN KEY (content_hash) REFERENCES report_file (content_hash)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE report_monthly');
    await q.query('DROP TABLE report_file');
  }
}
