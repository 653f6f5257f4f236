import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Tx } from '../../../core/database';
import { SupportDutyBatch } from './batch.entity';

/** The batch table's queries. Progress is written outside the batch's transaction, so the page sees it. */
@Injectable()
export class BatchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(tx: Tx, batch: Pick<SupportDutyBatch, 'institutionCode' | 'lang' | 'filename' | 'content' | 'totalRows'>): Promise<string> {
    const result = await tx.getRepository(SupportDutyBatch).insert({ ...batch, status: 'queued', processedRows: 0, createdCases: 0, errors: null, createdAt: new Date() });
    return String(result.identifiers[0].id);
  }

  find(id: string): Promise<SupportDutyBatch | null> {
    return /^\d{1,18}$/.test(id) ? this.dataSource.getRepository(SupportDutyBatch).findOneBy({ id }) : Promise.resolve(null);
  }

  async content(id: string): Promise<string> {
    const row = await this.dataSource.getRepository(SupportDutyBatch).createQueryBuilder('b').addSelect('b.content').where('b.id = :id', { id }).getOneOrFail();
    return row.content;
  }

  async update(id: string, set: Partial<SupportDutyBatch>): Promise<void> {
    await this.dataSource.getRepository(SupportDutyBatch).update({ id }, set);
  }

  recent(institutionCode: string): Promise<SupportDutyBatch[]> {
    return this.dataSource.getRepository(SupportDutyBatch).find({ where: { institutionCode }, order: { id: 'DESC' }, take: 10 });
  }
}
