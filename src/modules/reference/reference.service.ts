import { Injectable } from '@nestjs/common';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import type { County, Institution, Professional, RegistrationCounter } from './reference.entity';
import { ReferenceRepository, type CounterSearch, type CountyCounts } from './reference.repository';
import { countyRank } from './data/counties';

export type { CounterSearch, CountyCounts } from './reference.repository';

/** Reference data (counties, categories, departments, institutions, counters) for every module. */
@Injectable()
export class ReferenceService {
  private countiesCache: County[] | null = null;

  constructor(
    private readonly repository: ReferenceRepository,
    private readonly ids: ProtectedIdCodec,
  ) {}

  /** The registry's row(s) for a person, found by the blind index of the national ID (never by the ID itself). */
  professionalByNationalId(nationalId: string): Promise<Professional | null> {
    return this.repository.professionalByIndex(this.ids.index(nationalId));
  }

  institution(code: string): Promise<Institution | null> {
    return this.repository.institution(code);
  }

  /** Counties in the ministry's order (COUNTY_ORDER); they change only with a seed, so they are read once per process. */
  async counties(): Promise<County[]> {
    this.countiesCache ??= (await this.repository.counties()).sort((a, b) => countyRank(a.code) - countyRank(b.code) || a.code.localeCompare(b.code));
    return this.countiesCache;
  }

  async countyExists(code: string): Promise<boolean> {
    return (await this.counties()).some((c) => c.code === code);
  }

  counterExists(code: string): Promise<boolean> {
    return this.repository.counterExists(code);
  }

  /** A counter by its code, active or not. */
  counter(code: string): Promise<RegistrationCounter | null> {
    return this.repository.counter(code);
  }

  /** Counters by county in the ministry's order (COUNTY_ORDER), then as the repository orders them (kind, code). */
  async searchCounters(search: CounterSearch): Promise<RegistrationCounter[]> {
    const rows = await this.repository.searchCounters(search);
    return rows.map((row, i) => ({ row, i })).sort((a, b) => countyRank(a.row.countyCode) - countyRank(b.row.countyCode) || a.i - b.i).map(({ row }) => row);
  }

  /** Institutions and active counters by kind, per county (for the reference summary report). */
  countsByCounty(): Promise<CountyCounts[]> {
    return this.repository.countsByCounty();
  }
}
