import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { And, In, IsNull, LessThanOrEqual, MoreThan, Not, type Repository } from 'typeorm';
import type { Tx } from '../../../core/database';
import { LIVE_CARD_STATES, type CardState } from './card-state';
import { Card } from './card.entity';

/** The queries on `card`. */
@Injectable()
export class CardRepository {
  constructor(@InjectRepository(Card) private readonly cards: Repository<Card>) {}

  findByNumber(cardNumber: string): Promise<Card | null> {
    return this.cards.findOneBy({ cardNumber });
  }

  /** The card issued for a reservation, if any. */
  forReservation(reservationId: string): Promise<Card | null> {
    return this.cards.findOneBy({ reservationId });
  }

  /** The card's row, locked for the rest of the transaction (state changes, the user-code counter). */
  lock(tx: Tx, id: string): Promise<Card> {
    return tx.getRepository(Card).findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async numberTaken(tx: Tx, cardNumber: string): Promise<boolean> {
    return tx.existsBy(Card, { cardNumber });
  }

  /** Inserts a new card; returns it as stored. */
  async insert(tx: Tx, row: Omit<Card, 'id'>): Promise<Card> {
    await tx.insert(Card, row);
    return tx.findOneByOrFail(Card, { cardNumber: row.cardNumber });
  }

  /**
   * Moves the card from `from` to `to` if it is still at the version read (and in `from`);
   * false when someone changed it meanwhile.
   */
  async updateState(tx: Tx, row: Pick<Card, 'id' | 'version'>, from: CardState, to: CardState, set: Partial<Card> = {}): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(Card)
      .set({ ...set, state: to, updatedAt: new Date() })
      .where('id = :id AND version = :version AND state = :from', { id: row.id, version: row.version, from })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /**
   * Sets the user-code counter and lock. Plain SQL on purpose: the counter is not a change of the
   * card (no version bump), so it never makes a concurrent state change fail as "changed meanwhile".
   */
  async setUserCodeFailures(tx: Tx, id: string, failures: number, lockedUntil: Date | null): Promise<void> {
    await tx.query('UPDATE card SET user_code_failures = ?, user_code_locked_until = ? WHERE id = ?', [failures, lockedUntil, id]);
  }

  /** A renewed certificate: the card now carries it (its validity), and a new expiry reminder may go out. */
  async setCertificate(tx: Tx, card: Card, certificate: { id: number; notBefore: Date; notAfter: Date }): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(Card)
      .set({ certificateId: certificate.id, notBefore: certificate.notBefore, notAfter: certificate.notAfter, expiryRemindedAt: null, updatedAt: new Date() })
      .where('id = :id AND version = :version', { id: card.id, version: card.version })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Active cards with an e-mail address, expiring after `from` and by `until`, not reminded yet. */
  cardsToRemind(from: Date, until: Date): Promise<Card[]> {
    return this.cards.find({
      where: { state: 'active', email: Not(IsNull()), expiryRemindedAt: IsNull(), notAfter: And(MoreThan(from), LessThanOrEqual(until)) },
      order: { notAfter: 'ASC' },
    });
  }

  /** Marks the reminder sent; false when another run did it first. */
  async markReminded(tx: Tx, id: string, at: Date): Promise<boolean> {
    const result = await tx.query('UPDATE card SET expiry_reminded_at = ? WHERE id = ? AND expiry_reminded_at IS NULL', [at, id]);
    return Number((result as { affectedRows?: number }).affectedRows ?? 0) === 1;
  }

  /** Live cards whose certificate has expired (state not yet 'expired'). */
  cardsPastExpiry(now: Date): Promise<Card[]> {
    return this.cards.find({ where: { state: In([...LIVE_CARD_STATES]), notAfter: LessThanOrEqual(now) } });
  }
}
