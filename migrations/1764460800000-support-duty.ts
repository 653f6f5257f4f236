import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Support duty (報備支援, seed 002) and its county review. The registry gains the suspended
 * practice flag (停業), each institution its weekly session count (the base of the 40% share
 * rule) and a contact address. A case is one filing (draft → submitted → approved | rejected,
 * cancelled, superseded by a change); its periods are expanded into half-day slots, the rows the
 * quota rules count under row locks. Batches (批次登錄) keep their
 * file and every bad row until the job has run, all or nothing. Attachments are kept outside the web root by
 * checksum (the row holds it). Messages are the in-app copy of the decisions' e-mails.
 */
export class SupportDuty1764460800000 implements MigrationInterface {
  name = 'SupportDuty1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE professional ADD COLUMN suspended TINYINT NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE institution ADD COLUMN weekly_sessions INT NULL, ADD COLUMN email VARCHAR(254) NULL');
    await q.query(`CREATE TABLE support_duty_case (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      case_number CHAR(12) NULL,
      status VARCHAR(16) NOT NULL,
      professional_id INT NOT NULL,
      person_index CHAR(64) NOT NULL,
      professional_name VARCHAR(60) NOT NULL,
      category_code VARCHAR(16) NOT NULL,
      certificate_number CHAR(6) NOT NULL,
      home_institution_code CHAR(10) NOT NULL,
      supported_institution_code CHAR(10) NOT NULL,
      county_code VARCHAR(8) NOT NULL,
      department_code VARCHAR(16) NOT NULL,
      purpose VARCHAR(16) NOT NULL,
      purpose_text VARCHAR(200) NULL,
      periods TEXT NOT NULL,
      first_day DATE NOT NULL,
      last_day DATE NOT NULL,
      session_count INT NOT NULL,
      filed_by_kind VARCHAR(16) NOT NULL,
      filed_by_id VARCHAR(32) NOT NULL,
      lang VARCHAR(8) NOT NULL,
      supersedes_case_id BIGINT NULL,
      submitted_at DATETIME(3) NULL,
      decided_at DATETIME(3) NULL,
      decided_by VARCHAR(64) NULL,
      decision_reason VARCHAR(500) NULL,
      cancelled_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_support_duty_case_number (case_number),
      KEY idx_sd_county_queue (county_code, status, submitted_at),
      KEY idx_sd_status_submitted (status, submitted_at),
      KEY idx_sd_home (home_institution_code, status),
      KEY idx_sd_supported (supported_institution_code, status),
      KEY idx_sd_person (person_index, status),
      CONSTRAINT fk_sd_professional FOREIGN KEY (professional_id) REFERENCES professional (id),
      CONSTRAINT fk_sd_home FOREIGN KEY (home_institution_code) REFERENCES institution (code),
      CONSTRAINT fk_sd_supported FOREIGN KEY (supported_institution_code) REFERENCES institution (code),
      CONSTRAINT fk_sd_supersedes FOREIGN KEY (supersedes_case_id) REFERENCES support_duty_case (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE support_duty_slot (
      case_id BIGINT NOT NULL,
      day DATE NOT NULL,
      session VARCHAR(10) NOT NULL,
      week_start DATE NOT NULL,
      person_index CHAR(64) NOT NULL,
      institution_code CHAR(10) NOT NULL,
      PRIMARY KEY (case_id, day, session),
      KEY idx_sd_slot_person (person_index, week_start),
      KEY idx_sd_slot_institution (institution_code, week_start),
      CONSTRAINT fk_sd_slot_case FOREIGN KEY (case_id) REFERENCES support_duty_case (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE support_duty_attachment (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      case_id BIGINT NOT NULL,
      filename VARCHAR(120) NOT NULL,
      content_type VARCHAR(32) NOT NULL,
      size INT NOT NULL,
      sha256 CHAR(64) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY idx_sd_attachment_case (case_id),
      CONSTRAINT fk_sd_attachment_case FOREIGN KEY (case_id) REFERENCES support_duty_case (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE support_duty_batch (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      institution_code CHAR(10) NOT NULL,
      status VARCHAR(16) NOT NULL,
      lang VARCHAR(8) NOT NULL,
      filename VARCHAR(120) NOT NULL,
      content MEDIUMTEXT NOT NULL,
      total_rows INT NOT NULL DEFAULT 0,
      processed_rows INT NOT NULL DEFAULT 0,
      created_cases INT NOT NULL DEFAULT 0,
      errors MEDIUMTEXT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      finished_at DATETIME(3) NULL,
      KEY idx_sd_batch_institution (institution_code, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TABLE support_duty_message (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      recipient_kind VARCHAR(16) NOT NULL,
      recipient_id VARCHAR(32) NOT NULL,
      case_id BIGINT NOT NULL,
      template VARCHAR(64) NOT NULL,
      params TEXT NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY idx_sd_message_recipient (recipient_kind, recipient_id, id),
      CONSTRAINT fk_sd_message_case FOREIGN KEY (case_id) REFERENCES support_duty_case (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE support_duty_message');
    await q.query('DROP TABLE support_duty_batch');
    await q.query('DROP TABLE support_duty_attachment');
    await q.query('DROP TABLE support_duty_slot');
    await q.query('DROP TABLE support_duty_case');
    await q.query('ALTER TABLE institution DROP COLUMN weekly_sessions, DROP COLUMN email');
    await q.query('ALTER TABLE professional DROP COLUMN suspended');
  }
}
