import { Injectable, type OnModuleInit } from '@nestjs/common';
import { visibleTo } from '../../common/access/access-policy';
import type { Principal } from '../../common/context/request-context';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { maskNationalId } from '../../common/identifiers';
import { CertificateAccounts } from '../auth';
import type { ValidationSuccess } from '../certificates';
import { EmployerRegistryRepository } from './employer-registry.repository';
import { registryIdentifier, type EmployerUnit } from './employer-unit.entity';
import { certificateIdentifier, type CertificateIdentifier, type UnitKind } from './unit-kind';

/** What the certificate of a unit says against the registry. */
export type Comparison =
  | { outcome: 'match'; unit: EmployerUnit; identifier: CertificateIdentifier }
  | { outcome: 'mismatch'; unit: EmployerUnit; identifier: CertificateIdentifier | null }
  | { outcome: 'unknown-unit' };

/** A unit as its own people see it (the responsible person's ID masked). */
export interface UnitView {
  unitCode: string;
  kind: UnitKind;
  nameZh: string;
  businessNumber: string | null;
  agencyOid: string | null;
  institutionCode: string | null;
  countyCode: string;
  responsibleIdMasked: string;
  labourInsuranceNumber: string | null;
}

/** The card type on /login whose certificates sign in as a unit. */
export const EMPLOYER_CARD_TYPE = 'employer';

/**
 * The employer registry: a unit by its code, the comparison of an organisation certificate with
 * the unit's record, and the sign-in of a unit with its certificate (registered with the
 * certificate sign-in as the 'employer' card type).
 */
@Injectable()
export class EmployerRegistryService implements OnModuleInit {
  constructor(
    private readonly repository: EmployerRegistryRepository,
    private readonly ids: ProtectedIdCodec,
    private readonly accounts: CertificateAccounts,
  ) {}

  onModuleInit(): void {
    this.accounts.register(EMPLOYER_CARD_TYPE, (result, credential) => this.signInAs(result, credential));
  }

  /** The unit whose registry identifier the certificate carries (the first by unit code when several share it), as a principal. */
  async signInAs(result: ValidationSuccess, credential: string): Promise<Principal | null> {
    const identifier = certificateIdentifier(result);
    if (!identifier) return null;
    const [unit] = await this.repository.byIdentifier(identifier);
    if (!unit) return null;
    return { kind: 'employer', id: unit.unitCode, role: 'employer_manager', displayName: unit.nameZh, credential, unitCode: unit.unitCode };
  }

  /** The certificate compared with the record of the unit code typed. */
  async compare(unitCode: string, result: ValidationSuccess): Promise<Comparison> {
    const unit = await this.repository.byUnitCode(unitCode);
    if (!unit) return { outcome: 'unknown-unit' };
    const identifier = certificateIdentifier(result);
    const matches = !!identifier && identifier.kind === unit.kind && identifier.value === registryIdentifier(unit);
    return matches ? { outcome: 'match', unit, identifier } : { outcome: 'mismatch', unit, identifier };
  }

  /** The unit record for a principal of that unit (anyone else: not found). */
  async unitFor(principal: Principal, unitCode: string): Promise<UnitView> {
    const unit = visibleTo(principal, await this.repository.byUnitCode(unitCode), (u) => ({ unitCode: u.unitCode }), 'unit-not-found');
    return this.view(unit);
  }

  /** A unit's name by its code (null: no such unit). */
  async nameOf(unitCode: string): Promise<string | null> {
    return (await this.repository.byUnitCode(unitCode))?.nameZh ?? null;
  }

  /** Whether the national ID is the unit's responsible person's. */
  isResponsiblePerson(unit: Pick<EmployerUnit, 'responsibleIdIndex'>, nationalId: string): boolean {
    return this.ids.index(nationalId) === unit.responsibleIdIndex;
  }

  view(unit: EmployerUnit): UnitView {
    return {
      unitCode: unit.unitCode,
      kind: unit.kind,
      nameZh: unit.nameZh,
      businessNumber: unit.businessNumber,
      agencyOid: unit.agencyOid,
      institutionCode: unit.institutionCode,
      countyCode: unit.countyCode,
      responsibleIdMasked: maskNationalId(this.ids.reveal(unit.responsibleIdCipher)),
      labourInsuranceNumber: unit.labourInsuranceNumber,
    };
  }
}
