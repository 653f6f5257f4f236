import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/context/request-context';
import type { InsuredPerson } from '../reference';
import type { NhiLoginFailure } from './nhi-card.errors';

/** Why a unit's responsible person, whose own credential was accepted, may not act for the unit typed. */
export type NhiUnitFailure = Extract<NhiLoginFailure, 'unit-code-invalid' | 'unit-unknown' | 'unit-not-registered' | 'not-responsible'>;

/**
 * Maps an insured person (proven by NHI card + password or by the one-time code) and the unit
 * code they typed to the unit's principal, or says why not. `credential` is the masked card
 * credential the principal carries.
 */
export type NhiUnitResolver = (insured: InsuredPerson, unitCode: string, credential: string) => Promise<Principal | NhiUnitFailure>;

/** Where a responsible person lands: the unit's page, or (需指派授權管理者 ticked) the designation of its operators. */
export interface NhiUnitLanding {
  home: string;
  designate: string;
}

/**
 * The units a responsible person signs in for (seed 004: 負責人健保卡 / 健保快易通 OTP with the
 * unit code). The employer registry owns the units and registers its resolver when it starts,
 * so the NHI sign-ins need not depend on it (the pattern of CertificateAccounts).
 */
@Injectable()
export class NhiUnitAccounts {
  private resolver: NhiUnitResolver | undefined;
  private landing: NhiUnitLanding = { home: '/', designate: '/' };

  register(resolver: NhiUnitResolver, landing: NhiUnitLanding): void {
    this.resolver = resolver;
    this.landing = landing;
  }

  landingFor(designate: boolean): string {
    return designate ? this.landing.designate : this.landing.home;
  }

  resolve(insured: InsuredPerson, unitCode: string, credential: string): Promise<Principal | NhiUnitFailure> {
    return this.resolver ? this.resolver(insured, unitCode, credential) : Promise.resolve('unit-unknown');
  }
}
