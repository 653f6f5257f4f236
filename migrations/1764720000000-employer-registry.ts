import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The employer registry (issue 11): units (要保機關 / 投保單位) with their kind and the identifier
 * their organisation certificate must carry (agency OID for GCA/XCA, business number for
 * MOEACA, institution code for HCA), county, labour-insurance number and the responsible
 * person's national ID (protected: cipher + blind index). Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class EmployerRegistry1764720000000 implements MigrationInterface {
  name = 'EmployerRegistry1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE employer_unit (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      unit_code VARCHAR(12) NOT NULL,
      kind VARCHAR(16) NOT NULL,
      name_zh VARCHAR(100) NOT NULL,
      business_number CHAR(8) NULL,
      agency_oid VARCHAR(64) NULL,
      institution_code CHAR(10) NULL,
      county_code VARCHAR(5) NOT NULL,
      responsible_id_cipher VARCHAR(255) NOT NULL,
      responsible_id_index CHAR(64) NOT NULL,
      labour_insurance_number CHAR(9) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_employer_unit_code (unit_code),
      KEY idx_employer_unit_business_number (kind, business_number),
      KEY idx_employer_unit_agency_oid (kind, agency_oid),
      KEY idx_employer_unit_institution (kind, institution_code)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE employer_unit');
  }
}
