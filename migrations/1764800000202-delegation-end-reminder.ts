import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reminder 30 days before a delegation ends (issue 11, item 4): when it was sent, so a second
 * run (or a second worker) sends nothing; changing the end date clears it. Plain SQL for
 * MariaDB 10.11 and MySQL 8.
 */
export class DelegationEndReminder1764800000202 implements MigrationInterface {
  name = 'DelegationEndReminder1764800000202';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE employer_delegation ADD COLUMN end_reminded_at DATETIME(3) NULL');
    await q.query('CREATE INDEX idx_employer_delegation_ends ON employer_delegation (status, ends_on)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX idx_employer_delegation_ends ON employer_delegation');
    await q.query('ALTER TABLE employer_delegation DROP COLUMN end_reminded_at');
  }
}
