import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SmsMessage } from './sms-message.entity';

/** The loopback SMS sink's queries. */
@Injectable()
export class SmsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: Omit<SmsMessage, 'id'>): Promise<void> {
    await this.dataSource.getRepository(SmsMessage).insert(row);
  }

  /** Newest first. */
  async page(page: number, pageSize: number): Promise<{ rows: SmsMessage[]; total: number }> {
    const [rows, total] = await this.dataSource.getRepository(SmsMessage).findAndCount({ order: { id: 'DESC' }, skip: (page - 1) * pageSize, take: pageSize });
    return { rows, total };
  }
}
