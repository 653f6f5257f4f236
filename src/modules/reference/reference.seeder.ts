import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type ObjectLiteral, type EntityTarget } from 'typeorm';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { COUNTIES, DEMO_COUNTERS, DEMO_INSTITUTIONS, DEMO_PERSONNEL, DEPARTMENTS, PERSONNEL_CATEGORIES } from './data';
import { County, Department, Institution, PersonnelCategory, Professional, RegistrationCounter } from './reference.entity';

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
  private readonly ids: ProtectedIdCodec;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly audit: AuditService,
  ) {
    this.ids = new ProtectedIdCodec(config.dataKey);
  }

  async seed(options: { demo: boolean; dryRun: boolean; actor: AuditActor }): Promise<SeedReport> {
    const report: SeedReport = { tables: {} };
    const run = async (manager: EntityManager) => {
      const put = async <T extends ObjectLiteral>(entity: EntityTarget<T>, table: string, key: keyof T & string, rows: T[]) => {
        const existing = new Set((await manager.getRepository(entity).find({ select: [key] as never })).map((r) => String(r[key])));
        const fresh = rows.filter((r) => !existing.has(String(r[key])));
        if (!options.dryRun && fresh.length) await manager.getRepository(entity).insert(fresh as never);
        report.tables[table] = { inserted: fresh.length, present: rows.length - fresh.length };
      };
      await put(County, 'county', 'code', COUNTIES.map((c) => ({ code: c.code, nameZh: c.nameZh, nameEn: c.nameEn, bureauNameZh: c.healthBureau.nameZh, bureauNameEn: c.healthBureau.nameEn })));
      await put(PersonnelCategory, 'personnel_category', 'code', PERSONNEL_CATEGORIES.map((c) => ({ ...c })));
      await put(Department, 'department', 'code', DEPARTMENTS.map((d) => ({ ...d, active: true })));
      if (options.demo) {
        await put(Institution, 'institution', 'code', DEMO_INSTITUTIONS.map((i) => ({ ...i })));
        await put(RegistrationCounter, 'registration_counter', 'code', DEMO_COUNTERS.map(({ openingHoursZh, openingHoursEn, ...c }) => ({ ...c, hoursZh: openingHoursZh, hoursEn: openingHoursEn, active: true })));
        const existing = new Set((await manager.getRepository(Professional).find({ select: ['nationalIdIndex', 'categoryCode'] })).map((p) => `${p.nationalIdIndex}:${p.categoryCode}`));
        const fresh = DEMO_PERSONNEL.map((p) => ({ p, index: this.ids.index(p.nationalId) })).filter(({ p, index }) => !existing.has(`${index}:${p.categoryCode}`));
        if (!options.dryRun && fresh.length) {
          await manager.getRepository(Professional).insert(
            fresh.map(({ p }) => {
              const id = this.ids.protect(p.nationalId);
              return { nationalIdCipher: id.cipher, nationalIdIndex: id.index, categoryCode: p.categoryCode, certificateNumber: p.certificateNumber, nameZh: p.nameZh, homeInstitutionCode: p.homeInstitutionCode, email: p.email };
            }),
          );
        }
        report.tables.professional = { inserted: fresh.length, present: DEMO_PERSONNEL.length - fresh.length };
      }
      const inserted = Object.values(report.tables).reduce((n, t) => n + t.inserted, 0);
      if (!options.dryRun && inserted > 0) {
        await this.audit.record(manager, { action: 'reference.seed', targetType: 'reference', summary: { demo: options.demo, inserted: Object.fromEntries(Object.entries(report.tables).map(([k, v]) => [k, v.inserted])) }, actor: options.actor });
      }
    };
    await this.dataSource.transaction(run);
    return report;
  }
}
