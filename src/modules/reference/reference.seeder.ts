import { Injectable } from '@nestjs/common';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { Database, type Tx } from '../../core/database';
import { AuditService, type AuditActor } from '../audit';
import { COUNTIES, DEMO_COUNTERS, DEMO_INSTITUTIONS, DEMO_INSURED, DEMO_PERSONNEL, DEPARTMENTS, PERSONNEL_CATEGORIES } from './data';
import { County, Department, InsuredPerson, Institution, PersonnelCategory, Professional, RegistrationCounter } from './reference.entity';
import { ReferenceRepository } from './reference.repository';

export interface SeedReport {
  /** table → rows inserted (new) and rows already present. */
  tables: Record<string, { inserted: number; present: number }>;
}

/**
 * Seeds the reference data of DOMAIN.md and the synthetic demo data, idempotently: rows that exist
 * (by their natural key) are left as they are, so staff edits survive a re-seed. One transaction,
 * audited as one event.
 */
@Injectable()
export class ReferenceSeeder {
  constructor(
    private readonly repository: ReferenceRepository,
    private readonly database: Database,
    private readonly ids: ProtectedIdCodec,
    private readonly audit: AuditService,
  ) {}

  async seed(options: { demo: boolean; dryRun: boolean; actor: AuditActor }): Promise<SeedReport> {
    const report: SeedReport = { tables: {} };
    const run = async (tx: Tx) => {
      const put = async <T extends ObjectLiteral>(entity: EntityTarget<T>, table: string, key: keyof T & string, rows: T[]) => {
        const existing = await this.repository.existingKeys(tx, entity, key);
        const fresh = rows.filter((r) => !existing.has(String(r[key])));
        if (!options.dryRun) await this.repository.insertAll(tx, entity, fresh);
        report.tables[table] = { inserted: fresh.length, present: rows.length - fresh.length };
      };
      await put(County, 'county', 'code', COUNTIES.map((c) => ({ code: c.code, nameZh: c.nameZh, nameEn: c.nameEn, bureauNameZh: c.healthBureau.nameZh, bureauNameEn: c.healthBureau.nameEn })));
      await put(PersonnelCategory, 'personnel_category', 'code', PERSONNEL_CATEGORIES.map((c) => ({ ...c })));
      await put(Department, 'department', 'code', DEPARTMENTS.map((d) => ({ ...d, active: true })));
      if (options.demo) {
        await put(Institution, 'institution', 'code', DEMO_INSTITUTIONS.map((i) => ({ ...i, weeklySessions: null, email: null })));
        await put(RegistrationCounter, 'registration_counter', 'code', DEMO_COUNTERS.map(({ openingHoursZh, openingHoursEn, ...c }) => ({ ...c, hoursZh: openingHoursZh, hoursEn: openingHoursEn, active: true })));
        const existing = await this.repository.professionalKeys(tx);
        const fresh = DEMO_PERSONNEL.map((p) => ({ p, index: this.ids.index(p.nationalId) })).filter(({ p, index }) => !existing.has(`${index}:${p.categoryCode}`));
        if (!options.dryRun) {
          await this.repository.insertAll(
            tx,
            Professional,
            fresh.map(({ p }) => {
              const id = this.ids.protect(p.nationalId);
              return { nationalIdCipher: id.cipher, nationalIdIndex: id.index, categoryCode: p.categoryCode, certificateNumber: p.certificateNumber, nameZh: p.nameZh, homeInstitutionCode: p.homeInstitutionCode, email: p.email };
            }),
          );
        }
        report.tables.professional = { inserted: fresh.length, present: DEMO_PERSONNEL.length - fresh.length };
        // The insured-person registry, by card number (its natural key).
        const cards = await this.repository.existingKeys(tx, InsuredPerson, 'cardNumber');
        const insured = DEMO_INSURED.filter((p) => !cards.has(p.cardNumber));
        if (!options.dryRun) {
          await this.repository.insertAll(
            tx,
            InsuredPerson,
            insured.map(({ nationalId, ...p }) => {
              const id = this.ids.protect(nationalId);
              return { ...p, nationalIdCipher: id.cipher, nationalIdIndex: id.index };
            }),
          );
        }
        report.tables.insured_person = { inserted: insured.length, present: DEMO_INSURED.length - insured.length };
      }
      const inserted = Object.values(report.tables).reduce((n, t) => n + t.inserted, 0);
      if (!options.dryRun && inserted > 0) {
        await this.audit.record(tx, { action: 'reference.seed', targetType: 'reference', summary: { demo: options.demo, inserted: Object.fromEntries(Object.entries(report.tables).map(([k, v]) => [k, v.inserted])) }, actor: options.actor });
      }
    };
    await this.database.transaction(run);
    return report;
  }
}
