import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delegation (issue 11, items 4-5): a unit's operators, each bound to a certificate serial, with
 * the functions granted and an optional end date (version-checked changes; a deleted delegation
 * is kept with its status), and the history of every change (who, when, what, with which
 * certificate). National IDs protected. Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class Delegation1764720000002 implements MigrationInterface {
  name = 'Delegation1764720000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE employer_delegation (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      unit_code VARCHAR(12) NOT NULL,
      operator_id_cipher VARCHAR(255) NOT NULL,
      operator_id_index CHAR(64) NOT NULL,
      operator_name VARCHAR(60) NOT NULL,
      phone VARCHAR(30) NULL,
      mobile VARCHAR(20) NULL,
      email VARCHAR(254) NOT NULL,
      credential_type VARCHAR(16) NOT NULL,
      cert_serial VARCHAR(64) NOT NULL,
      functions VARCHAR(500) NOT NULL,
      ends_on DATE NULL,
      status VARCHAR(16) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      deleted_at DATETIME(3) NULL,
      version INT NOT NULL DEFAULT 1,
      KEY idx_delegation_unit (unit_code, status),
      KEY idx_delegation_serial (cert_serial, status)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE employer_delegation_history (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      delegation_id BIGINT NOT NULL,
      unit_code VARCHAR(12) NOT NULL,
      action VARCHAR(16) NOT NULL,
      at DATETIME(3) NOT NULL,
      actor_name VARCHAR(100) NOT NULL,
      actor_credential VARCHAR(320) NOT NULL,
      summary VARCHAR(2000) NOT NULL,
      KEY idx_delegation_history_unit (unit_code, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE employer_delegation_history');
    await q.query('DROP TABLE employer_delegation');
  }
}
