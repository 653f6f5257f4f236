import { Inject, Injectable } from '@nestjs/common';
import type { Attempter } from '../../common/access/current-principal.decorator';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { parseWebEidToken, WebEidTokenFormatError, type WebEidAuthToken } from '../../shared/web-eid';
import type { ProofFailure } from './auth.errors';
import { ChallengeService } from './challenge.service';
import { checkWebEidSignature } from './web-eid-signature';

export interface ProofAttempt {
  /** The Web eID token the reader helper returned. */
  token: unknown;
  challenge: unknown;
  sessionId: string;
  /** The Origin header the browser sent. */
  origin: string | undefined;
}

/** `der`: the certificate the token presented (unverified), once the token could be read. */
export type Proof = { ok: true; token: WebEidAuthToken; der: Buffer } | { ok: false; code: ProofFailure; der?: Buffer };

/**
 * Proof that a card is in the user's reader, for this session and this site: the token is
 * well-formed, the page's origin is ours, the challenge is this session's (fresh, unused; any
 * presentation uses it up) and the card signed hash(origin) || hash(challenge) with the key of
 * the certificate it presented. Says nothing of whether that certificate is trusted or whose it
 * is: the sign-in and the card services ask that next. Order of the checks: as listed.
 */
@Injectable()
export class TokenProofService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly challenges: ChallengeService,
  ) {}

  /** A challenge for the session's card to sign (rate-limited per session and client). */
  issueChallenge(attempter: Attempter): Promise<{ challenge: string; expiresAt: Date }> {
    return this.challenges.issue(attempter);
  }

  /** The token, read; or null when it is not a Web eID token. */
  read(token: unknown): { token: WebEidAuthToken; der: Buffer } | null {
    try {
      const parsed = parseWebEidToken(token);
      return { token: parsed, der: Buffer.from(parsed.unverifiedCertificate, 'base64') };
    } catch (err) {
      if (err instanceof WebEidTokenFormatError) return null;
      throw err;
    }
  }

  /** Checks a token read with `read` (the caller may look at its certificate in between). */
  async check(read: { token: WebEidAuthToken; der: Buffer }, attempt: Omit<ProofAttempt, 'token'>): Promise<Proof> {
    const fail = (code: ProofFailure): Proof => ({ ok: false, code, der: read.der });
    if (attempt.origin !== this.config.publicOrigin) return fail('origin-mismatch');
    if (typeof attempt.challenge !== 'string') return fail('challenge-unknown');
    const outcome = await this.challenges.consume(attempt.challenge, attempt.sessionId);
    if (outcome !== 'ok') return fail(`challenge-${outcome}`);
    const signature = checkWebEidSignature(read.token, read.der, this.config.publicOrigin, attempt.challenge);
    if (signature !== 'ok') return fail(signature);
    return { ok: true, token: read.token, der: read.der };
  }

  async prove(attempt: ProofAttempt): Promise<Proof> {
    const read = this.read(attempt.token);
    if (!read) return { ok: false, code: 'token-malformed' };
    return this.check(read, attempt);
  }
}
