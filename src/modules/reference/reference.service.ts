import { Injectable } from '@nestjs/common';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import type { Tx } from '../../core/database';
import type { County, Department, InsuredPerson, Institution, Professional, RegistrationCounter } from './reference.entity';
import { ReferenceRepository, type CounterSearch, type CountyCounts } from './reference.repository';
import { countyRank } from './data/counties';
import type { Lang } from '../../common/i18n/i18n';

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

  /** The professional registry's row of an insured person (same national ID), if any. */
  professionalOfInsured(insured: InsuredPerson): Promise<Professional | null> {
    return this.repository.professionalByIndex(insured.nationalIdIndex);
  }

  /** The insured person holding an NHI card (by its 12-digit number). */
  insuredByCardNumber(cardNumber: string): Promise<InsuredPerson | null> {
    return this.repository.insuredByCardNumber(cardNumber);
  }

  /** The insured person by the blind index of their national ID (a flow that kept only the index). */
  insuredByNationalIdIndex(nationalIdIndex: string): Promise<InsuredPerson | null> {
    return this.repository.insuredByIndex(nationalIdIndex);
  }

  /** The blind index of a national ID, to remember a person between steps without keeping the ID. */
  nationalIdIndex(nationalId: string): string {
    return this.ids.index(nationalId);
  }

  /** The insured person with a national ID (found by its blind index). */
  insuredByNationalId(nationalId: string): Promise<InsuredPerson | null> {
    return this.repository.insuredByIndex(this.ids.index(nationalId));
  }

  institution(code: string): Promise<Institution | null> {
    return this.repository.institution(code);
  }

  professional(id: number): Promise<Professional | null> {
    return this.repository.professional(id);
  }

  /** The professionals registered to practise at an institution (its own staff). */
  professionalsAt(institutionCode: string): Promise<Professional[]> {
    return this.repository.professionalsAt(institutionCode);
  }

  /** The national ID of a registry row (to show masked; never log it). */
  nationalIdOf(professional: Professional): string {
    return this.ids.reveal(professional.nationalIdCipher);
  }

  /** Institutions by code prefix or part of the name (live search), at most `limit`. */
  searchInstitutions(text: string, limit = 20): Promise<Institution[]> {
    return text ? this.repository.searchInstitutions(text, limit) : Promise.resolve([]);
  }

  activeDepartments(): Promise<Department[]> {
    return this.repository.activeDepartments();
  }

  /** See ReferenceRepository.lockPeopleAndInstitutions: the support-duty quota locks, in the caller's transaction. */
  lockPeopleAndInstitutions(tx: Tx, nationalIdIndexes: string[], institutionCodes: string[]) {
    return this.repository.lockPeopleAndInstitutions(tx, nationalIdIndexes, institutionCodes);
  }

  /** The registry's first row of each person, by the blind indexes of their national IDs (a batch's people at once). */
  professionalsByIndexes(nationalIdIndexes: string[]): Promise<Map<string, Professional>> {
    return this.repository.professionalsByIndexes(nationalIdIndexes);
  }

  /** Institutions by code, those that exist (a batch's institutions at once). */
  institutionsByCodes(codes: string[]): Promise<Map<string, Institution>> {
    return this.repository.institutionsByCodes(codes);
  }

  /** The names of institutions by code (one query), in the page's language. */
  async institutionNames(codes: string[], lang: Lang): Promise<Map<string, string>> {
    const found = await this.institutionsByCodes(codes);
    return new Map([...found].map(([code, i]) => [code, lang === 'en' ? i.nameEn : i.nameZh]));
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
