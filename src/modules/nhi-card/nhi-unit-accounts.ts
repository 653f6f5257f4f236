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

/** The operator of a unit bound to this NHI card (the delegation module), or null. */
export type NhiOperatorResolver = (cardNumber: string, credential: string) => Promise<Principal | null>;

/** Where a responsible person lands: the unit's page, or (需指派授權管理者 ticked) the designation of its operators. */
export interface NhiUnitLanding {
  home: string;
  designate: string;
}

/**
 * The units a responsible person signs in for (seed 004: 負責人健保卡 / 健保快易通 OTP with the
 * unit code), and the units' operators bound to an NHI card. The employer registry and the
 * delegation module own them and register their resolvers when they start, so the NHI sign-ins
 * need not depend on them (the pattern of CertificateAccounts).
 */
@Injectable()
export class NhiUnitAccounts {
  private resolver: NhiUnitResolver | undefined;
  private landing: NhiUnitLanding = { home: '/', designate: '/' };

  register(resolver: NhiUnitResolver, landing: NhiUnitLanding): void {
    this.resolver = resolver;
    this.landing = landing;
  }

  private operators: NhiOperatorResolver | undefined;

  /** The delegation module's operators bound to NHI cards (credential type 健保卡). */
  registerOperators(resolver: NhiOperatorResolver): void {
    this.operators = resolver;
  }

  operatorOf(cardNumber: string, credential: string): Promise<Principal | null> {
    return this.operators ? this.operators(cardNumber, credential) : Promise.resolve(null);
  }

  landingFor(designate: boolean): string {
    return designate ? this.landing.designate : this.landing.home;
  }

  resolve(insured: InsuredPerson, unitCode: string, credential: string): Promise<Principal | NhiUnitFailure> {
    return this.resolver ? this.resolver(insured, unitCode, credential) : Promise.resolve('unit-unknown');
  }
}
