import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The review queue pages by key (submitted_at, id), newest first. One status of a county reads
 * idx_sd_county_queue (county_code, status, submitted_at + the primary key InnoDB appends); these
 * two cover the queue of every status: a county's, and every county's (ministry staff).
 */
export class SupportDutyQueueKeys1764800000100 implements MigrationInterface {
  name = 'SupportDutyQueueKeys1764800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX idx_sd_county_submitted ON support_duty_case (county_code, submitted_at, id)');
    await q.query('CREATE INDEX idx_sd_submitted ON support_duty_case (submitted_at, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX idx_sd_submitted ON support_duty_case');
    await q.query('DROP INDEX idx_sd_county_submitted ON support_duty_case');
  }
}
