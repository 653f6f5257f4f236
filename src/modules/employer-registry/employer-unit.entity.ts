import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { UnitKind } from './unit-kind';

/**
 * The employer registry (reference data, as the insurers hold it): a unit (要保機關 / 投保單位) by
 * its unit code, its kind and the identifier its organisation certificate must carry (agency
 * OID, business number or institution code), the responsible person's national ID (protected).
 */
@Entity('employer_unit')
export class EmployerUnit {
  @PrimaryGeneratedColumn() id: number;
  @Column({ name: 'unit_code', type: 'varchar' }) unitCode: string;
  @Column({ type: 'varchar' }) kind: UnitKind;
  @Column({ name: 'name_zh', type: 'varchar' }) nameZh: string;
  @Column({ name: 'business_number', type: 'char', nullable: true }) businessNumber: string | null;
  @Column({ name: 'agency_oid', type: 'varchar', nullable: true }) agencyOid: string | null;
  @Column({ name: 'institution_code', type: 'char', nullable: true }) institutionCode: string | null;
  @Column({ name: 'county_code', type: 'varchar' }) countyCode: string;
  @Column({ name: 'responsible_id_cipher', type: 'varchar' }) responsibleIdCipher: string;
  @Column({ name: 'responsible_id_index', type: 'char' }) responsibleIdIndex: string;
  @Column({ name: 'labour_insurance_number', type: 'char', nullable: true }) labourInsuranceNumber: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn() version: number;
}

/** The identifier of a unit its certificate is compared with. */
export function registryIdentifier(unit: Pick<EmployerUnit, 'kind' | 'agencyOid' | 'businessNumber' | 'institutionCode'>): string | null {
  switch (unit.kind) {
    case 'agency':
    case 'organization':
      return unit.agencyOid;
    case 'company':
      return unit.businessNumber;
    case 'institution':
      return unit.institutionCode;
  }
}
