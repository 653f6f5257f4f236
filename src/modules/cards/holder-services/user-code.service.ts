import { Inject, Injectable } from '@nestjs/common';
import type { Attempter } from '../../../common/access/current-principal.decorator';
import { verifySecret } from '../../../common/crypto/secret-hash';
import type { FieldError } from '../../../common/errors/domain-error';
import { validateUserCode } from '../../../common/identifiers';
import { Database } from '../../../core/database';
import { RateLimiter } from '../../../core/rate-limiter';
import { AuditService } from '../../audit';
import { cardsError } from '../cards.errors';
import type { Card } from '../lifecycle/card.entity';
import { CardRepository } from '../lifecycle/card.repository';
import { attemptPolicy, attemptSubject } from '../reservation/card-reservation.service';
import { CARD_SERVICES_CONFIG, type CardServicesConfig } from './holder-services.config';

const USER_CODE_FAILURES = attemptPolicy('cards:user-code-failures');

/** What the user code was checked for (audited with it). */
export type UserCodePurpose = 'open' | 'unlock' | 'suspend' | 'resume' | 'revoke' | 'lost';

export type UserCodeResult = { ok: true } | { ok: false; errors: FieldError[] };

type Outcome = { kind: 'ok' } | { kind: 'wrong'; triesLeft: number } | { kind: 'locked'; until: Date; now: boolean };

function minutesUntil(until: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
}

/**
 * The user-code check (用戶代碼) that guards the card services: the code the holder chose when
 * applying, kept only as a scrypt hash. CARD_USER_CODE_MAX_FAILURES wrong codes in a row lock the
 * check of that card for CARD_USER_CODE_LOCK_MINUTES. The check runs with the card's row locked,
 * so parallel guesses are counted one after the other and none slips past the limit. Every
 * check and the lock are audited; failures also count per session and client address, so one
 * client cannot go through many cards.
 */
@Injectable()
export class UserCodeService {
  constructor(
    private readonly cards: CardRepository,
    private readonly database: Database,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditService,
    @Inject(CARD_SERVICES_CONFIG) private readonly config: CardServicesConfig,
  ) {}

  /**
   * Checks `input` against the card's user code. A malformed code is a form error that costs no
   * try; a wrong one costs one (the message says how many are left); a locked check is a 429.
   */
  async check(card: Card, input: string, purpose: UserCodePurpose, attempter: Attempter): Promise<UserCodeResult> {
    const subject = attemptSubject(attempter);
    const code = validateUserCode(input);
    if (!code.ok) return { ok: false, errors: [{ field: 'userCode', messageKey: `cardServices.errors.userCode.${code.reason === 'empty' ? 'empty' : 'format'}` }] };
    if (await this.limiter.blocked(USER_CODE_FAILURES, subject)) throw cardsError.tooMany('card-user-code-rate-limited', 'cardServices.errors.rateLimited');

    const outcome = await this.database.transaction(async (manager): Promise<Outcome> => {
      const row = await this.cards.lock(manager, card.id);
      const now = new Date();
      const target = { targetType: 'card', targetId: row.cardNumber };
      if (row.userCodeLockedUntil && row.userCodeLockedUntil > now) {
        await this.audit.record(manager, { action: 'card.user-code-check', outcome: 'failure', ...target, summary: { purpose, reason: 'locked', lockedUntil: row.userCodeLockedUntil.toISOString() } });
        return { kind: 'locked', until: row.userCodeLockedUntil, now: false };
      }
      if (await verifySecret(code.value, row.userCodeHash)) {
        if (row.userCodeFailures !== 0 || row.userCodeLockedUntil) await this.cards.setUserCodeFailures(manager, row.id, 0, null);
        await this.audit.record(manager, { action: 'card.user-code-check', ...target, summary: { purpose } });
        return { kind: 'ok' };
      }
      // A lock that has run out starts a new count.
      const failures = (row.userCodeLockedUntil ? 0 : row.userCodeFailures) + 1;
      const max = this.config.userCodeMaxFailures;
      const lockedUntil = failures >= max ? new Date(now.getTime() + this.config.userCodeLockMinutes * 60_000) : null;
      await this.cards.setUserCodeFailures(manager, row.id, failures, lockedUntil);
      await this.audit.record(manager, { action: 'card.user-code-check', outcome: 'failure', ...target, summary: { purpose, reason: 'wrong', failures, triesLeft: Math.max(max - failures, 0) } });
      if (lockedUntil) {
        await this.audit.record(manager, { action: 'card.user-code-locked', ...target, summary: { failures, lockedUntil: lockedUntil.toISOString(), minutes: this.config.userCodeLockMinutes } });
        return { kind: 'locked', until: lockedUntil, now: true };
      }
      return { kind: 'wrong', triesLeft: max - failures };
    });

    if (outcome.kind === 'ok') return { ok: true };
    if (outcome.kind === 'locked') {
      if (outcome.now) await this.limiter.record(USER_CODE_FAILURES, subject);
      throw cardsError.tooMany('card-user-code-locked', 'cardServices.errors.userCode.locked', { minutes: minutesUntil(outcome.until), max: this.config.userCodeMaxFailures });
    }
    await this.limiter.record(USER_CODE_FAILURES, subject);
    return { ok: false, errors: [{ field: 'userCode', messageKey: 'cardServices.errors.userCode.wrong', params: { triesLeft: outcome.triesLeft } }] };
  }
}
