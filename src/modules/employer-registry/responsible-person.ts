import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Principal } from '../../common/context/request-context';
import { validateUnitCode } from '../../common/identifiers';
import { NhiUnitAccounts, type NhiUnitFailure } from '../nhi-card';
import type { InsuredPerson } from '../reference';
import { EmployerRegistryRepository } from './employer-registry.repository';
import { RegistrationRepository } from './registration.repository';

/**
 * A unit's responsible person signing in with their own NHI credential (seed 004: 負責人健保卡 +
 * 註冊密碼 + 投保單位代號, or 健保快易通 OTP): the unit must exist, be registered, and name this
 * person (by the protected national ID's index) as its responsible person. They then act as the
 * unit's manager, their own credential standing for the manager's (decision 0015).
 */
@Injectable()
export class ResponsiblePersonSignIn implements OnModuleInit {
  constructor(
    private readonly units: NhiUnitAccounts,
    private readonly registry: EmployerRegistryRepository,
    private readonly registrations: RegistrationRepository,
  ) {}

  onModuleInit(): void {
    this.units.register((insured, unitCode, credential) => this.signIn(insured, unitCode, credential), { home: '/employers/unit', designate: '/employers/delegation' });
  }

  async signIn(insured: Pick<InsuredPerson, 'nationalIdIndex'>, unitCode: string, credential: string): Promise<Principal | NhiUnitFailure> {
    const checked = validateUnitCode(unitCode);
    if (!checked.ok) return 'unit-code-invalid';
    const unit = await this.registry.byUnitCode(checked.value);
    if (!unit) return 'unit-unknown';
    if (unit.responsibleIdIndex !== insured.nationalIdIndex) return 'not-responsible';
    if (!(await this.registrations.activeFor(unit.unitCode))) return 'unit-not-registered';
    return { kind: 'employer', id: unit.unitCode, role: 'employer_manager', displayName: unit.nameZh, credential, unitCode: unit.unitCode, responsiblePerson: true };
  }
}
