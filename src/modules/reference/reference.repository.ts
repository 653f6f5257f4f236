import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { escapeLike } from '../../core/sql';
import type { Tx } from '../../core/database';
import { County, Department, InsuredPerson, Institution, Professional, RegistrationCounter } from './reference.entity';

export interface CounterSearch {
  countyCode?: string;
  text?: string;
  kind?: RegistrationCounter['kind'];
}

/** Institutions and active registration counters (by kind) in one county. */
export interface CountyCounts {
  code: string;
  nameZh: string;
  nameEn: string;
  institutions: number;
  counters: Record<string, number>;
}

/** The reference tables' queries. */
@Injectable()
export class ReferenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  professionalByIndex(nationalIdIndex: string): Promise<Professional | null> {
    return this.dataSource.getRepository(Professional).findOne({ where: { nationalIdIndex }, order: { id: 'ASC' } });
  }

  insuredByCardNumber(cardNumber: string): Promise<InsuredPerson | null> {
    return this.dataSource.getRepository(InsuredPerson).findOneBy({ cardNumber });
  }

  insuredByIndex(nationalIdIndex: string): Promise<InsuredPerson | null> {
    return this.dataSource.getRepository(InsuredPerson).findOne({ where: { nationalIdIndex }, order: { id: 'DESC' } });
  }

  institution(code: string): Promise<Institution | null> {
    return this.dataSource.getRepository(Institution).findOneBy({ code });
  }

  professional(id: number): Promise<Professional | null> {
    return this.dataSource.getRepository(Professional).findOneBy({ id });
  }

  /** The registry's rows of the professionals registered at an institution, by name. */
  professionalsAt(institutionCode: string): Promise<Professional[]> {
    return this.dataSource.getRepository(Professional).find({ where: { homeInstitutionCode: institutionCode }, order: { nameZh: 'ASC', id: 'ASC' }, take: 2000 });
  }

  /** Institutions whose code starts with, or whose name contains, `text`; at most `limit`, by code. */
  searchInstitutions(text: string, limit: number): Promise<Institution[]> {
    const like = `%${escapeLike(text)}%`;
    return this.dataSource
      .getRepository(Institution)
      .createQueryBuilder('i')
      .where(new Brackets((w) => w.where('i.code LIKE :prefix', { prefix: `${escapeLike(text)}%` }).orWhere('i.nameZh LIKE :like', { like }).orWhere('i.nameEn LIKE :like', { like })))
      .orderBy('i.code', 'ASC')
      .limit(limit)
      .getMany();
  }

  activeDepartments(): Promise<Department[]> {
    return this.dataSource.getRepository(Department).find({ where: { active: true }, order: { code: 'ASC' } });
  }

  /**
   * Locks, until the caller's transaction ends, every registry row of one person (by the blind
   * index) and then one institution's row: the order every support-duty submission takes them in,
   * so concurrent submissions for one person or one institution run one after the other.
   */
  async lockPersonAndInstitution(tx: Tx, nationalIdIndex: string, institutionCode: string): Promise<{ suspended: boolean; weeklySessions: number | null } | null> {
    const people = (await tx.query('SELECT id, suspended FROM professional WHERE national_id_index = ? ORDER BY id FOR UPDATE', [nationalIdIndex])) as Array<{ suspended: number }>;
    const institutions = (await tx.query('SELECT weekly_sessions FROM institution WHERE code = ? FOR UPDATE', [institutionCode])) as Array<{ weekly_sessions: number | null }>;
    if (!people.length || !institutions.length) return null;
    return { suspended: people.some((p) => Number(p.suspended) === 1), weeklySessions: institutions[0].weekly_sessions === null ? null : Number(institutions[0].weekly_sessions) };
  }

  counties(): Promise<County[]> {
    return this.dataSource.getRepository(County).find({ order: { code: 'ASC' } });
  }

  counterExists(code: string): Promise<boolean> {
    return this.dataSource.getRepository(RegistrationCounter).existsBy({ code });
  }

  counter(code: string): Promise<RegistrationCounter | null> {
    return this.dataSource.getRepository(RegistrationCounter).findOneBy({ code });
  }

  /** Active counters, at most 200, by county, kind and code. */
  searchCounters(search: CounterSearch): Promise<RegistrationCounter[]> {
    const qb = this.dataSource.getRepository(RegistrationCounter).createQueryBuilder('c').where('c.active = 1');
    if (search.countyCode) qb.andWhere('c.countyCode = :county', { county: search.countyCode });
    if (search.kind) qb.andWhere('c.kind = :kind', { kind: search.kind });
    if (search.text) {
      const like = `%${escapeLike(search.text)}%`;
      qb.andWhere(new Brackets((w) => w.where('c.nameZh LIKE :like', { like }).orWhere('c.nameEn LIKE :like', { like }).orWhere('c.address LIKE :like', { like })));
    }
    return qb.orderBy('c.countyCode', 'ASC').addOrderBy('c.kind', 'ASC').addOrderBy('c.code', 'ASC').limit(200).getMany();
  }

  /** Every county with its institutions and active counters by kind, counted in the database. */
  async countsByCounty(): Promise<CountyCounts[]> {
    const [counties, institutions, counters] = await Promise.all([
      this.counties(),
      this.dataSource.query('SELECT county_code, COUNT(*) AS n FROM institution GROUP BY county_code') as Promise<Array<{ county_code: string; n: string | number }>>,
      this.dataSource.query('SELECT county_code, kind, COUNT(*) AS n FROM registration_counter WHERE active = 1 GROUP BY county_code, kind') as Promise<Array<{ county_code: string; kind: string; n: string | number }>>,
    ]);
    const byCounty = new Map<string, CountyCounts>(counties.map((c) => [c.code, { code: c.code, nameZh: c.nameZh, nameEn: c.nameEn, institutions: 0, counters: {} }]));
    for (const row of institutions) {
      const county = byCounty.get(row.county_code);
      if (county) county.institutions = Number(row.n);
    }
    for (const row of counters) {
      const county = byCounty.get(row.county_code);
      if (county) county.counters[row.kind] = Number(row.n);
    }
    return [...byCounty.values()];
  }

  // ---- seeding ----------------------------------------------------------------------------------

  /** The values of `key` already present in a table. */
  async existingKeys<T extends ObjectLiteral>(tx: Tx, entity: EntityTarget<T>, key: keyof T & string): Promise<Set<string>> {
    return new Set((await tx.getRepository(entity).find({ select: [key] as never })).map((r) => String(r[key])));
  }

  async insertAll<T extends ObjectLiteral>(tx: Tx, entity: EntityTarget<T>, rows: Array<Partial<T>>): Promise<void> {
    if (rows.length) await tx.getRepository(entity).insert(rows as never);
  }

  /** "blind index:category" of every professional, the registry's natural key. */
  async professionalKeys(tx: Tx): Promise<Set<string>> {
    return new Set((await tx.getRepository(Professional).find({ select: ['nationalIdIndex', 'categoryCode'] })).map((p) => `${p.nationalIdIndex}:${p.categoryCode}`));
  }
}
