import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cards: online reservations (card_reservation, where the card's life starts: status 'reserved')
 * and the days the registration counters are closed on a weekday (counter_closed_day: national
 * holidays 2026–2027 per the DGPA office calendar as we know it, and any day staff add, e.g. a
 * typhoon day). Plain SQL that runs on MariaDB 10.11 and MySQL 8 alike.
 */
export class CardsReservations1764028800000 implements MigrationInterface {
  name = 'CardsReservations1764028800000';

  async up(q: QueryRunner): Promise<void> {
    const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE card_reservation (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      reference CHAR(15) NOT NULL,
      card_type VARCHAR(16) NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'reserved',
      national_id_cipher VARCHAR(255) NOT NULL,
      national_id_index CHAR(64) NOT NULL,
      category_code VARCHAR(2) NULL,
      certificate_number CHAR(6) NULL,
      applicant_name VARCHAR(60) NOT NULL,
      professional_id INT NULL,
      institution_code CHAR(10) NULL,
      counter_code VARCHAR(20) NOT NULL,
      counter_county_code VARCHAR(5) NOT NULL,
      counter_date DATE NOT NULL,
      phone VARCHAR(40) NOT NULL,
      email VARCHAR(254) NULL,
      agent_name VARCHAR(60) NULL,
      agent_national_id_cipher VARCHAR(255) NULL,
      agent_national_id_index CHAR(64) NULL,
      user_code_hash VARCHAR(255) NOT NULL,
      mailing_address VARCHAR(200) NOT NULL,
      lang VARCHAR(8) NOT NULL DEFAULT 'zh-TW',
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      version INT NOT NULL DEFAULT 1,
      UNIQUE KEY uq_card_reservation_reference (reference),
      KEY idx_card_reservation_person (national_id_index, status),
      KEY idx_card_reservation_counter (counter_code, counter_date, status),
      CONSTRAINT fk_card_reservation_category FOREIGN KEY (category_code) REFERENCES personnel_category (code),
      CONSTRAINT fk_card_reservation_professional FOREIGN KEY (professional_id) REFERENCES professional (id),
      CONSTRAINT fk_card_reservation_institution FOREIGN KEY (institution_code) REFERENCES institution (code),
      CONSTRAINT fk_card_reservation_counter FOREIGN KEY (counter_code) REFERENCES registration_counter (code),
      CONSTRAINT fk_card_reservation_county FOREIGN KEY (counter_county_code) REFERENCES county (code)
    ) ${table}`);
    await q.query(`CREATE TABLE counter_closed_day (
      day DATE NOT NULL PRIMARY KEY,
      reason_zh VARCHAR(60) NOT NULL,
      reason_en VARCHAR(120) NOT NULL
    ) ${table}`);
    // Weekdays without office hours (weekend holidays are closed anyway; their substitute days are here).
    const days: Array<[string, string, string]> = [
      ['2026-01-01', '開國紀念日', 'Founding Day'],
      ['2026-02-16', '農曆除夕', "Lunar New Year's Eve"],
      ['2026-02-17', '春節', 'Lunar New Year'],
      ['2026-02-18', '春節', 'Lunar New Year'],
      ['2026-02-19', '春節', 'Lunar New Year'],
      ['2026-02-20', '春節補假', 'Lunar New Year (substitute day)'],
      ['2026-02-27', '和平紀念日補假', 'Peace Memorial Day (substitute day)'],
      ['2026-04-03', '兒童節補假', "Children's Day (substitute day)"],
      ['2026-04-06', '民族掃墓節補假', 'Tomb Sweeping Day (substitute day)'],
      ['2026-05-01', '勞動節', 'Labour Day'],
      ['2026-06-19', '端午節', 'Dragon Boat Festival'],
      ['2026-09-25', '中秋節', 'Mid-Autumn Festival'],
      ['2026-09-28', '教師節', "Teachers' Day"],
      ['2026-10-09', '國慶日補假', 'National Day (substitute day)'],
      ['2026-10-26', '臺灣光復暨金門古寧頭大捷紀念日補假', 'Taiwan Retrocession Day (substitute day)'],
      ['2026-12-25', '行憲紀念日', 'Constitution Day'],
      ['2027-01-01', '開國紀念日', 'Founding Day'],
      ['2027-02-04', '農曆除夕前一日', "The day before Lunar New Year's Eve"],
      ['2027-02-05', '農曆除夕', "Lunar New Year's Eve"],
      ['2027-02-08', '春節', 'Lunar New Year'],
      ['2027-02-09', '春節補假', 'Lunar New Year (substitute day)'],
      ['2027-02-10', '春節補假', 'Lunar New Year (substitute day)'],
      ['2027-03-01', '和平紀念日補假', 'Peace Memorial Day (substitute day)'],
      ['2027-04-05', '民族掃墓節', 'Tomb Sweeping Day'],
      ['2027-04-06', '兒童節補假', "Children's Day (substitute day)"],
      ['2027-04-30', '勞動節補假', 'Labour Day (substitute day)'],
      ['2027-06-09', '端午節', 'Dragon Boat Festival'],
      ['2027-09-15', '中秋節', 'Mid-Autumn Festival'],
      ['2027-09-28', '教師節', "Teachers' Day"],
      ['2027-10-11', '國慶日補假', 'National Day (substitute day)'],
      ['2027-10-25', '臺灣光復暨金門古寧頭大捷紀念日', 'Taiwan Retrocession Day'],
      ['2027-12-24', '行憲紀念日補假', 'Constitution Day (substitute day)'],
    ];
    await q.query(`INSERT INTO counter_closed_day (day, reason_zh, reason_en) VALUES ${days.map(() => '(?, ?, ?)').join(', ')}`, days.flat());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE counter_closed_day');
    await q.query('DROP TABLE card_reservation');
  }
}
