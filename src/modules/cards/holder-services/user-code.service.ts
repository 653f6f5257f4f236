import { Inject, Injectable } from '@nestjs/common';
import type { Attempter } from '../../../common/access/current-principal.decorator';
import { verifySecret } from '../../../common/crypto/secret-hash';
import type { FieldError } from '../../../common/errors/domain-error';
import { validateUserCode } from '../../../common/identifiers';
import { Database } from '../../../core/database';
import { RateLimiter, type RatePolicy } from '../../../core/rate-limiter';
import { AuditService } from '../../audit';
import { cardsError } from '../cards.errors';
import type { Card } from '../lifecycle/card.entity';
import { CardRepository } from '../lifecycle/card.repository';
import { attemptPolicy, attemptSubject } from '../reservation/card-reservation.service';
import { CARD_SERVICES_CONFIG, type CardServicesConfig } from './holder-services.config';

const USER_CODE_FAILURES = attemptPolicy('cards:user-code-failures');

/** What the user code was checked for (audited with it). */
export type UserCodePurpose = 'open' | 'unlock' | 'suspend' | 'resume' | 'revoke' | 'lost';

/**
 * The services that protect the holder when the card is lost or stolen: never held up by wrong
 * codes others typed (only this computer's own count can pause them).
 */
export const PROTECTIVE_PURPOSES: readonly UserCodePurpose[] = ['suspend', 'revoke', 'lost'];

export type UserCodeResult = { ok: true } | { ok: false; errors: FieldError[] };

type Outcome = { kind: 'ok' } | { kind: 'wrong'; failures: number } | { kind: 'slowed'; until: Date };

const minutesUntil = (until: Date) => Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));

/**
 * The user-code check (用戶代碼) that guards the card services: the code the holder chose when
 * applying, kept only as a scrypt hash. Wrong codes count two ways (docs/decisions/0009):
 * - per card and computer (client address): CARD_USER_CODE_MAX_FAILURES of them pause that
 *   computer's checks of that card for CARD_USER_CODE_LOCK_MINUTES;
 * - per card, from anyone, in a row: from CARD_USER_CODE_MAX_FAILURES on, each further try of a
 *   service that could take over the card (open, unlock, resume) waits a growing delay (30 s,
 *   doubling, at most CARD_USER_CODE_LOCK_MINUTES). Suspend, revoke and report lost never wait
 *   for it, so nobody who knows a card number can keep its holder from protecting it.
 * The check runs with the card's row locked, so parallel guesses are counted one after the
 * other. Every check, pause and delay is audited; failures also count per session and client
 * address across cards, so one client cannot go through many cards.
 */
@Injectable()
export class UserCodeService {
  private readonly perComputer: RatePolicy<'pair'>;

  constructor(
    private readonly cards: CardRepository,
    private readonly database: Database,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditService,
    @Inject(CARD_SERVICES_CONFIG) private readonly config: CardServicesConfig,
  ) {
    this.perComputer = { name: 'cards:user-code-card-client', windowSeconds: config.userCodeLockMinutes * 60, limits: { pair: config.userCodeMaxFailures } };
  }

  /** The delay before the next try after `failures` wrong codes in a row (none below the limit). */
  delayAfter(failures: number): number {
    const over = failures - this.config.userCodeMaxFailures;
    if (over < 0) return 0;
    return Math.min(this.config.userCodeLockMinutes * 60_000, 30_000 * 2 ** Math.min(over, 20));
  }

  /**
   * Checks `input` against the card's user code. A malformed code is a form error that costs no
   * try; a wrong one costs one (the message says how many this computer has left); a paused or
   * delayed check is a 429 that says what the holder can do meanwhile.
   */
  async check(card: Card, input: string, purpose: UserCodePurpose, attempter: Attempter): Promise<UserCodeResult> {
    const subject = attemptSubject(attempter);
    const pair = { pair: `${card.cardNumber}|${subject.client}` };
    const code = validateUserCode(input);
    if (!code.ok) return { ok: false, errors: [{ field: 'userCode', messageKey: `cardServices.errors.userCode.${code.reason === 'empty' ? 'empty' : 'format'}` }] };
    if (await this.limiter.blocked(USER_CODE_FAILURES, subject)) throw cardsError.tooMany('card-user-code-rate-limited', 'cardServices.errors.rateLimited');
    const target = { targetType: 'card', targetId: card.cardNumber };
    const max = this.config.userCodeMaxFailures;
    const paused = () => cardsError.tooMany('card-user-code-locked', 'cardServices.errors.userCode.locked', { minutes: this.config.userCodeLockMinutes, max });
    if (await this.limiter.blocked(this.perComputer, pair)) {
      await this.audit.recordAlone({ action: 'card.user-code-check', outcome: 'failure', ...target, summary: { purpose, reason: 'locked', scope: 'client' } });
      throw paused();
    }
    const protective = PROTECTIVE_PURPOSES.includes(purpose);

    const outcome = await this.database.transaction(async (tx): Promise<Outcome> => {
      const row = await this.cards.lock(tx, card.id);
      const now = new Date();
      if (!protective && row.userCodeLockedUntil && row.userCodeLockedUntil > now) {
        await this.audit.record(tx, { action: 'card.user-code-check', outcome: 'failure', ...target, summary: { purpose, reason: 'slowed', until: row.userCodeLockedUntil.toISOString() } });
        return { kind: 'slowed', until: row.userCodeLockedUntil };
      }
      if (await verifySecret(code.value, row.userCodeHash)) {
        if (row.userCodeFailures !== 0 || row.userCodeLockedUntil) await this.cards.setUserCodeFailures(tx, row.id, 0, null);
        await this.audit.record(tx, { action: 'card.user-code-check', ...target, summary: { purpose } });
        return { kind: 'ok' };
      }
      const failures = row.userCodeFailures + 1;
      const delay = this.delayAfter(failures);
      const nextTry = delay ? new Date(now.getTime() + delay) : null;
      await this.cards.setUserCodeFailures(tx, row.id, failures, nextTry);
      await this.audit.record(tx, { action: 'card.user-code-check', outcome: 'failure', ...target, summary: { purpose, reason: 'wrong', failures, ...(nextTry ? { nextTry: nextTry.toISOString() } : {}) } });
      return { kind: 'wrong', failures };
    });

    if (outcome.kind === 'ok') return { ok: true };
    if (outcome.kind === 'slowed') throw cardsError.tooMany('card-user-code-slowed', 'cardServices.errors.userCode.slowed', { minutes: minutesUntil(outcome.until) });
    await this.limiter.record(USER_CODE_FAILURES, subject);
    const { pair: mine = 0 } = await this.limiter.record(this.perComputer, pair);
    if (mine >= max) {
      await this.audit.recordAlone({ action: 'card.user-code-locked', ...target, summary: { scope: 'client', failures: mine, minutes: this.config.userCodeLockMinutes } });
      throw paused();
    }
    return { ok: false, errors: [{ field: 'userCode', messageKey: 'cardServices.errors.userCode.wrong', params: { triesLeft: max - mine } }] };
  }
}
