import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { And, DataSource, In, IsNull, LessThanOrEqual, MoreThan, Not, type EntityManager } from 'typeorm';
import { CardReservation } from '../card-reservation.entity';
import { LIVE_CARD_STATES } from '../card-state';
import { Card } from '../card.entity';

/** The card services' queries on `card` (and the reservation a card came from). */
@Injectable()
export class CardServicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  findByNumber(cardNumber: string): Promise<Card | null> {
    return this.dataSource.getRepository(Card).findOneBy({ cardNumber });
  }

  /** The card's row, locked for the rest of the transaction (state changes, the user-code counter). */
  async lock(manager: EntityManager, id: string): Promise<Card> {
    return manager.getRepository(Card).findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  reservationOf(card: Card): Promise<CardReservation | null> {
    return this.dataSource.getRepository(CardReservation).findOneBy({ id: card.reservationId });
  }

  /**
   * Sets the user-code counter and lock. Plain SQL on purpose: the counter is not a change of the
   * card (no version bump), so it never makes a concurrent state change fail as "changed meanwhile".
   */
  async setUserCodeFailures(manager: EntityManager, id: string, failures: number, lockedUntil: Date | null): Promise<void> {
    await manager.query('UPDATE card SET user_code_failures = ?, user_code_locked_until = ? WHERE id = ?', [failures, lockedUntil, id]);
  }

  /** A renewed certificate: the card now carries it (its validity), and a new expiry reminder may go out. */
  async setCertificate(manager: EntityManager, card: Card, certificate: { id: number; notBefore: Date; notAfter: Date }): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Card)
      .set({ certificateId: certificate.id, notBefore: certificate.notBefore, notAfter: certificate.notAfter, expiryRemindedAt: null, updatedAt: new Date() })
      .where('id = :id AND version = :version', { id: card.id, version: card.version })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Active cards with an e-mail address, expiring after `from` and by `until`, not reminded yet. */
  cardsToRemind(from: Date, until: Date): Promise<Card[]> {
    return this.dataSource.getRepository(Card).find({
      where: { state: 'active', email: Not(IsNull()), expiryRemindedAt: IsNull(), notAfter: And(MoreThan(from), LessThanOrEqual(until)) },
      order: { notAfter: 'ASC' },
    });
  }

  /** Marks the reminder sent; false when another run did it first. */
  async markReminded(manager: EntityManager, id: string, at: Date): Promise<boolean> {
    const result = await manager.query('UPDATE card SET expiry_reminded_at = ? WHERE id = ? AND expiry_reminded_at IS NULL', [at, id]);
    return Number((result as { affectedRows?: number }).affectedRows ?? 0) === 1;
  }

  /** Live cards whose certificate has expired (state not yet 'expired'). */
  cardsPastExpiry(now: Date): Promise<Card[]> {
    return this.dataSource.getRepository(Card).find({ where: { state: In([...LIVE_CARD_STATES]), notAfter: LessThanOrEqual(now) } });
  }
}
