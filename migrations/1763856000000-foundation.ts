import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foundation: reference data, staff accounts, the append-only audit trail, the outbox and the
 * development mailbox. Plain SQL that runs on MariaDB 10.11 and MySQL 8 alike. Never edit a
 * migration once committed; add a new one.
 */
export class Foundation1763856000000 implements MigrationInterface {
  name = 'Foundation1763856000000';

  async up(q: QueryRunner): Promise<void> {
    const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE county (
      code VARCHAR(5) NOT NULL PRIMARY KEY,
      name_zh VARCHAR(20) NOT NULL,
      name_en VARCHAR(60) NOT NULL,
      bureau_name_zh VARCHAR(60) NOT NULL,
      bureau_name_en VARCHAR(120) NOT NULL
    ) ${table}`);
    await q.query(`CREATE TABLE personnel_category (
      code VARCHAR(2) NOT NULL PRIMARY KEY,
      name_zh VARCHAR(20) NOT NULL,
      name_en VARCHAR(80) NOT NULL
    ) ${table}`);
    await q.query(`CREATE TABLE department (
      code VARCHAR(4) NOT NULL PRIMARY KEY,
      name_zh VARCHAR(40) NOT NULL,
      name_en VARCHAR(100) NOT NULL,
      active TINYINT(1) NOT NULL DEFAULT 1
    ) ${table}`);
    await q.query(`CREATE TABLE institution (
      code CHAR(10) NOT NULL PRIMARY KEY,
      name_zh VARCHAR(100) NOT NULL,
      name_en VARCHAR(200) NOT NULL,
      kind VARCHAR(32) NOT NULL,
      county_code VARCHAR(5) NOT NULL,
      address VARCHAR(200) NOT NULL,
      phone VARCHAR(40) NOT NULL,
      is_initial_review_counter TINYINT(1) NOT NULL DEFAULT 0,
      KEY idx_institution_county (county_code),
      CONSTRAINT fk_institution_county FOREIGN KEY (county_code) REFERENCES county (code)
    ) ${table}`);
    await q.query(`CREATE TABLE registration_counter (
      code VARCHAR(20) NOT NULL PRIMARY KEY,
      kind VARCHAR(20) NOT NULL,
      name_zh VARCHAR(100) NOT NULL,
      name_en VARCHAR(200) NOT NULL,
      county_code VARCHAR(5) NOT NULL,
      institution_code CHAR(10) NULL,
      address VARCHAR(200) NOT NULL,
      phone VARCHAR(40) NOT NULL,
      hours_zh VARCHAR(200) NOT NULL,
      hours_en VARCHAR(200) NOT NULL,
      active TINYINT(1) NOT NULL DEFAULT 1,
      KEY idx_counter_county (county_code, kind),
      CONSTRAINT fk_counter_county FOREIGN KEY (county_code) REFERENCES county (code),
      CONSTRAINT fk_counter_institution FOREIGN KEY (institution_code) REFERENCES institution (code)
    ) ${table}`);
    await q.query(`CREATE TABLE professional (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      national_id_cipher VARCHAR(255) NOT NULL,
      national_id_index CHAR(64) NOT NULL,
      category_code VARCHAR(2) NOT NULL,
      certificate_number CHAR(6) NOT NULL,
      name_zh VARCHAR(60) NOT NULL,
      home_institution_code CHAR(10) NULL,
      email VARCHAR(254) NULL,
      UNIQUE KEY uq_professional_person_category (national_id_index, category_code),
      CONSTRAINT fk_professional_category FOREIGN KEY (category_code) REFERENCES personnel_category (code),
      CONSTRAINT fk_professional_institution FOREIGN KEY (home_institution_code) REFERENCES institution (code)
    ) ${table}`);
    await q.query(`CREATE TABLE staff_account (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      username VARCHAR(64) NOT NULL,
      display_name VARCHAR(100) NOT NULL,
      role VARCHAR(32) NOT NULL,
      county_code VARCHAR(5) NULL,
      counter_code VARCHAR(20) NULL,
      email VARCHAR(254) NULL,
      password_hash VARCHAR(255) NOT NULL,
      totp_secret_cipher VARCHAR(255) NOT NULL,
      totp_last_step BIGINT NULL,
      failed_attempts INT NOT NULL DEFAULT 0,
      locked_until DATETIME(3) NULL,
      last_login_at DATETIME(3) NULL,
      disabled_at DATETIME(3) NULL,
      cert_serial VARCHAR(64) NULL,
      cert_issuer VARCHAR(500) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_staff_username (username),
      CONSTRAINT fk_staff_county FOREIGN KEY (county_code) REFERENCES county (code),
      CONSTRAINT fk_staff_counter FOREIGN KEY (counter_code) REFERENCES registration_counter (code)
    ) ${table}`);
    await q.query(`CREATE TABLE audit_event (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      occurred_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      actor_kind VARCHAR(16) NOT NULL,
      actor_id VARCHAR(64) NULL,
      actor_role VARCHAR(32) NULL,
      actor_name VARCHAR(100) NULL,
      credential VARCHAR(600) NULL,
      action VARCHAR(64) NOT NULL,
      outcome VARCHAR(16) NOT NULL DEFAULT 'success',
      target_type VARCHAR(64) NULL,
      target_id VARCHAR(64) NULL,
      summary TEXT NULL,
      client_ip VARCHAR(45) NULL,
      request_id VARCHAR(100) NULL,
      KEY idx_audit_time (occurred_at),
      KEY idx_audit_target (target_type, target_id),
      KEY idx_audit_actor (actor_kind, actor_id),
      KEY idx_audit_action (action)
    ) ${table}`);
    // Append-only: the database itself refuses to change or delete an audit row.
    await q.query(`CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event FOR EACH ROW
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_event is append-only'`);
    await q.query(`CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event FOR EACH ROW
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_event is append-only'`);
    await q.query(`CREATE TABLE outbox_message (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      queue VARCHAR(64) NOT NULL,
      job_name VARCHAR(64) NOT NULL,
      payload TEXT NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      dispatched_at DATETIME(3) NULL,
      attempts INT NOT NULL DEFAULT 0,
      last_error VARCHAR(500) NULL,
      KEY idx_outbox_pending (dispatched_at, id)
    ) ${table}`);
    await q.query(`CREATE TABLE mailbox_message (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      received_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      mail_from VARCHAR(254) NOT NULL,
      rcpt_to VARCHAR(1000) NOT NULL,
      subject VARCHAR(500) NOT NULL,
      text_body MEDIUMTEXT NOT NULL,
      message_id VARCHAR(255) NULL,
      KEY idx_mailbox_time (received_at)
    ) ${table}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['mailbox_message', 'outbox_message']) await q.query(`DROP TABLE ${t}`);
    await q.query('DROP TRIGGER audit_event_no_delete');
    await q.query('DROP TRIGGER audit_event_no_update');
    for (const t of ['audit_event', 'staff_account', 'professional', 'registration_counter', 'institution', 'department', 'personnel_category', 'county']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
