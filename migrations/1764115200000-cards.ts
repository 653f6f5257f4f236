import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cards: one row per card issued at a counter from a reservation. Its state continues the
 * reservation's (card-state.ts): issued → active ⇄ suspended → revoked | expired. The PUK is kept
 * encrypted (SecretBox), the user code only as the reservation's scrypt hash; the user-code check
 * locks after repeated failures.
 */
export class Cards1764115200000 implements MigrationInterface {
  name = 'Cards1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_reservation
      ADD COLUMN decided_at DATETIME(3) NULL,
      ADD COLUMN decided_by VARCHAR(64) NULL,
      ADD COLUMN decision_reason VARCHAR(500) NULL,
      ADD COLUMN documents_checked VARCHAR(200) NULL,
      ADD COLUMN replaces_card_id BIGINT NULL`);
    await q.query(`CREATE TABLE card (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      card_number CHAR(12) NOT NULL,
      reservation_id BIGINT NOT NULL,
      card_type VARCHAR(16) NOT NULL,
      state VARCHAR(16) NOT NULL,
      holder_name VARCHAR(60) NOT NULL,
      national_id_index CHAR(64) NOT NULL,
      institution_code CHAR(10) NULL,
      email VARCHAR(254) NULL,
      token_label VARCHAR(32) NOT NULL,
      certificate_id INT NULL,
      not_before DATETIME(3) NULL,
      not_after DATETIME(3) NULL,
      puk_cipher VARCHAR(255) NOT NULL,
      user_code_hash VARCHAR(255) NOT NULL,
      user_code_failures INT NOT NULL DEFAULT 0,
      user_code_locked_until DATETIME(3) NULL,
      opened_at DATETIME(3) NULL,
      revocation_reason VARCHAR(32) NULL,
      replaced_by_card_id BIGINT NULL,
      expiry_reminded_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_card_number (card_number),
      UNIQUE KEY uq_card_reservation (reservation_id),
      KEY idx_card_holder (national_id_index, state),
      KEY idx_card_expiry (state, not_after),
      CONSTRAINT fk_card_reservation FOREIGN KEY (reservation_id) REFERENCES card_reservation (id),
      CONSTRAINT fk_card_certificate FOREIGN KEY (certificate_id) REFERENCES issued_certificate (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE card');
    await q.query(`ALTER TABLE card_reservation DROP COLUMN decided_at, DROP COLUMN decided_by, DROP COLUMN decision_reason,
      DROP COLUMN documents_checked, DROP COLUMN replaces_card_id`);
  }
}
