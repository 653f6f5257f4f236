import type { Attempter } from '../../../common/access/current-principal.decorator';
import { Injectable } from '@nestjs/common';
import { RateLimiter } from '../../../core/rate-limiter';
import { AuditService } from '../../audit';
import { TokenProofService, type ProofAttempt } from '../../auth';
import { CertificateIssuer } from '../../certificates';
import { cardsError, type PresenceFailure } from '../cards.errors';
import type { Card } from '../lifecycle/card.entity';
import { attemptPolicy } from '../reservation/card-reservation.service';

const PRESENCE_FAILURES = attemptPolicy('cards:presence-failures');

export interface PresenceAttempt extends ProofAttempt {
  clientIp: string | null;
  /** Which service asked (audited): 'open' | 'renew'. */
  purpose: string;
}

/** Why the card's presence was refused: 400 for a malformed token, otherwise 403 (message cardServices.presence.<code>). */
function presenceRefused(code: PresenceFailure) {
  const key = `cardServices.presence.${code}`;
  return code === 'token-malformed' ? cardsError.badRequest(code, key) : cardsError.forbidden(code, key);
}

/**
 * Proof that the card itself is in the holder's reader, for the services that need it (open,
 * renew): the page got a challenge bound to its session, the reader helper signed it with the
 * card (after the holder's PIN), and the signed token comes back here. The token's origin,
 * challenge and signature are checked as for the certificate sign-in (TokenProofService), and
 * its certificate must be the very certificate this card carries. Failures are audited and
 * rate-limited per session and client address.
 */
@Injectable()
export class CardPresenceService {
  constructor(
    private readonly proofs: TokenProofService,
    private readonly limiter: RateLimiter,
    private readonly issuer: CertificateIssuer,
    private readonly audit: AuditService,
  ) {}

  issueChallenge(attempter: Attempter): Promise<{ challenge: string; expiresAt: Date }> {
    return this.proofs.issueChallenge(attempter);
  }

  /** Returns the card's certificate (DER) as the token presented it. */
  async verify(card: Card, attempt: PresenceAttempt): Promise<Buffer> {
    const subject = { session: attempt.sessionId, client: attempt.clientIp ?? 'unknown' };
    if (await this.limiter.blocked(PRESENCE_FAILURES, subject)) throw cardsError.tooMany('card-presence-rate-limited', 'cardServices.errors.rateLimited');
    const proof = await this.proofs.prove(attempt);
    let failure: PresenceFailure | null = proof.ok ? null : proof.code;
    if (proof.ok) {
      const own = card.certificateId === null ? null : await this.issuer.issued(card.certificateId);
      if (!own || !own.der.equals(proof.der)) failure = 'certificate-not-this-card';
    }
    if (failure || !proof.ok) {
      const code = failure ?? 'token-malformed';
      await this.limiter.record(PRESENCE_FAILURES, subject);
      await this.audit.recordAlone({ action: 'card.presence-check', outcome: 'failure', targetType: 'card', targetId: card.cardNumber, summary: { purpose: attempt.purpose, code } });
      throw presenceRefused(code);
    }
    return proof.der;
  }
}
