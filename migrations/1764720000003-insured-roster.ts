import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The insured-staff roster (issue 11, item 8): a unit's insured members (national ID protected,
 * one enrolment per person and unit at a time through the nullable unique `active_key`), and the
 * insured salary grade table (configurable reference data; seeded with the grades below).
 * Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class InsuredRoster1764720000003 implements MigrationInterface {
  name = 'InsuredRoster1764720000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE insured_salary_grade (
      grade INT NOT NULL PRIMARY KEY,
      amount INT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    const amounts = [28590, 28800, 30300, 31800, 33300, 34800, 36300, 38200, 40100, 42000, 43900, 45800, 48200, 50600, 53000, 55400, 57800, 60800, 63800, 66800];
    await q.query(`INSERT INTO insured_salary_grade (grade, amount) VALUES ${amounts.map(() => '(?, ?)').join(', ')}`, amounts.flatMap((a, i) => [i + 1, a]));
    await q.query(`CREATE TABLE insured_member (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      unit_code VARCHAR(12) NOT NULL,
      national_id_cipher VARCHAR(255) NOT NULL,
      national_id_index CHAR(64) NOT NULL,
      active_key VARCHAR(80) NULL,
      name VARCHAR(60) NOT NULL,
      birth_date DATE NOT NULL,
      grade INT NOT NULL,
      start_date DATE NOT NULL,
      status VARCHAR(16) NOT NULL,
      withdraw_date DATE NULL,
      withdraw_reason VARCHAR(200) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_insured_member_active (active_key),
      KEY idx_insured_member_unit (unit_code, status, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE insured_member');
    await q.query('DROP TABLE insured_salary_grade');
  }
}
