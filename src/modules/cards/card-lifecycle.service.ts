import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConflictError } from '../../common/errors/domain-error';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { CardReservation } from './card-reservation.entity';
import { Card } from './card.entity';
import { IllegalCardTransition, nextCardState, type CardEvent, type CardState } from './card-state';

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
 * transaction. Callers pass their transaction's EntityManager.
 */
@Injectable()
export class CardLifecycle {
  constructor(private readonly audit: AuditService) {}

  moveReservation(manager: EntityManager, t: Transition<CardReservation>): Promise<CardState> {
    return this.move(manager, CardReservation, 'status', 'card_reservation', t.row.reference, t);
  }

  moveCard(manager: EntityManager, t: Transition<Card>): Promise<CardState> {
    return this.move(manager, Card, 'state', 'card', t.row.cardNumber, t);
  }

  private async move<T extends CardReservation | Card>(
    manager: EntityManager,
    entity: new () => T,
    stateColumn: 'status' | 'state',
    targetType: string,
    targetId: string,
    t: Transition<T>,
  ): Promise<CardState> {
    const from = (t.row as unknown as Record<string, CardState>)[stateColumn];
    let to: CardState;
    try {
      to = nextCardState(from, t.event);
    } catch (err) {
      if (err instanceof IllegalCardTransition) {
        throw new ConflictError('card-transition-illegal', 'cards.errors.transitionIllegal', { state: from, event: t.event });
      }
      throw err;
    }
    const result = await manager
      .createQueryBuilder()
      .update(entity)
      .set({ ...(t.set ?? {}), [stateColumn]: to, updatedAt: new Date() } as never)
      .where('id = :id AND version = :version AND ' + `${stateColumn} = :from`, { id: t.row.id, version: t.row.version, from })
      .execute();
    if (!result.affected) throw new ConflictError('card-changed', 'cards.errors.changedMeanwhile');
    await this.audit.record(manager, {
      action: `card.${t.event}`,
      targetType,
      targetId,
      summary: { from, to, ...(t.summary ?? {}) },
      actor: t.actor,
    });
    return to;
  }
}
