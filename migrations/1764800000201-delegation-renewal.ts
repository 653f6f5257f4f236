import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operators' renewed certificates (issue 11, item 5): when an operator signs in with a new
 * certificate of the same person and CA family, its serial waits on the delegation for the
 * manager's one-click "update the serial". Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class DelegationRenewal1764800000201 implements MigrationInterface {
  name = 'DelegationRenewal1764800000201';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE employer_delegation
      ADD COLUMN renewal_serial VARCHAR(64) NULL,
      ADD COLUMN renewal_at DATETIME(3) NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE employer_delegation DROP COLUMN renewal_at, DROP COLUMN renewal_serial');
  }
}
