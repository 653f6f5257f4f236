import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../../common/context/request-context';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { AuditService } from '../audit';
import { staffPrincipal, StaffService } from '../auth';
import { ReferenceService } from '../reference';
import type { NhiCardPresentation } from './card-check';
import { NhiCardCredentialService, NhiRefusal, type NhiCardHolder } from './nhi-card-credential.service';
import { nhiLoginRefused } from './nhi-card.errors';
import { maskCardNumber } from '../../common/identifiers';

export interface NhiLoginAttempt extends NhiCardPresentation {
  password: string;
  clientIp: string | null;
  fromIntranet: boolean;
}

/**
 * Sign-in with the NHI card + the registered password (the fourth card type of /login). The card
 * and password are checked by NhiCardCredentialService; the account is then an operator bound to
 * that NHI card (intranet only) or else the professional with the card holder's national ID,
 * the same personnel principal the HCA personnel card gives. Every attempt is audited with the
 * masked card number; refusals are counted per client address by the common limiter.
 */
@Injectable()
export class NhiCardLoginService {
  private readonly failures: RatePolicy<'client'>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly credentials: NhiCardCredentialService,
    private readonly limiter: RateLimiter,
    private readonly staff: StaffService,
    private readonly reference: ReferenceService,
    private readonly audit: AuditService,
  ) {
    const { perClient, windowMinutes } = config.loginRateLimit;
    this.failures = { name: 'nhi:login-failures', windowSeconds: windowMinutes * 60, limits: { client: perClient } };
  }

  async login(attempt: NhiLoginAttempt): Promise<Principal> {
    const client = attempt.clientIp ?? 'unknown';
    let cardNumber: string | null = null;
    try {
      if (await this.limiter.blocked(this.failures, { client })) throw new NhiRefusal('rate-limited');
      if (!attempt.password) throw new NhiRefusal('password-wrong');
      const holder = await this.credentials.cardAndPassword(attempt, attempt.password);
      cardNumber = holder.cardNumber;
      const principal = await this.accountFor(holder);
      if (!principal) throw new NhiRefusal('no-account', cardNumber);
      if (principal.kind === 'staff' && !attempt.fromIntranet) throw new NhiRefusal('intranet-only', cardNumber);
      await this.audit.recordAlone({
        action: 'auth.nhi-card-login',
        targetType: principal.kind,
        targetId: principal.id,
        summary: { card: maskCardNumber(holder.cardNumber), credentialType: 'nhi-card+password' },
        actor: principal,
      });
      return principal;
    } catch (err) {
      if (!(err instanceof NhiRefusal)) throw err;
      const card = err.cardNumber ?? cardNumber;
      await this.limiter.record(this.failures, { client });
      await this.audit.recordAlone({
        action: 'auth.nhi-card-login',
        outcome: 'failure',
        targetType: 'nhi_card',
        targetId: card ? maskCardNumber(card) : undefined,
        summary: { code: err.code, credentialType: 'nhi-card+password', ...(err.detail ? { detail: err.detail } : {}) },
        actor: { kind: 'nhi-card', credential: card ? `nhi-card:${maskCardNumber(card)}` : null },
      });
      throw nhiLoginRefused(err.code);
    }
  }

  /** An operator bound to the card; else the professional with the holder's national ID. */
  private async accountFor(holder: NhiCardHolder): Promise<Principal | null> {
    const operator = await this.staff.findByNhiCard(holder.cardNumber);
    if (operator) return staffPrincipal(operator, holder.credential);
    const person = await this.reference.professionalOfInsured(holder.insured);
    return person ? { kind: 'personnel', id: String(person.id), role: 'personnel', displayName: person.nameZh, credential: holder.credential } : null;
  }
}
