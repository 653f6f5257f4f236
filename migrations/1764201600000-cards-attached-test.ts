import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cards: reservations of an institution's attached cards (醫事機構附卡) and of test cards
 * (醫事憑證測試卡). card_type takes the values 'attached' and 'test'; the extra answers go in
 * nullable columns (NULL for personnel and institution cards). Plain SQL for MariaDB 10.11 and MySQL 8.
 */
export class CardsAttachedTest1764201600000 implements MigrationInterface {
  name = 'CardsAttachedTest1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_reservation
      ADD COLUMN card_count SMALLINT NULL AFTER institution_code,
      ADD COLUMN purpose VARCHAR(200) NULL AFTER card_count,
      ADD COLUMN organisation_name VARCHAR(100) NULL AFTER purpose,
      ADD COLUMN business_number CHAR(8) NULL AFTER organisation_name`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_reservation
      DROP COLUMN business_number,
      DROP COLUMN organisation_name,
      DROP COLUMN purpose,
      DROP COLUMN card_count`);
  }
}
