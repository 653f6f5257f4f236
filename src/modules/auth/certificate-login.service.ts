import type { Attempter } from '../../common/access/current-principal.decorator';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Principal } from '../../common/context/request-context';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { AuditService } from '../audit';
import { TrustStoreService, type CredentialFamily, type ValidationSuccess } from '../certificates';
import { ReferenceService } from '../reference';
import { loginRefused, type LoginFailure } from './auth.errors';
import { CertificateAccounts } from './certificate-accounts';
import { staffPrincipal, StaffService } from './staff.service';
import { TokenProofService } from './token-proof.service';

/** The card types on the login page, and the credential families each may present. */
export const CARD_TYPES = {
  personnel: ['hca-personnel'],
  institution: ['hca-institution'],
  citizen: ['moica-citizen'],
  /** An insured unit's / agency's organisation certificate (its accounts: the employer registry, through CertificateAccounts). */
  employer: ['gca-agency', 'xca-organization', 'moeaca-company', 'hca-institution'],
  /** A unit's operator with their own certificate (its accounts: the delegation module, through CertificateAccounts). */
  operator: ['moica-citizen', 'hca-personnel'],
} as const satisfies Record<string, readonly CredentialFamily[]>;
export type CardType = keyof typeof CARD_TYPES;

export function isCardType(value: unknown): value is CardType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CARD_TYPES, value);
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

class Refusal extends Error {
  constructor(readonly code: LoginFailure) {
    super(code);
  }
}

/**
 * Certificate sign-in with a Web eID token: the token's shape, the page's origin, the challenge
 * (this session's, fresh, unused), the signature over hash(origin) || hash(challenge)
 * (TokenProofService), the certificate (path to an enabled anchor, validity, key usage, family,
 * revocation) and then the account the certificate belongs to. Every attempt is audited;
 * failures are rate-limited per client address, and per certificate only once the card itself
 * signed this session's challenge (a certificate is semi-public: without the card, nobody can
 * spend its holder's tries).
 */
@Injectable()
export class CertificateLoginService {
  private readonly failures: RatePolicy<'client' | 'certificate'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
    private readonly proofs: TokenProofService,
    private readonly trustStore: TrustStoreService,
    private readonly reference: ReferenceService,
    private readonly staff: StaffService,
    private readonly audit: AuditService,
    private readonly accounts: CertificateAccounts,
  ) {
    const { perClient, perCertificate, windowMinutes } = config.loginRateLimit;
    this.failures = { name: 'auth:login-failures', windowSeconds: windowMinutes * 60, limits: { client: perClient, certificate: perCertificate } };
  }

  issueChallenge(attempter: Attempter) {
    return this.proofs.issueChallenge(attempter);
  }

  async login(attempt: LoginAttempt): Promise<Principal> {
    let certificate: { fingerprint: string; serial?: string; issuer?: string; family?: string | null } | null = null;
    /** The card signed this session's challenge: only then does a failure count against its certificate. */
    let proven = false;
    const client = attempt.clientIp ?? 'unknown';
    try {
      if (await this.limiter.blocked(this.failures, { client })) throw new Refusal('rate-limited');
      const read = this.proofs.read(attempt.token);
      if (!read) throw new Refusal('token-malformed');
      certificate = { fingerprint: createHash('sha256').update(read.der).digest('hex') };
      if (!isCardType(attempt.cardType)) throw new Refusal('card-type-unknown');
      const proof = await this.proofs.check(read, attempt);
      if (!proof.ok) throw new Refusal(proof.code);
      proven = true;
      if (await this.limiter.blocked(this.failures, { certificate: certificate.fingerprint })) throw new Refusal('rate-limited');

      const result = await this.trustStore.validate(read.der, { purpose: 'client-auth' });
      if (!result.valid) throw new Refusal(`certificate-${result.code}`);
      certificate = { fingerprint: result.fingerprint, serial: result.serialNumber, issuer: result.issuer, family: result.family };
      if (!result.family || !(CARD_TYPES[attempt.cardType] as readonly string[]).includes(result.family)) throw new Refusal('card-type-mismatch');
      const credential = `${result.serialNumber}@${result.issuer}`;
      // A unit's certificate is the employer registry's to map (registered with CertificateAccounts); the rest are ours.
      const principal = this.accounts.handles(attempt.cardType) ? await this.accounts.resolve(attempt.cardType, result, credential) : await this.accountFor(result);
      if (!principal) throw new Refusal('no-account');
      if ('refused' in principal) throw new Refusal(principal.refused);
      if (principal.kind === 'staff' && !attempt.fromIntranet) throw new Refusal('intranet-only');

      await this.audit.recordAlone({
        action: 'auth.certificate-login',
        targetType: principal.kind,
        targetId: principal.id,
        summary: { family: result.family, serial: result.serialNumber, issuer: result.issuer, cardType: attempt.cardType },
        actor: principal,
      });
      return principal;
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      await this.limiter.record(this.failures, { client, certificate: proven ? certificate?.fingerprint : undefined });
      await this.audit.recordAlone({
        action: 'auth.certificate-login',
        outcome: 'failure',
        targetType: 'certificate',
        targetId: certificate?.serial ?? certificate?.fingerprint.slice(0, 40),
        summary: { code: err.code, cardType: typeof attempt.cardType === 'string' ? attempt.cardType.slice(0, 20) : null, ...(certificate ?? {}) },
        actor: { kind: 'certificate', credential: certificate?.serial ? `${certificate.serial}@${certificate.issuer}` : null },
      });
      throw loginRefused(err.code);
    }
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
        return account ? staffPrincipal(account, credential) : null;
      }
      default:
        return null;
    }
  }
}
