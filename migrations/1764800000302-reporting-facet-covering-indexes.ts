import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reporting (issue 13, the page p95): covering indexes for the pages' reads of report_sd_facet.
 * A county's table is `county_code = ? AND facet = ? AND month BETWEEN ? AND ?`: with
 * (county_code, facet, month, …, cases, sessions) it reads only that facet's rows, from the index
 * alone (the primary key put month before facet, so the range read every facet). Every county's
 * (ministry staff) is `facet = ? AND month BETWEEN ? AND ?`: (facet, month, county_code, …)
 * replaces (month, facet), which was not covering. Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class ReportingFacetCoveringIndexes1764800000302 implements MigrationInterface {
  name = 'ReportingFacetCoveringIndexes1764800000302';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX idx_report_sd_facet_county ON report_sd_facet (county_code, facet, month, value, status, cases, sessions)');
    await q.query('CREATE INDEX idx_report_sd_facet_all ON report_sd_facet (facet, month, county_code, value, status, cases, sessions)');
    await q.query('DROP INDEX idx_report_sd_facet_month ON report_sd_facet');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX idx_report_sd_facet_month ON report_sd_facet (month, facet)');
    await q.query('DROP INDEX idx_report_sd_facet_all ON report_sd_facet');
    await q.query('DROP INDEX idx_report_sd_facet_county ON report_sd_facet');
  }
}
