import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { parseWebEidToken, WebEidTokenFormatError, type WebEidAuthToken } from '../../shared/web-eid';
import type { Principal } from '../../common/context/request-context';
import { DomainError, type ErrorKind } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { REDIS } from '../../core/core.module';
import { AuditService } from '../audit/audit.service';
import { TrustStoreService } from '../certificates/trust-store.service';
import type { CredentialFamily, ValidationSuccess } from '../certificates/validation';
import { ReferenceService } from '../reference/reference.service';
import { ChallengeService } from './challenge.service';
import { StaffService } from './staff.service';
import { checkWebEidSignature } from './web-eid-signature';

/** The card types on the login page, and the credential families each may present. */
export const CARD_TYPES = {
  personnel: ['hca-personnel'],
  institution: ['hca-institution'],
  citizen: ['moica-citizen'],
} as const satisfies Record<string, readonly CredentialFamily[]>;
export type CardType = keyof typeof CARD_TYPES;

export function isCardType(value: unknown): value is CardType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CARD_TYPES, value);
}

/** Why a certificate sign-in was refused: each failure has its own code and catalog message login.errors.<code>. */
export class LoginRefused extends DomainError {
  readonly kind: ErrorKind;
  constructor(code: string, status: 400 | 401 | 403 | 429 = 401) {
    super(code, `login.errors.${code}`);
    this.kind = status === 429 ? 'too-many' : status === 400 ? 'bad-request' : 'forbidden';
  }
}

export interface LoginAttempt {
  token: unknown;
  challenge: unknown;
  cardType: unknown;
  sessionId: string;
  /** The Origin header the browser sent. */
  origin: string | undefined;
  clientIp: string | null;
  fromIntranet: boolean;
}

/**
 * Certificate sign-in with a Web eID token: the token's shape, the page's origin, the challenge
 * (this session's, fresh, unused), the signature over hash(origin) || hash(challenge), the
 * certificate (path to an enabled anchor, validity, key usage, family, revocation) and then the
 * account the certificate belongs to. Every attempt is audited; failures are rate-limited per
 * client address and per certificate.
 */
@Injectable()
export class CertificateLoginService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly challenges: ChallengeService,
    private readonly trustStore: TrustStoreService,
    private readonly reference: ReferenceService,
    private readonly staff: StaffService,
    private readonly audit: AuditService,
  ) {}

  async login(attempt: LoginAttempt): Promise<Principal> {
    let certificate: { fingerprint: string; serial?: string; issuer?: string; family?: string | null } | null = null;
    try {
      await this.checkRate('client', attempt.clientIp ?? 'unknown', this.config.loginRateLimit.perClient);
      const token = this.parse(attempt.token);
      const der = Buffer.from(token.unverifiedCertificate, 'base64');
      certificate = { fingerprint: createHash('sha256').update(der).digest('hex') };
      await this.checkRate('certificate', certificate.fingerprint, this.config.loginRateLimit.perCertificate);
      if (!isCardType(attempt.cardType)) throw new LoginRefused('card-type-unknown', 400);
      if (attempt.origin !== this.config.publicOrigin) throw new LoginRefused('origin-mismatch', 403);
      if (typeof attempt.challenge !== 'string') throw new LoginRefused('challenge-unknown');
      const outcome = await this.challenges.consume(attempt.challenge, attempt.sessionId);
      if (outcome !== 'ok') throw new LoginRefused(`challenge-${outcome}`);
      this.verifySignature(token, der, attempt.challenge);

      const result = await this.trustStore.validate(der, { purpose: 'client-auth' });
      if (!result.valid) throw new LoginRefused(`certificate-${result.code}`);
      certificate = { fingerprint: result.fingerprint, serial: result.serialNumber, issuer: result.issuer, family: result.family };
      if (!result.family || !(CARD_TYPES[attempt.cardType] as readonly string[]).includes(result.family)) throw new LoginRefused('card-type-mismatch');
      const principal = await this.accountFor(result);
      if (!principal) throw new LoginRefused('no-account', 403);
      if (principal.kind === 'staff' && !attempt.fromIntranet) throw new LoginRefused('intranet-only', 403);

      await this.audit.recordAlone({
        action: 'auth.certificate-login',
        targetType: principal.kind,
        targetId: principal.id,
        summary: { family: result.family, serial: result.serialNumber, issuer: result.issuer, cardType: attempt.cardType },
        actor: principal,
      });
      return principal;
    } catch (err) {
      const refusal = err instanceof LoginRefused ? err : null;
      if (!refusal) throw err;
      await this.countFailure(attempt.clientIp ?? 'unknown', certificate?.fingerprint);
      await this.audit.recordAlone({
        action: 'auth.certificate-login',
        outcome: 'failure',
        targetType: 'certificate',
        targetId: certificate?.serial ?? certificate?.fingerprint.slice(0, 40),
        summary: { code: refusal.code, cardType: typeof attempt.cardType === 'string' ? attempt.cardType.slice(0, 20) : null, ...(certificate ?? {}) },
        actor: { kind: 'certificate', credential: certificate?.serial ? `${certificate.serial}@${certificate.issuer}` : null },
      });
      throw refusal;
    }
  }

  private parse(token: unknown): WebEidAuthToken {
    try {
      return parseWebEidToken(token);
    } catch (err) {
      if (err instanceof WebEidTokenFormatError) throw new LoginRefused('token-malformed', 400);
      throw err;
    }
  }

  /** The card's signature over hash(origin) || hash(challenge), with the key in the presented certificate. */
  private verifySignature(token: WebEidAuthToken, der: Buffer, challenge: string): void {
    const check = checkWebEidSignature(token, der, this.config.publicOrigin, challenge);
    if (check !== 'ok') throw new LoginRefused(check);
  }

  /** personnel card → the professional by national ID; institution card → the institution by its code; citizen certificate → a staff account bound to it. */
  private async accountFor(result: ValidationSuccess): Promise<Principal | null> {
    const credential = `${result.serialNumber}@${result.issuer}`;
    switch (result.family) {
      case 'hca-personnel': {
        const person = result.subject.serialNumber ? await this.reference.professionalByNationalId(result.subject.serialNumber) : null;
        return person ? { kind: 'personnel', id: String(person.id), role: 'personnel', displayName: person.nameZh, credential } : null;
      }
      case 'hca-institution': {
        const institution = result.subject.serialNumber ? await this.reference.institution(result.subject.serialNumber) : null;
        return institution ? { kind: 'institution', id: institution.code, role: 'institution', displayName: institution.nameZh, credential } : null;
      }
      case 'moica-citizen': {
        const account = await this.staff.findByCertificate(result.serialNumber, result.issuer);
        return account
          ? { kind: 'staff', id: String(account.id), role: account.role, displayName: account.displayName, credential, countyCode: account.countyCode, counterCode: account.counterCode }
          : null;
      }
      default:
        return null;
    }
  }

  private rateKey(kind: string, subject: string): string {
    return `auth:login-failures:${kind}:${subject}`;
  }

  private async checkRate(kind: 'client' | 'certificate', subject: string, limit: number): Promise<void> {
    const failures = Number((await this.redis.get(this.rateKey(kind, subject))) ?? 0);
    if (failures >= limit) throw new LoginRefused('rate-limited', 429);
  }

  private async countFailure(clientIp: string, fingerprint: string | undefined): Promise<void> {
    const window = this.config.loginRateLimit.windowMinutes * 60;
    const multi = this.redis.multi();
    for (const key of [this.rateKey('client', clientIp), ...(fingerprint ? [this.rateKey('certificate', fingerprint)] : [])]) {
      multi.incr(key).expire(key, window, 'NX');
    }
    await multi.exec();
  }
}
