import { Inject, Injectable } from '@nestjs/common';
import { DUMMY_HASH, verifySecret } from '../../common/crypto/secret-hash';
import { maskCardNumber } from '../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Database } from '../../core/database';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { AuditService } from '../audit';
import { ReferenceService, type InsuredPerson } from '../reference';
import { NHI_CARD_CHECK, type NhiCardCheck, type NhiCardPresentation } from './card-check';
import type { NhiCardAccount } from './nhi-card.entity';
import type { NhiLoginFailure } from './nhi-card.errors';
import { NhiCardRepository } from './nhi-card.repository';

/** A refusal inside the NHI card flows, with its code (turned into the error or the field message by the caller). */
export class NhiRefusal extends Error {
  constructor(
    readonly code: NhiLoginFailure,
    /** The card number, once a card was proven present. */
    readonly cardNumber: string | null = null,
    readonly detail?: string,
  ) {
    super(code);
  }
}

/** The holder of a card that was present and whose registered password was right. */
export interface NhiCardHolder {
  cardNumber: string;
  /** 'nhi-card:0000****1234', for audit rows and the principal. */
  credential: string;
  account: NhiCardAccount;
  insured: InsuredPerson;
}

/**
 * The NHI card + registered password check, shared by the sign-in, the password change and the
 * cancellation, and the one the employer registry will call for a unit's responsible person.
 * Order: the card (present, this session's challenge, a genuine NHI card: NHI_CARD_CHECK), its
 * registration (verified, not locked), the pause, then the password. Wrong passwords count only
 * once the card itself was proven present (docs/decisions/0009: nobody without the card can
 * spend its holder's tries): NHI_PASSWORD_MAX_FAILURES in a row pause the card's password check
 * for NHI_PASSWORD_PAUSE_MINUTES; NHI_PASSWORD_MAX_PAUSES pauses within
 * NHI_PASSWORD_PAUSE_WINDOW_HOURS lock it until a forgotten-password reset.
 */
@Injectable()
export class NhiCardCredentialService {
  private readonly failures: RatePolicy<'card'>;
  private readonly paused: RatePolicy<'card'>;
  private readonly pauses: RatePolicy<'card'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NHI_CARD_CHECK) private readonly cards: NhiCardCheck,
    private readonly limiter: RateLimiter,
    private readonly repository: NhiCardRepository,
    private readonly database: Database,
    private readonly reference: ReferenceService,
    private readonly audit: AuditService,
  ) {
    const nhi = config.nhiCard;
    const day = nhi.passwordPauseWindowHours * 3600;
    this.failures = { name: 'nhi:password-failures', windowSeconds: day, limits: { card: nhi.passwordMaxFailures } };
    this.paused = { name: 'nhi:password-paused', windowSeconds: nhi.passwordPauseMinutes * 60, limits: { card: 1 } };
    this.pauses = { name: 'nhi:password-pauses', windowSeconds: day, limits: { card: nhi.passwordMaxPauses } };
  }

  /** The card alone: present, this session's, a genuine NHI card of an insured person. Throws NhiRefusal. */
  async card(presentation: NhiCardPresentation): Promise<{ cardNumber: string; credential: string; insured: InsuredPerson }> {
    const checked = await this.cards.check(presentation);
    if (!checked.ok) throw new NhiRefusal(checked.code, null, checked.detail);
    const insured = await this.reference.insuredByCardNumber(checked.cardNumber);
    if (!insured) throw new NhiRefusal('not-registered', checked.cardNumber, 'not in the insured-person registry');
    return { cardNumber: checked.cardNumber, credential: checked.credential, insured };
  }

  /** The card and its registered password (see the class comment). Throws NhiRefusal. */
  async cardAndPassword(presentation: NhiCardPresentation, password: string, options: { allowPending?: boolean } = {}): Promise<NhiCardHolder> {
    const { cardNumber, credential, insured } = await this.card(presentation);
    const account = await this.repository.byCard(cardNumber);
    if (!account || account.status === 'cancelled') {
      await verifySecret(password, DUMMY_HASH);
      throw new NhiRefusal('not-registered', cardNumber);
    }
    if (account.status !== 'active' && !(options.allowPending && account.status === 'pending')) throw new NhiRefusal('not-verified', cardNumber);
    if (account.lockedAt) throw new NhiRefusal('password-locked', cardNumber);
    if (await this.limiter.blocked(this.paused, { card: cardNumber })) throw new NhiRefusal('password-paused', cardNumber);
    if (!(await verifySecret(password, account.passwordHash))) throw new NhiRefusal(await this.countWrongPassword(account), cardNumber);
    await this.limiter.clear(this.failures, { card: cardNumber });
    return { cardNumber, credential, account, insured };
  }

  /** After a forgotten-password reset: the pause and the run of failures are forgotten. */
  async forgetFailures(cardNumber: string): Promise<void> {
    await this.limiter.clear(this.failures, { card: cardNumber });
    await this.limiter.clear(this.paused, { card: cardNumber });
    await this.limiter.clear(this.pauses, { card: cardNumber });
  }

  private async countWrongPassword(account: NhiCardAccount): Promise<NhiLoginFailure> {
    const card = { card: account.cardNumber };
    const { card: failures = 0 } = await this.limiter.record(this.failures, card);
    if (failures < this.config.nhiCard.passwordMaxFailures) return 'password-wrong';
    await this.limiter.clear(this.failures, card);
    await this.limiter.record(this.paused, card);
    const { card: pauses = 0 } = await this.limiter.record(this.pauses, card);
    if (pauses < this.config.nhiCard.passwordMaxPauses) return 'password-paused';
    await this.database.transaction(async (tx) => {
      await this.repository.lock(tx, account.id);
      await this.audit.record(tx, {
        action: 'nhi-card.password-locked',
        targetType: 'nhi_card_account',
        targetId: account.id,
        summary: { card: maskCardNumber(account.cardNumber), pauses },
        actor: { kind: 'nhi-card', credential: `nhi-card:${maskCardNumber(account.cardNumber)}` },
      });
    });
    return 'password-locked';
  }
}
