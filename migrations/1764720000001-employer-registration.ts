import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First registration of employers (issue 11, items 2-3): the registrations (unit certificate and
 * manager's citizen certificate bound to a unit, the manager's contacts, the unit fields of seed
 * 004; one active registration per unit through the nullable unique `active_unit_code`), and the
 * review cases opened when a unit certificate does not match the registry (decided by ministry
 * staff, version-checked). National IDs protected. Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class EmployerRegistration1764720000001 implements MigrationInterface {
  name = 'EmployerRegistration1764720000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE employer_registration (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      reference VARCHAR(20) NOT NULL,
      unit_code VARCHAR(12) NOT NULL,
      active_unit_code VARCHAR(12) NULL,
      unit_cert_serial VARCHAR(64) NOT NULL,
      unit_cert_issuer VARCHAR(255) NOT NULL,
      unit_cert_family VARCHAR(32) NOT NULL,
      manager_id_cipher VARCHAR(255) NOT NULL,
      manager_id_index CHAR(64) NOT NULL,
      manager_cert_serial VARCHAR(64) NOT NULL,
      manager_cert_issuer VARCHAR(255) NOT NULL,
      manager_name VARCHAR(60) NOT NULL,
      email VARCHAR(254) NOT NULL,
      phone VARCHAR(30) NULL,
      mobile VARCHAR(20) NULL,
      unit_name VARCHAR(100) NOT NULL,
      business_number CHAR(8) NOT NULL,
      labour_insurance_number CHAR(9) NULL,
      three_in_one TINYINT(1) NOT NULL DEFAULT 0,
      responsible_id_cipher VARCHAR(255) NOT NULL,
      responsible_id_index CHAR(64) NOT NULL,
      responsible_is_manager TINYINT(1) NOT NULL DEFAULT 0,
      lang VARCHAR(8) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      ended_at DATETIME(3) NULL,
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_employer_registration_reference (reference),
      UNIQUE KEY uq_employer_registration_active (active_unit_code),
      KEY idx_employer_registration_unit (unit_code, created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE employer_review_case (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      unit_code VARCHAR(12) NOT NULL,
      status VARCHAR(16) NOT NULL,
      cert_serial VARCHAR(64) NOT NULL,
      cert_issuer VARCHAR(255) NOT NULL,
      cert_family VARCHAR(32) NOT NULL,
      cert_identifier VARCHAR(64) NULL,
      cert_subject VARCHAR(500) NOT NULL,
      applicant_name VARCHAR(60) NOT NULL,
      applicant_phone VARCHAR(30) NOT NULL,
      applicant_email VARCHAR(254) NOT NULL,
      lang VARCHAR(8) NOT NULL,
      decided_by VARCHAR(100) NULL,
      decided_at DATETIME(3) NULL,
      reason VARCHAR(500) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      KEY idx_employer_review_status (status, created_at),
      KEY idx_employer_review_unit (unit_code, cert_serial)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE employer_review_case');
    await q.query('DROP TABLE employer_registration');
  }
}
