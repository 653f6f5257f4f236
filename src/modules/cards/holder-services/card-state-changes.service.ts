import { Injectable } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';
import type { Attempter } from '../../../common/access/current-principal.decorator';
import { Database, type Tx } from '../../../core/database';
import type { AuditActor } from '../../audit';
import { RevocationService, type RevocationReason } from '../../certificates';
import { cardsError } from '../cards.errors';
import { CardLifecycle } from '../lifecycle/card-lifecycle.service';
import type { Card } from '../lifecycle/card.entity';
import { CardRepository } from '../lifecycle/card.repository';
import type { ReservationDraft } from '../lifecycle/reservation-draft';
import { ReservationRepository } from '../lifecycle/reservation.repository';
import { CardReservationService } from '../reservation/card-reservation.service';
import { CardPresenceService, type PresenceAttempt } from './card-presence.service';
import { requireService } from './card-service-rules';
import { CardAccess, holder } from './card-access.service';
import { grant, hasGrant, takeGrant, type CardServicesSession } from './holder-session';

/** Why a holder revokes a card (the revoke page's choices) and the CRL reason each becomes. */
export const REVOKE_REASONS = ['keyCompromise', 'affiliationChanged', 'cessationOfOperation'] as const satisfies readonly RevocationReason[];
export type RevokeReason = (typeof REVOKE_REASONS)[number];

export function isRevokeReason(value: unknown): value is RevokeReason {
  return typeof value === 'string' && (REVOKE_REASONS as readonly string[]).includes(value);
}

/** A reissue: a reservation draft filled from the card's own application, for the reservation journey. */
export type ReissueDraft = ReservationDraft & Required<Pick<ReservationDraft, 'replacesCardId'>>;

/**
 * The holder's changes of a card's state (開卡、暫禁、解除暫禁、註銷、掛失補發), each after its
 * credential (the user code, or the card itself for opening) and each one transition through
 * CardLifecycle; the certificate's hold, release or revocation commits in the same transaction.
 */
@Injectable()
export class CardStateChanges {
  constructor(
    private readonly access: CardAccess,
    private readonly database: Database,
    private readonly cards: CardRepository,
    private readonly reservationRows: ReservationRepository,
    private readonly lifecycle: CardLifecycle,
    private readonly presence: CardPresenceService,
    private readonly revocation: RevocationService,
    private readonly reservations: CardReservationService,
  ) {}

  // ---- open (開卡) ------------------------------------------------------------------------------

  /** After the user-code check: this session may open the card (for a few minutes). */
  allowOpening(session: CardServicesSession, card: Card): void {
    grant(session, card.cardNumber, 'open');
  }

  /** A challenge for the card to sign, for a session whose user code was checked. */
  openingChallenge(session: CardServicesSession, card: Card, attempter: Attempter) {
    this.requireOpening(session, card);
    session.challengeAt = Date.now();
    return this.presence.issueChallenge(attempter);
  }

  /** Whether this session's user code was checked for opening the card, a few minutes ago at most. */
  mayOpen(session: CardServicesSession, card: Card): boolean {
    return hasGrant(session, card.cardNumber, 'open');
  }

  private requireOpening(session: CardServicesSession, card: Card): void {
    if (!this.mayOpen(session, card)) throw cardsError.forbidden('card-user-code-first', 'cardServices.errors.userCodeFirst');
  }

  /** The card signed this session's challenge: issued → active. */
  async open(session: CardServicesSession, card: Card, attempt: Omit<PresenceAttempt, 'purpose'>): Promise<void> {
    this.requireOpening(session, card);
    requireService(card, 'open', this.access.config.renewalWindowDays);
    const der = await this.presence.verify(card, { ...attempt, purpose: 'open' });
    await this.database.transaction(async (tx) => {
      const row = await this.cards.lock(tx, card.id);
      await this.lifecycle.moveCard(tx, { row, event: 'open', set: { openedAt: new Date() }, summary: { serial: new X509Certificate(der).serialNumber }, actor: holder(card, 'card') });
    });
    takeGrant(session, card.cardNumber, 'open');
  }

  // ---- suspend, resume, revoke ----------------------------------------------------------------

  /**
   * A state change and its certificate's revocation change in ONE transaction: the card row is
   * locked, CardLifecycle moves it (legal transition, version check, audit), then the
   * RevocationService changes the certificate in the same transaction. Either both commit or
   * neither does; the CRL refresh job is in the same transaction's outbox.
   */
  private async transition(
    card: Card,
    event: 'suspend' | 'resume' | 'revoke',
    certificateChange: (certificateId: number, tx: Tx, actor: AuditActor) => Promise<unknown>,
    extra: { set?: Partial<Card>; summary?: Record<string, unknown> } = {},
  ): Promise<void> {
    const actor = holder(card, 'user-code');
    await this.database.transaction(async (tx) => {
      const row = await this.cards.lock(tx, card.id);
      await this.lifecycle.moveCard(tx, { row, event, ...extra, actor });
      if (row.certificateId !== null) await certificateChange(row.certificateId, tx, actor);
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
  async reportLost(card: Card, attempter: Attempter): Promise<{ draft: ReissueDraft; step: 'details' | 'applicant' }> {
    const reissue = await this.reissueDraft(card, attempter);
    await this.revoke(card, 'keyCompromise');
    return reissue;
  }

  private async reissueDraft(card: Card, attempter: Attempter): Promise<{ draft: ReissueDraft; step: 'details' | 'applicant' }> {
    const reservation = await this.reservationRows.findById(card.reservationId);
    const draft: ReissueDraft = { cardType: card.cardType, agreedAt: Date.now(), userCodeHash: card.userCodeHash, replacesCardId: card.id };
    if (!reservation) return { draft, step: 'applicant' };
    const nationalId = this.reservations.revealNationalId(reservation);
    const body =
      card.cardType === 'personnel'
        ? { nationalId, category: reservation.categoryCode ?? '', certificateNumber: reservation.certificateNumber ?? '', name: reservation.applicantName }
        : { institutionCode: reservation.institutionCode ?? '', responsibleName: reservation.applicantName, responsibleNationalId: nationalId };
    const check = await this.reservations.checkApplicant(card.cardType, body, attempter);
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
}
