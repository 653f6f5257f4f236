import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { Tx } from '../../core/database';
import { EmployerUnit } from './employer-unit.entity';
import type { CertificateIdentifier } from './unit-kind';

const IDENTIFIER_COLUMN = { agency: 'agencyOid', organization: 'agencyOid', company: 'businessNumber', institution: 'institutionCode' } as const;

/** The employer registry's queries. */
@Injectable()
export class EmployerRegistryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  byUnitCode(unitCode: string): Promise<EmployerUnit | null> {
    return this.dataSource.getRepository(EmployerUnit).findOneBy({ unitCode });
  }

  /** The units of a kind whose registry identifier is this one, by unit code. */
  byIdentifier(identifier: CertificateIdentifier): Promise<EmployerUnit[]> {
    return this.dataSource.getRepository(EmployerUnit).find({ where: { kind: identifier.kind, [IDENTIFIER_COLUMN[identifier.kind]]: identifier.value }, order: { unitCode: 'ASC' } });
  }

  async existingCodes(tx: Tx, codes: string[]): Promise<Set<string>> {
    if (codes.length === 0) return new Set();
    const rows = await tx.getRepository(EmployerUnit).find({ select: { unitCode: true }, where: { unitCode: In(codes) } });
    return new Set(rows.map((r) => r.unitCode));
  }

  async insertAll(tx: Tx, units: Array<Omit<EmployerUnit, 'id' | 'version'>>): Promise<void> {
    if (units.length) await tx.getRepository(EmployerUnit).insert(units);
  }
}
