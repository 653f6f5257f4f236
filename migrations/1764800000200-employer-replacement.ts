import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Certificate replacement (issue 11, item 6): a registration row says what made it (the first
 * registration, or one of seed 003's three replacements) and which registration it replaced, so
 * the unit's receipt records (item 7) list every binding; the replaced one keeps its row, ended.
 * Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class EmployerReplacement1764800000200 implements MigrationInterface {
  name = 'EmployerReplacement1764800000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE employer_registration
      ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'register',
      ADD COLUMN replaces_id BIGINT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE employer_registration DROP COLUMN replaces_id, DROP COLUMN kind');
  }
}
