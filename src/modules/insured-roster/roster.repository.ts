import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Like } from 'typeorm';
import type { Tx } from '../../core/database';
import { InsuredMember, SalaryGrade } from './roster.entity';

export interface RosterFilter {
  unitCode: string;
  status?: 'enrolled' | 'withdrawn';
  name?: string;
}

/** The roster's queries. */
@Injectable()
export class RosterRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  grades(): Promise<SalaryGrade[]> {
    return this.dataSource.getRepository(SalaryGrade).find({ order: { grade: 'ASC' } });
  }

  page(filter: RosterFilter, take: number, skip: number): Promise<[InsuredMember[], number]> {
    const where = { unitCode: filter.unitCode, ...(filter.status ? { status: filter.status } : {}), ...(filter.name ? { name: Like(`%${filter.name.replace(/[%_\\]/g, '\\$&')}%`) } : {}) };
    return this.dataSource.getRepository(InsuredMember).findAndCount({ where, order: { id: 'ASC' }, take, skip });
  }

  all(unitCode: string): Promise<InsuredMember[]> {
    return this.dataSource.getRepository(InsuredMember).find({ where: { unitCode }, order: { id: 'ASC' } });
  }

  byId(id: string): Promise<InsuredMember | null> {
    return /^\d{1,18}$/.test(id) ? this.dataSource.getRepository(InsuredMember).findOneBy({ id }) : Promise.resolve(null);
  }

  async activeKeys(unitCode: string): Promise<Set<string>> {
    const rows = await this.dataSource.getRepository(InsuredMember).find({ select: { activeKey: true }, where: { unitCode, status: 'enrolled' } });
    return new Set(rows.map((r) => r.activeKey ?? ''));
  }

  async insertAll(tx: Tx, rows: Array<Omit<InsuredMember, 'id' | 'version'>>): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) await tx.getRepository(InsuredMember).insert(rows.slice(i, i + 1000));
  }

  async update(tx: Tx, id: string, version: number, change: Partial<Omit<InsuredMember, 'id' | 'version'>>): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(InsuredMember)
      .set({ ...change, version: () => 'version + 1' })
      .where('id = :id AND version = :version AND status = :enrolled', { id, version, enrolled: 'enrolled' })
      .execute();
    return (result.affected ?? 0) === 1;
  }
}
