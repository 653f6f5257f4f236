import { Inject, Injectable } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';
import type Redis from 'ioredis';
import type { EntityManager } from 'typeorm';
import { SecretBox } from '../../../common/crypto/secret-box';
import { NotFoundError, TooManyAttemptsError, type FieldError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { validateHcaCardNumber } from '../../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { REDIS } from '../../../core/core.module';
import { AuditService, type AuditActor } from '../../audit/audit.service';
import { RevocationService, type RevocationReason } from '../../certificates/revocation.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { AttemptLimiter, type AttemptSubject } from '../attempt-limiter';
import { CardLifecycle } from '../card-lifecycle.service';
import { ATTEMPT_LIMITS, CardReservationService } from '../card-reservation.service';
import type { Card } from '../card.entity';
import type { ReservationDraft } from '../reservation-draft';
import { CARD_SERVICES_CONFIG, type CardServicesConfig } from './card-services.config';
import { CardServicesRepository } from './card-services.repository';
import { maskEmail, requireService, type CardService } from './card-services-view';
import { CardPresenceService, type PresenceAttempt } from './card-presence.service';
import { UserCodeService, type UserCodePurpose, type UserCodeResult } from './user-code.service';

/** Why a holder revokes a card (the revoke page's choices) and the CRL reason each becomes. */
export const REVOKE_REASONS = ['keyCompromise', 'affiliationChanged', 'cessationOfOperation'] as const satisfies readonly RevocationReason[];
export type RevokeReason = (typeof REVOKE_REASONS)[number];

export function isRevokeReason(value: unknown): value is RevokeReason {
  return typeof value === 'string' && (REVOKE_REASONS as readonly string[]).includes(value);
}

/** A reissue: a reservation draft filled from the card's own application, for the reservation journey. */
export type ReissueDraft = ReservationDraft & Required<Pick<ReservationDraft, 'replacesCardId'>>;

/** User-code reminder requests per session / client address in an hour (every request counts). */
const REMINDER_LIMITS = { perSession: 5, perClient: 30, windowSeconds: 60 * 60 };

/** The holder, as the audit records who acted on a public card-services page. */
function holder(card: Card, credential: 'user-code' | 'card' | 'card-number'): AuditActor {
  return { kind: 'card-holder', id: card.cardNumber, credential };
}

/**
 * The card services by card number (HCA 卡片作業), for a holder who is not signed in: the card
 * number, the user code and (for open and renew) the card itself are the credentials. Finding a
 * card, the user-code check, opening, suspending and resuming, revoking and reporting a card
 * lost, the PUK for an unlock, and the user-code reminder. Every state change goes through
 * CardLifecycle; the certificate's hold, release or revocation commits in the same transaction.
 */
@Injectable()
export class CardServicesService {
  private readonly lookupLimiter: AttemptLimiter;
  private readonly reminderLimiter: AttemptLimiter;
  private readonly pukBox: SecretBox;

  constructor(
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    @Inject(CARD_SERVICES_CONFIG) readonly config: CardServicesConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly repository: CardServicesRepository,
    private readonly lifecycle: CardLifecycle,
    private readonly userCodes: UserCodeService,
    private readonly presence: CardPresenceService,
    private readonly revocation: RevocationService,
    private readonly reservations: CardReservationService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {
    this.lookupLimiter = new AttemptLimiter(redis, 'cards:card-lookup-failures', ATTEMPT_LIMITS);
    this.reminderLimiter = new AttemptLimiter(redis, 'cards:user-code-reminders', REMINDER_LIMITS);
    this.pukBox = new SecretBox(appConfig.dataKey, 'card-puk');
  }

  // ---- finding the card -----------------------------------------------------------------------

  /**
   * The card with the number typed on the entry form (12 digits, with or without "GH", spaces
   * allowed). An unknown number counts against the session's and client's lookup limit.
   */
  async lookup(input: unknown, subject: AttemptSubject): Promise<{ card: Card | null; errors: FieldError[]; value: string }> {
    const raw = typeof input === 'string' ? input : '';
    const number = validateHcaCardNumber(raw);
    if (!number.ok) return { card: null, errors: [{ field: 'cardNumber', messageKey: `cardServices.errors.cardNumber.${number.reason}` }], value: raw.trim() };
    const card = await this.find(number.value, subject);
    if (!card) return { card: null, errors: [{ field: 'cardNumber', messageKey: 'cardServices.errors.cardNumber.unknown' }], value: number.value };
    await this.audit.recordAlone({ action: 'card.lookup', targetType: 'card', targetId: card.cardNumber, actor: holder(card, 'card-number') });
    return { card, errors: [], value: number.value };
  }

  /** The card of a page's URL, or a 404 (counted like a failed lookup). */
  async card(numberParam: string, subject: AttemptSubject): Promise<Card> {
    const number = validateHcaCardNumber(numberParam);
    const card = number.ok ? await this.find(number.value, subject) : null;
    if (!card) throw new NotFoundError('card-not-found', 'cardServices.errors.cardNotFound');
    return card;
  }

  private async find(cardNumber: string, subject: AttemptSubject): Promise<Card | null> {
    if (await this.lookupLimiter.blocked(subject)) throw new TooManyAttemptsError('card-lookup-rate-limited', 'cardServices.errors.rateLimited');
    const card = await this.repository.findByNumber(cardNumber);
    if (!card) {
      await this.lookupLimiter.fail(subject);
      await this.audit.recordAlone({ action: 'card.lookup', outcome: 'failure', targetType: 'card', targetId: cardNumber, summary: { reason: 'unknown' } });
    }
    return card;
  }

  require(card: Card, service: CardService): void {
    requireService(card, service, this.config.renewalWindowDays);
  }

  checkUserCode(card: Card, input: unknown, purpose: UserCodePurpose, subject: AttemptSubject): Promise<UserCodeResult> {
    return this.userCodes.check(card, input, purpose, subject);
  }

  // ---- open (開卡) ------------------------------------------------------------------------------

  issueChallenge(sessionId: string) {
    return this.presence.issueChallenge(sessionId);
  }

  /** The card signed this session's challenge: issued → active. */
  async completeOpen(card: Card, attempt: Omit<PresenceAttempt, 'purpose'>): Promise<void> {
    this.require(card, 'open');
    const der = await this.presence.verify(card, { ...attempt, purpose: 'open' });
    await this.repository.transaction(async (manager) => {
      const row = await this.repository.lock(manager, card.id);
      await this.lifecycle.moveCard(manager, { row, event: 'open', set: { openedAt: new Date() }, summary: { serial: new X509Certificate(der).serialNumber }, actor: holder(card, 'card') });
    });
  }

  // ---- unlock: the PUK ------------------------------------------------------------------------

  /** The card's PUK, for the one page that shows it after the user-code check; audited without the PUK. */
  async releasePuk(card: Card): Promise<string> {
    const puk = this.pukBox.open(card.pukCipher);
    await this.audit.recordAlone({ action: 'card.puk-released', targetType: 'card', targetId: card.cardNumber, actor: holder(card, 'user-code') });
    return puk;
  }

  // ---- suspend, resume, revoke ----------------------------------------------------------------

  /**
   * A state change and its certificate's revocation change in ONE transaction: the card row is
   * locked, CardLifecycle moves it (legal transition, version check, audit), then the
   * RevocationService changes the certificate with the same EntityManager. Either both commit
   * or neither does; the CRL refresh job is in the same transaction's outbox.
   */
  private async transition(
    card: Card,
    event: 'suspend' | 'resume' | 'revoke',
    certificateChange: (certificateId: number, manager: EntityManager, actor: AuditActor) => Promise<unknown>,
    extra: { set?: Partial<Card>; summary?: Record<string, unknown> } = {},
  ): Promise<void> {
    const actor = holder(card, 'user-code');
    await this.repository.transaction(async (manager) => {
      const row = await this.repository.lock(manager, card.id);
      await this.lifecycle.moveCard(manager, { row, event, ...extra, actor });
      if (row.certificateId !== null) await certificateChange(row.certificateId, manager, actor);
    });
  }

  suspend(card: Card): Promise<void> {
    return this.transition(card, 'suspend', (id, manager, actor) => this.revocation.hold(id, { manager, actor }));
  }

  resume(card: Card): Promise<void> {
    return this.transition(card, 'resume', (id, manager, actor) => this.revocation.release(id, { manager, actor }));
  }

  revoke(card: Card, reason: RevokeReason): Promise<void> {
    return this.transition(card, 'revoke', (id, manager, actor) => this.revocation.revoke(id, reason, { manager, actor }), {
      set: { revocationReason: reason },
      summary: { reason },
    });
  }

  /**
   * Report lost and reissue (遺失補發): the card is revoked (keyCompromise) and a reservation
   * draft is filled from the card's own application (the applicant checked against the registry
   * again, the counter, contacts and address as before, the same user code), to finish in the
   * reservation journey with a new counter date. Returns the draft and the step to continue at.
   */
  async reportLost(card: Card, subject: AttemptSubject): Promise<{ draft: ReissueDraft; step: 'details' | 'applicant' }> {
    const reissue = await this.reissueDraft(card, subject);
    await this.revoke(card, 'keyCompromise');
    return reissue;
  }

  private async reissueDraft(card: Card, subject: AttemptSubject): Promise<{ draft: ReissueDraft; step: 'details' | 'applicant' }> {
    const reservation = await this.repository.reservationOf(card);
    const draft: ReissueDraft = { cardType: card.cardType, agreedAt: Date.now(), userCodeHash: card.userCodeHash, replacesCardId: card.id };
    if (!reservation) return { draft, step: 'applicant' };
    const nationalId = this.reservations.revealNationalId(reservation);
    const body =
      card.cardType === 'personnel'
        ? { nationalId, category: reservation.categoryCode ?? '', certificateNumber: reservation.certificateNumber ?? '', name: reservation.applicantName }
        : { institutionCode: reservation.institutionCode ?? '', responsibleName: reservation.applicantName, responsibleNationalId: nationalId };
    const check = await this.reservations.checkApplicant(card.cardType, body, subject);
    draft.details = {
      county: reservation.counterCountyCode,
      counter: reservation.counterCode,
      counterDate: '',
      phone: reservation.phone,
      email: card.email ?? reservation.email ?? '',
      agentName: '',
      agentNationalId: '',
      mailingAddress: reservation.mailingAddress,
    };
    draft.detailsComplete = false;
    if (!check.applicant) return { draft, step: 'applicant' };
    draft.applicant = check.applicant;
    return { draft, step: 'details' };
  }

  // ---- user-code reminder (用戶代碼查詢通知) -----------------------------------------------------

  /**
   * The user code is kept only as a hash, so the reminder is an e-mail to the card's registered
   * address saying where the code is written down and how to have it reset at a counter, never
   * the code. At most CARD_USER_CODE_REMINDERS_PER_DAY per card, and a few per session and
   * client address an hour. Returns the masked address it went to, or null when the card has
   * none.
   */
  async sendUserCodeReminder(card: Card, lang: Lang, subject: AttemptSubject): Promise<{ sentTo: string | null }> {
    if (await this.reminderLimiter.blocked(subject)) throw new TooManyAttemptsError('card-reminder-rate-limited', 'cardServices.errors.rateLimited');
    await this.reminderLimiter.fail(subject);
    const perCard = `cards:user-code-reminders:card:${card.cardNumber}`;
    const [[, count]] = (await this.redis.multi().incr(perCard).expire(perCard, 24 * 60 * 60, 'NX').exec()) as Array<[Error | null, number]>;
    if (count > this.config.userCodeRemindersPerDay) {
      await this.audit.recordAlone({ action: 'card.user-code-reminder', outcome: 'failure', targetType: 'card', targetId: card.cardNumber, summary: { reason: 'rate-limited' } });
      throw new TooManyAttemptsError('card-reminder-card-limited', 'cardServices.errors.reminderLimited', { max: this.config.userCodeRemindersPerDay });
    }
    if (!card.email) {
      await this.audit.recordAlone({ action: 'card.user-code-reminder', outcome: 'failure', targetType: 'card', targetId: card.cardNumber, summary: { reason: 'no-email' } });
      return { sentTo: null };
    }
    const email = card.email;
    const t = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);
    await this.repository.transaction(async (manager) => {
      await this.notifications.sendEmail(manager, {
        to: email,
        template: 'cards.user-code-reminder',
        subject: t('cardServices.reminder.email.subject', { number: card.cardNumber }),
        text: t('cardServices.reminder.email.body', { name: card.holderName, number: card.cardNumber, countersUrl: `${this.appConfig.publicOrigin}/counters`, servicesUrl: `${this.appConfig.publicOrigin}/cards/services/${card.cardNumber}` }),
      });
      await this.audit.record(manager, { action: 'card.user-code-reminder', targetType: 'card', targetId: card.cardNumber, summary: { to: maskEmail(email) }, actor: holder(card, 'card-number') });
    });
    return { sentTo: maskEmail(email) };
  }
}
