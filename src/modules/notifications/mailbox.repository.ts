import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MailboxMessage } from './mailbox-message.entity';

/** The development mailbox's queries. */
@Injectable()
export class MailboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: Omit<MailboxMessage, 'id'>): Promise<string> {
    const result = await this.dataSource.getRepository(MailboxMessage).insert(row);
    return String(result.identifiers[0].id);
  }

  /** Newest first, without the bodies. */
  async page(page: number, pageSize: number): Promise<{ rows: MailboxMessage[]; total: number }> {
    const [rows, total] = await this.dataSource.getRepository(MailboxMessage).findAndCount({
      select: { id: true, receivedAt: true, mailFrom: true, rcptTo: true, subject: true },
      order: { id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { rows, total };
  }

  findById(id: string): Promise<MailboxMessage | null> {
    return this.dataSource.getRepository(MailboxMessage).findOneBy({ id });
  }
}
