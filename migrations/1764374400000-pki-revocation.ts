import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PKI revocation (issue 9): how the certificates under a trust anchor are checked at sign-in.
 * revocation_policy: 'crl-only' (what every anchor did so far, and the default), 'ocsp-first'
 * (OCSP, the CRLs when OCSP gives no usable answer) or 'both'; ocsp_url overrides the address in
 * the certificates' authorityInfoAccess. Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class PkiRevocation1764374400000 implements MigrationInterface {
  name = 'PkiRevocation1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ca_certificate
      ADD COLUMN revocation_policy VARCHAR(16) NOT NULL DEFAULT 'crl-only' AFTER crl_url,
      ADD COLUMN ocsp_url VARCHAR(500) NULL AFTER revocation_policy`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ca_certificate
      DROP COLUMN ocsp_url,
      DROP COLUMN revocation_policy`);
  }
}
