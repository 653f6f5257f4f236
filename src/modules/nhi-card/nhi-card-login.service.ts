import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../../common/context/request-context';
import { maskCardNumber } from '../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { AuditService } from '../audit';
import { staffPrincipal, StaffService } from '../auth';
import { ReferenceService, type InsuredPerson } from '../reference';
import type { NhiCardPresentation } from './card-check';
import { NhiCardCredentialService, NhiRefusal } from './nhi-card-credential.service';
import { nhiLoginRefused } from './nhi-card.errors';
import { NhiOtpService, type NhiOtpAttempt } from './nhi-otp.service';
import { NhiUnitAccounts } from './nhi-unit-accounts';

interface SignInContext {
  clientIp: string | null;
  fromIntranet: boolean;
  /** A unit's responsible person signing in for this unit (seed 004); empty: for themselves. */
  unitCode?: string;
}

export interface NhiLoginAttempt extends NhiCardPresentation, SignInContext {
  password: string;
}

export type NhiOtpLoginAttempt = Omit<NhiOtpAttempt, 'clientIp'> & SignInContext & { unitCode: string };

type CredentialType = 'nhi-card+password' | 'nhi-otp';

/** A proven insured person: who, by which card, how. */
interface Proven {
  insured: InsuredPerson;
  cardNumber: string;
  credential: string;
}

/**
 * Sign-in with an NHI credential: the card + the registered password (the fourth card type of
 * /login), or a responsible person's one-time code (/login/nhi-otp). The credential is checked by
 * NhiCardCredentialService / NhiOtpService; the account is then
 * - with a unit code: the unit, for its responsible person (NhiUnitAccounts, owned by the employer
 *   registry);
 * - else a staff operator bound to that NHI card (intranet only), a unit's operator bound to it
 *   (the delegation module, through NhiUnitAccounts), or the professional with the holder's
 *   national ID, the same personnel principal the HCA personnel card gives.
 * Every attempt is audited with the masked card number; refusals are counted per client address
 * by the common limiter.
 */
@Injectable()
export class NhiCardLoginService {
  private readonly failures: RatePolicy<'client'>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly credentials: NhiCardCredentialService,
    private readonly otp: NhiOtpService,
    private readonly units: NhiUnitAccounts,
    private readonly limiter: RateLimiter,
    private readonly staff: StaffService,
    private readonly reference: ReferenceService,
    private readonly audit: AuditService,
  ) {
    const { perClient, windowMinutes } = config.loginRateLimit;
    this.failures = { name: 'nhi:login-failures', windowSeconds: windowMinutes * 60, limits: { client: perClient } };
  }

  login(attempt: NhiLoginAttempt): Promise<Principal> {
    return this.signIn(attempt, 'nhi-card+password', async () => {
      if (!attempt.password) throw new NhiRefusal('password-wrong');
      return this.credentials.cardAndPassword(attempt, attempt.password);
    });
  }

  /** A unit's responsible person: unit code, national ID, birth date and the one-time code (seed 004). */
  loginWithOtp(attempt: NhiOtpLoginAttempt): Promise<Principal> {
    return this.signIn(attempt, 'nhi-otp', () => this.otp.verify(attempt));
  }

  private async signIn(context: SignInContext, credentialType: CredentialType, prove: () => Promise<Proven>): Promise<Principal> {
    const client = context.clientIp ?? 'unknown';
    let cardNumber: string | null = null;
    try {
      if (await this.limiter.blocked(this.failures, { client })) throw new NhiRefusal('rate-limited');
      const proven = await prove();
      cardNumber = proven.cardNumber;
      const principal = context.unitCode ? await this.unitOf(proven, context.unitCode) : await this.accountFor(proven);
      if (principal.kind === 'staff' && !context.fromIntranet) throw new NhiRefusal('intranet-only', cardNumber);
      await this.audit.recordAlone({
        action: 'auth.nhi-card-login',
        targetType: principal.kind,
        targetId: principal.id,
        summary: { card: maskCardNumber(proven.cardNumber), credentialType, ...(context.unitCode ? { unitCode: context.unitCode, as: 'responsible-person' } : {}) },
        actor: principal,
      });
      return principal;
    } catch (err) {
      if (!(err instanceof NhiRefusal)) throw err;
      const card = err.cardNumber ?? cardNumber;
      const kind = credentialType === 'nhi-otp' ? 'nhi-otp' : 'nhi-card';
      await this.limiter.record(this.failures, { client });
      await this.audit.recordAlone({
        action: 'auth.nhi-card-login',
        outcome: 'failure',
        targetType: 'nhi_card',
        targetId: card ? maskCardNumber(card) : undefined,
        summary: { code: err.code, credentialType, ...(context.unitCode ? { unitCode: context.unitCode } : {}), ...(err.detail ? { detail: err.detail } : {}) },
        actor: { kind, credential: card ? `${kind}:${maskCardNumber(card)}` : null },
      });
      throw nhiLoginRefused(err.code);
    }
  }

  /** The unit typed, for its responsible person. */
  private async unitOf(proven: Proven, unitCode: string): Promise<Principal> {
    const unit = await this.units.resolve(proven.insured, unitCode, proven.credential);
    if (typeof unit === 'string') throw new NhiRefusal(unit, proven.cardNumber);
    return unit;
  }

  /** A staff operator bound to the card; else a unit's operator bound to it; else the professional with the holder's national ID. */
  private async accountFor(proven: Proven): Promise<Principal> {
    const operator = await this.staff.findByNhiCard(proven.cardNumber);
    if (operator) return staffPrincipal(operator, proven.credential);
    const unitOperator = await this.units.operatorOf(proven.cardNumber, proven.credential);
    if (unitOperator) return unitOperator;
    const person = await this.reference.professionalOfInsured(proven.insured);
    if (!person) throw new NhiRefusal('no-account', proven.cardNumber);
    return { kind: 'personnel', id: String(person.id), role: 'personnel', displayName: person.nameZh, credential: proven.credential };
  }
}
