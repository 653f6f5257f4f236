import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MailboxMessage } from './mailbox-message.entity';

/** A message as the development SMTP listener received it. */
export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  subject: string;
  text: string;
  messageId: string | null;
}

/** The development mailbox: what the dev SMTP listener received, for admins and tests to read. */
@Injectable()
export class MailboxService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async store(mail: ReceivedMail): Promise<string> {
    const result = await this.dataSource.getRepository(MailboxMessage).insert({
      receivedAt: new Date(),
      mailFrom: mail.mailFrom.slice(0, 254),
      rcptTo: mail.rcptTo.join(', ').slice(0, 1000),
      subject: mail.subject.slice(0, 500),
      textBody: mail.text,
      messageId: mail.messageId?.slice(0, 255) ?? null,
    });
    return String(result.identifiers[0].id);
  }

  /** Newest first. */
  async list(page: number, pageSize: number): Promise<{ rows: MailboxMessage[]; total: number }> {
    const [rows, total] = await this.dataSource.getRepository(MailboxMessage).findAndCount({
      select: { id: true, receivedAt: true, mailFrom: true, rcptTo: true, subject: true },
      order: { id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { rows, total };
  }

  get(id: string): Promise<MailboxMessage | null> {
    return this.dataSource.getRepository(MailboxMessage).findOneBy({ id });
  }
}
