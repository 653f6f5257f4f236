import { Injectable } from '@nestjs/common';
import type { MailboxMessage } from './mailbox-message.entity';
import { MailboxRepository } from './mailbox.repository';

/** A message as the development SMTP listener received it. */
export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  subject: string;
  text: string;
  messageId: string | null;
}

export const MAILBOX_PAGE_SIZE = 25;

/** The development mailbox: what the dev SMTP listener received, for admins and tests to read. */
@Injectable()
export class MailboxService {
  constructor(private readonly repository: MailboxRepository) {}

  store(mail: ReceivedMail): Promise<string> {
    return this.repository.insert({
      receivedAt: new Date(),
      mailFrom: mail.mailFrom.slice(0, 254),
      rcptTo: mail.rcptTo.join(', ').slice(0, 1000),
      subject: mail.subject.slice(0, 500),
      textBody: mail.text,
      messageId: mail.messageId?.slice(0, 255) ?? null,
    });
  }

  /** Newest first. */
  async list(page: number, pageSize = MAILBOX_PAGE_SIZE): Promise<{ rows: MailboxMessage[]; total: number; pages: number }> {
    const { rows, total } = await this.repository.page(page, pageSize);
    return { rows, total, pages: Math.max(1, Math.ceil(total / pageSize)) };
  }

  /** A message by its id (digits only), or null. */
  get(id: string): Promise<MailboxMessage | null> {
    return /^\d{1,18}$/.test(id) ? this.repository.findById(id) : Promise.resolve(null);
  }
}
