import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In, type EntityTarget, type ObjectLiteral } from 'typeorm';
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
   * Locks, until the caller's transaction ends, every registry row of the people (by blind
   * index) and then the institutions' rows, each set in key order: the order every support-duty
   * submission takes them in (a single case: one person, one institution; a batch: all of its
   * people, then all of its institutions), so submissions that share a person or an institution
   * run one after the other and never wait on each other in a cycle. Returns, per blind index
   * found, whether any of the person's rows is suspended, and per institution found its weekly
   * sessions.
   */
  async lockPeopleAndInstitutions(tx: Tx, nationalIdIndexes: string[], institutionCodes: string[]): Promise<{ suspended: Map<string, boolean>; weeklySessions: Map<string, number | null> }> {
    const suspended = new Map<string, boolean>();
    const weeklySessions = new Map<string, number | null>();
    for (const chunk of chunks([...new Set(nationalIdIndexes)].sort(), LOCK_CHUNK)) {
      const people = (await tx.query('SELECT national_id_index AS idx, suspended FROM professional WHERE national_id_index IN (?) ORDER BY national_id_index, id FOR UPDATE', [chunk])) as Array<{ idx: string; suspended: number }>;
      for (const p of people) suspended.set(p.idx, (suspended.get(p.idx) ?? false) || Number(p.suspended) === 1);
    }
    for (const chunk of chunks([...new Set(institutionCodes)].sort(), LOCK_CHUNK)) {
      const institutions = (await tx.query('SELECT code, weekly_sessions FROM institution WHERE code IN (?) ORDER BY code FOR UPDATE', [chunk])) as Array<{ code: string; weekly_sessions: number | null }>;
      for (const i of institutions) weeklySessions.set(i.code, i.weekly_sessions === null ? null : Number(i.weekly_sessions));
    }
    return { suspended, weeklySessions };
  }

  /** The registry's first row (lowest id) of each person, by the blind indexes of their national IDs. */
  async professionalsByIndexes(nationalIdIndexes: string[]): Promise<Map<string, Professional>> {
    const found = new Map<string, Professional>();
    for (const chunk of chunks([...new Set(nationalIdIndexes)], LOCK_CHUNK)) {
      for (const p of await this.dataSource.getRepository(Professional).find({ where: { nationalIdIndex: In(chunk) }, order: { id: 'ASC' } })) if (!found.has(p.nationalIdIndex)) found.set(p.nationalIdIndex, p);
    }
    return found;
  }

  /** Institutions by code (those that exist). */
  async institutionsByCodes(codes: string[]): Promise<Map<string, Institution>> {
    const found = new Map<string, Institution>();
    for (const chunk of chunks([...new Set(codes)], LOCK_CHUNK)) for (const i of await this.dataSource.getRepository(Institution).findBy({ code: In(chunk) })) found.set(i.code, i);
    return found;
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

const LOCK_CHUNK = 1_000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
