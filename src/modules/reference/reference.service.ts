import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { County, Institution, Professional, RegistrationCounter } from './reference.entity';

export interface CounterSearch {
  countyCode?: string;
  text?: string;
  kind?: RegistrationCounter['kind'];
}

/** Reference data (counties, categories, departments, institutions, counters) for every module. */
@Injectable()
export class ReferenceService {
  private countiesCache: County[] | null = null;
  private readonly ids: ProtectedIdCodec;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ids = new ProtectedIdCodec(config.dataKey);
  }

  /** The registry's row(s) for a person, found by the blind index of the national ID (never by the ID itself). */
  async professionalByNationalId(nationalId: string): Promise<Professional | null> {
    return this.dataSource.getRepository(Professional).findOne({ where: { nationalIdIndex: this.ids.index(nationalId) }, order: { id: 'ASC' } });
  }

  async institution(code: string): Promise<Institution | null> {
    return this.dataSource.getRepository(Institution).findOneBy({ code });
  }

  /** Counties change only with a seed, so they are read once per process. */
  async counties(): Promise<County[]> {
    this.countiesCache ??= await this.dataSource.getRepository(County).find({ order: { code: 'ASC' } });
    return this.countiesCache;
  }

  async countyExists(code: string): Promise<boolean> {
    return (await this.counties()).some((c) => c.code === code);
  }

  async counterExists(code: string): Promise<boolean> {
    return this.dataSource.getRepository(RegistrationCounter).existsBy({ code });
  }

  async searchCounters(search: CounterSearch): Promise<RegistrationCounter[]> {
    const qb = this.dataSource.getRepository(RegistrationCounter).createQueryBuilder('c').where('c.active = 1');
    if (search.countyCode) qb.andWhere('c.countyCode = :county', { county: search.countyCode });
    if (search.kind) qb.andWhere('c.kind = :kind', { kind: search.kind });
    if (search.text) {
      const like = `%${search.text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      qb.andWhere(new Brackets((w) => w.where('c.nameZh LIKE :like', { like }).orWhere('c.nameEn LIKE :like', { like }).orWhere('c.address LIKE :like', { like })));
    }
    return qb.orderBy('c.countyCode', 'ASC').addOrderBy('c.kind', 'ASC').addOrderBy('c.code', 'ASC').limit(200).getMany();
  }
}
