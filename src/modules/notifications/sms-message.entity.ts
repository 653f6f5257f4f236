import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A text message the loopback SMS sink kept (development and tests only; /admin/sms). */
@Entity('sms_message')
export class SmsMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'sent_at', type: 'datetime', precision: 3 })
  sentAt: Date;

  /** The mobile number, digits only (09xxxxxxxx). */
  @Column({ name: 'to_number', type: 'varchar' })
  toNumber: string;

  @Column({ type: 'varchar' })
  text: string;
}
