import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * NHI card credentials (issue 10): the insured-person registry (reference data, national IDs
 * protected), the NHI card online-service registrations (password hash, e-mail verified or not,
 * lock after repeated pauses, the one-time-code authenticator of a unit's responsible person), their single-use e-mail links (stored as SHA-256 of the token),
 * the NHI card an operator may be bound to, and the loopback SMS sink of development and tests
 * (the card-less sign-in's codes). Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class NhiCredentials1764288000000 implements MigrationInterface {
  name = 'NhiCredentials1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE insured_person (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      national_id_cipher VARCHAR(255) NOT NULL,
      national_id_index CHAR(64) NOT NULL,
      name_zh VARCHAR(60) NOT NULL,
      birth_date DATE NOT NULL,
      card_number CHAR(12) NOT NULL,
      household_number VARCHAR(10) NOT NULL,
      registered_address VARCHAR(200) NOT NULL,
      mobile VARCHAR(20) NOT NULL,
      UNIQUE KEY uq_insured_card (card_number),
      KEY idx_insured_national_id (national_id_index)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE nhi_card_account (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      card_number CHAR(12) NOT NULL,
      national_id_index CHAR(64) NOT NULL,
      phone VARCHAR(30) NOT NULL,
      email VARCHAR(254) NOT NULL,
      password_hash VARCHAR(255) NOT NULL,
      status VARCHAR(16) NOT NULL,
      lang VARCHAR(8) NOT NULL,
      verified_at DATETIME(3) NULL,
      locked_at DATETIME(3) NULL,
      otp_secret_cipher VARCHAR(255) NULL,
      otp_enrolled_at DATETIME(3) NULL,
      otp_last_step BIGINT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_nhi_account_card (card_number)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE nhi_card_link (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      account_id BIGINT NOT NULL,
      purpose VARCHAR(16) NOT NULL,
      token_hash CHAR(64) NOT NULL,
      expires_at DATETIME(3) NOT NULL,
      used_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY uq_nhi_link_token (token_hash),
      KEY idx_nhi_link_account (account_id, purpose),
      CONSTRAINT fk_nhi_link_account FOREIGN KEY (account_id) REFERENCES nhi_card_account (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE sms_message (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      sent_at DATETIME(3) NOT NULL,
      to_number VARCHAR(20) NOT NULL,
      text VARCHAR(500) NOT NULL,
      KEY idx_sms_to (to_number, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`ALTER TABLE staff_account
      ADD COLUMN nhi_card_number CHAR(12) NULL,
      ADD UNIQUE KEY uq_staff_nhi_card (nhi_card_number)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE staff_account DROP INDEX uq_staff_nhi_card, DROP COLUMN nhi_card_number');
    await q.query('DROP TABLE sms_message');
    await q.query('DROP TABLE nhi_card_link');
    await q.query('DROP TABLE nhi_card_account');
    await q.query('DROP TABLE insured_person');
  }
}
