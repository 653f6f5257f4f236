import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, QueryFailedError, type Repository } from 'typeorm';
import type { Tx } from '../../../core/database';
import { CardReservation, CounterClosedDay } from './card-reservation.entity';
import type { CardState } from './card-state';

export interface CounterListQuery {
  counterCode: string;
  /** One counter day ('YYYY-MM-DD'), or every day from `from` on. */
  day: string | null;
  from: string;
  /** A search instead of the days: one reservation number, or one applicant (the national ID's index), any day. */
  reference?: string | null;
  nationalIdIndex?: string | null;
  page: number;
  pageSize: number;
}

/** The queries on `card_reservation` and the counters' closed days. */
@Injectable()
export class ReservationRepository {
  constructor(
    @InjectRepository(CardReservation) private readonly reservations: Repository<CardReservation>,
    @InjectRepository(CounterClosedDay) private readonly closedDays: Repository<CounterClosedDay>,
  ) {}

  /** Inserts the reservation; false (and nothing written) when its reference is taken already. */
  async insertUnlessReferenceTaken(tx: Tx, row: Omit<CardReservation, 'id' | 'version'>): Promise<boolean> {
    try {
      await tx.insert(CardReservation, { ...row, version: 1 });
      return true;
    } catch (err) {
      if (err instanceof QueryFailedError && /uq_card_reservation_reference/.test(String(err.message))) return false;
      throw err;
    }
  }

  findByReference(reference: string): Promise<CardReservation | null> {
    return this.reservations.findOneBy({ reference });
  }

  findById(id: string): Promise<CardReservation | null> {
    return this.reservations.findOneBy({ id });
  }

  /** The reservation as this transaction sees it (after its own changes). */
  inTransaction(tx: Tx, id: string): Promise<CardReservation> {
    return tx.findOneByOrFail(CardReservation, { id });
  }

  /** A counter's reservations of one day or from a day on, by date then in the order they were made. */
  async atCounter(query: CounterListQuery): Promise<{ rows: CardReservation[]; total: number }> {
    const qb = this.reservations.createQueryBuilder('r').where('r.counterCode = :counter', { counter: query.counterCode });
    if (query.reference) qb.andWhere('r.reference = :reference', { reference: query.reference });
    else if (query.nationalIdIndex) qb.andWhere('r.nationalIdIndex = :idx', { idx: query.nationalIdIndex });
    else if (query.day) qb.andWhere('r.counterDate = :day', { day: query.day });
    else qb.andWhere('r.counterDate >= :from', { from: query.from });
    const [rows, total] = await qb
      .orderBy('r.counterDate', 'ASC')
      .addOrderBy('r.createdAt', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return { rows, total };
  }

  /** An applicant's reservations still to be dealt with (reserved, counter day `from` or later), soonest first; `counterCode` narrows to one counter. */
  pendingOf(nationalIdIndex: string, from: string, counterCode?: string): Promise<CardReservation[]> {
    const qb = this.reservations
      .createQueryBuilder('r')
      .where('r.nationalIdIndex = :idx AND r.status = :status AND r.counterDate >= :from', { idx: nationalIdIndex, status: 'reserved', from });
    if (counterCode) qb.andWhere('r.counterCode = :counter', { counter: counterCode });
    return qb.orderBy('r.counterDate', 'ASC').addOrderBy('r.id', 'ASC').getMany();
  }

  /** How many pending reservations each of these applicants has at the counter (national ID index → count). */
  async pendingCountsAt(counterCode: string, nationalIdIndexes: string[], from: string): Promise<Map<string, number>> {
    if (!nationalIdIndexes.length) return new Map();
    const rows = (await this.reservations
      .createQueryBuilder('r')
      .select('r.nationalIdIndex', 'idx')
      .addSelect('COUNT(*)', 'n')
      .where('r.counterCode = :counter AND r.status = :status AND r.counterDate >= :from AND r.nationalIdIndex IN (:...idx)', { counter: counterCode, status: 'reserved', from, idx: nationalIdIndexes })
      .groupBy('r.nationalIdIndex')
      .getRawMany()) as Array<{ idx: string; n: string | number }>;
    return new Map(rows.map((r) => [r.idx, Number(r.n)]));
  }

  /** Moves the reservation from `from` to `to` if it is still at the version read; false when changed meanwhile. */
  async updateState(tx: Tx, row: Pick<CardReservation, 'id' | 'version'>, from: CardState, to: CardState, set: Partial<CardReservation> = {}): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(CardReservation)
      .set({ ...set, status: to, updatedAt: new Date() })
      .where('id = :id AND version = :version AND status = :from', { id: row.id, version: row.version, from })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Closed weekdays from `first` to `last` inclusive ('YYYY-MM-DD'). */
  async closedDaysBetween(first: string, last: string): Promise<string[]> {
    const rows = await this.closedDays.find({ where: { day: Between(first, last) }, order: { day: 'ASC' } });
    return rows.map((r) => r.day);
  }
}
