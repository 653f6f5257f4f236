import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DomainError, TooManyAttemptsError, type ErrorKind } from '../../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { REDIS } from '../../../core/core.module';
import { parseWebEidToken, WebEidTokenFormatError } from '../../../shared/web-eid';
import { AuditService } from '../../audit/audit.service';
import { ChallengeService } from '../../auth/challenge.service';
import { checkWebEidSignature } from '../../auth/web-eid-signature';
import { CertificateIssuer } from '../../certificates/certificate-issuer.service';
import { AttemptLimiter } from '../attempt-limiter';
import { ATTEMPT_LIMITS } from '../card-reservation.service';
import type { Card } from '../card.entity';

/** Why the server did not accept that the card itself was present; message cardServices.presence.<code>. */
export class CardPresenceRefused extends DomainError {
  readonly kind: ErrorKind;
  constructor(code: string, kind: ErrorKind = 'forbidden') {
    super(code, `cardServices.presence.${code}`);
    this.kind = kind;
  }
}

export interface PresenceAttempt {
  /** The Web eID token the reader helper returned from POST /sign. */
  token: unknown;
  challenge: unknown;
  sessionId: string;
  /** The Origin header the browser sent. */
  origin: string | undefined;
  clientIp: string | null;
  /** Which service asked (audited): 'open' | 'renew'. */
  purpose: string;
}

/**
 * Proof that the card itself is in the holder's reader, for the services that need it (open,
 * renew): the page got a challenge bound to its session, the reader helper signed it with the
 * card (after the holder's PIN), and the signed token comes back here. The token's origin,
 * challenge (this session's, fresh, unused) and signature are checked as for the certificate
 * sign-in (the same ChallengeService and signature check), and its certificate must be the
 * very certificate this card carries. Failures are audited and rate-limited per session and
 * client address.
 */
@Injectable()
export class CardPresenceService {
  private readonly limiter: AttemptLimiter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) redis: Redis,
    private readonly challenges: ChallengeService,
    private readonly issuer: CertificateIssuer,
    private readonly audit: AuditService,
  ) {
    this.limiter = new AttemptLimiter(redis, 'cards:presence-failures', ATTEMPT_LIMITS);
  }

  issueChallenge(sessionId: string): Promise<{ challenge: string; expiresAt: Date }> {
    return this.challenges.issue(sessionId);
  }

  /** Returns the card's certificate (DER) as the token presented it; throws CardPresenceRefused. */
  async verify(card: Card, attempt: PresenceAttempt): Promise<Buffer> {
    const subject = { sessionId: attempt.sessionId, clientIp: attempt.clientIp };
    if (await this.limiter.blocked(subject)) throw new TooManyAttemptsError('card-presence-rate-limited', 'cardServices.errors.rateLimited');
    try {
      let token;
      try {
        token = parseWebEidToken(attempt.token);
      } catch (err) {
        if (err instanceof WebEidTokenFormatError) throw new CardPresenceRefused('token-malformed', 'bad-request');
        throw err;
      }
      if (attempt.origin !== this.config.publicOrigin) throw new CardPresenceRefused('origin-mismatch');
      if (typeof attempt.challenge !== 'string') throw new CardPresenceRefused('challenge-unknown');
      const outcome = await this.challenges.consume(attempt.challenge, attempt.sessionId);
      if (outcome !== 'ok') throw new CardPresenceRefused(`challenge-${outcome}`);
      const der = Buffer.from(token.unverifiedCertificate, 'base64');
      const signature = checkWebEidSignature(token, der, this.config.publicOrigin, attempt.challenge);
      if (signature !== 'ok') throw new CardPresenceRefused(signature);
      const own = card.certificateId === null ? null : await this.issuer.issued(card.certificateId);
      if (!own || !own.der.equals(der)) throw new CardPresenceRefused('certificate-not-this-card');
      return der;
    } catch (err) {
      if (!(err instanceof CardPresenceRefused)) throw err;
      await this.limiter.fail(subject);
      await this.audit.recordAlone({ action: 'card.presence-check', outcome: 'failure', targetType: 'card', targetId: card.cardNumber, summary: { purpose: attempt.purpose, code: err.code } });
      throw err;
    }
  }
}
