import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message received by the development SMTP listener (never used in production). */
@Entity('mailbox_message')
export class MailboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt: Date;

  /** Envelope sender. */
  @Column({ name: 'mail_from', type: 'varchar' })
  mailFrom: string;

  /** Envelope recipients, comma-separated. */
  @Column({ name: 'rcpt_to', type: 'varchar' })
  rcptTo: string;

  @Column({ type: 'varchar' })
  subject: string;

  @Column({ name: 'text_body', type: 'mediumtext' })
  textBody: string;

  @Column({ name: 'message_id', type: 'varchar', nullable: true })
  messageId: string | null;
}
