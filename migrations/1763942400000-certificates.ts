import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The certificates module: the trust store (CA certificates by family, enabled or not), the
 * certificates our own CAs issued (with their revocation state, from which CRLs are made), the
 * CRLs we hold (our own, signed through PKCS#11, and fetched ones of other CAs).
 */
export class Certificates1763942400000 implements MigrationInterface {
  name = 'Certificates1763942400000';

  async up(q: QueryRunner): Promise<void> {
    const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE ca_certificate (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      slug VARCHAR(64) NOT NULL,
      family VARCHAR(16) NOT NULL,
      role VARCHAR(16) NOT NULL,
      parent_id INT NULL,
      subject_dn VARCHAR(500) NOT NULL,
      serial_hex VARCHAR(42) NOT NULL,
      fingerprint CHAR(64) NOT NULL,
      der BLOB NOT NULL,
      not_before DATETIME(3) NOT NULL,
      not_after DATETIME(3) NOT NULL,
      enabled TINYINT(1) NOT NULL DEFAULT 1,
      source VARCHAR(16) NOT NULL,
      hsm_key_label VARCHAR(64) NULL,
      crl_url VARCHAR(500) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY uq_ca_fingerprint (fingerprint),
      UNIQUE KEY uq_ca_slug (slug),
      KEY idx_ca_family (family, role),
      CONSTRAINT fk_ca_parent FOREIGN KEY (parent_id) REFERENCES ca_certificate (id)
    ) ${table}`);
    await q.query(`CREATE TABLE issued_certificate (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      issuer_id INT NOT NULL,
      serial_hex VARCHAR(42) NOT NULL,
      family VARCHAR(16) NOT NULL,
      subject_kind VARCHAR(16) NOT NULL,
      subject_dn VARCHAR(500) NOT NULL,
      holder_ref VARCHAR(64) NULL,
      der BLOB NOT NULL,
      not_before DATETIME(3) NOT NULL,
      not_after DATETIME(3) NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'good',
      revocation_reason VARCHAR(32) NULL,
      revoked_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_issued_serial (issuer_id, serial_hex),
      KEY idx_issued_status (issuer_id, status),
      KEY idx_issued_holder (holder_ref),
      CONSTRAINT fk_issued_issuer FOREIGN KEY (issuer_id) REFERENCES ca_certificate (id)
    ) ${table}`);
    await q.query(`CREATE TABLE crl (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      issuer_id INT NOT NULL,
      crl_number BIGINT NOT NULL,
      this_update DATETIME(3) NOT NULL,
      next_update DATETIME(3) NULL,
      fingerprint CHAR(64) NOT NULL,
      der LONGBLOB NOT NULL,
      fetched_from VARCHAR(500) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY idx_crl_latest (issuer_id, crl_number),
      CONSTRAINT fk_crl_issuer FOREIGN KEY (issuer_id) REFERENCES ca_certificate (id)
    ) ${table}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['crl', 'issued_certificate', 'ca_certificate']) await q.query(`DROP TABLE ${t}`);
  }
}
