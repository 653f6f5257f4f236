import { Injectable } from '@nestjs/common';
import type { Tx } from '../../../core/database';
import { AuditService, type AuditActor } from '../../audit';
import { cardsError } from '../cards.errors';
import type { CardReservation } from './card-reservation.entity';
import { IllegalCardTransition, nextCardState, type CardEvent, type CardState } from './card-state';
import type { Card } from './card.entity';
import { CardRepository } from './card.repository';
import { ReservationRepository } from './reservation.repository';

export interface Transition<T> {
  /** The row as the caller read it: its id, state and version. */
  row: T;
  event: CardEvent;
  /** More columns to set in the same UPDATE (e.g. openedAt, decisionReason). */
  set?: Partial<T>;
  /** What changed, for the audit row (never secrets; national IDs masked). */
  summary?: Record<string, unknown>;
  actor?: AuditActor;
}

/**
 * The one place a reservation or a card changes state: the transition must be legal
 * (card-state.ts), the row must still be at the version the caller read (so two concurrent
 * transitions on one card cannot both succeed), and the change is audited in the same
 * transaction. Callers pass their transaction.
 */
@Injectable()
export class CardLifecycle {
  constructor(
    private readonly cards: CardRepository,
    private readonly reservations: ReservationRepository,
    private readonly audit: AuditService,
  ) {}

  async moveReservation(tx: Tx, t: Transition<CardReservation>): Promise<CardState> {
    const from = t.row.status;
    const to = next(from, t.event);
    if (!(await this.reservations.updateState(tx, t.row, from, to, t.set))) throw cardsError.conflict('card-changed', 'cards.errors.changedMeanwhile');
    await this.record(tx, 'card_reservation', t.row.reference, from, to, t);
    return to;
  }

  async moveCard(tx: Tx, t: Transition<Card>): Promise<CardState> {
    const from = t.row.state;
    const to = next(from, t.event);
    if (!(await this.cards.updateState(tx, t.row, from, to, t.set))) throw cardsError.conflict('card-changed', 'cards.errors.changedMeanwhile');
    await this.record(tx, 'card', t.row.cardNumber, from, to, t);
    return to;
  }

  private record(tx: Tx, targetType: string, targetId: string, from: CardState, to: CardState, t: Transition<unknown>): Promise<void> {
    return this.audit.record(tx, { action: `card.${t.event}`, targetType, targetId, summary: { from, to, ...(t.summary ?? {}) }, actor: t.actor });
  }
}

/** The state after `event`; an illegal transition is a 409. */
function next(from: CardState, event: CardEvent): CardState {
  try {
    return nextCardState(from, event);
  } catch (err) {
    if (err instanceof IllegalCardTransition) throw cardsError.conflict('card-transition-illegal', 'cards.errors.transitionIllegal', { state: from, event });
    throw err;
  }
}
