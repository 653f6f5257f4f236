import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CardReservation } from '../card-reservation.entity';
import { Card } from '../card.entity';

export interface CounterListQuery {
  counterCode: string;
  /** One counter day ('YYYY-MM-DD'), or every day from `from` on. */
  day: string | null;
  from: string;
  page: number;
  pageSize: number;
}

/** The counter pages' queries. */
@Injectable()
export class CounterRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A counter's reservations of one day or from a day on, by date then in the order they were made. */
  async reservations(query: CounterListQuery): Promise<{ rows: CardReservation[]; total: number }> {
    const qb = this.dataSource.getRepository(CardReservation).createQueryBuilder('r').where('r.counterCode = :counter', { counter: query.counterCode });
    if (query.day) qb.andWhere('r.counterDate = :day', { day: query.day });
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

  findByReference(reference: string): Promise<CardReservation | null> {
    return this.dataSource.getRepository(CardReservation).findOneBy({ reference });
  }

  /** The reservation as this transaction sees it (after its own changes). */
  reservationIn(manager: EntityManager, id: string): Promise<CardReservation> {
    return manager.findOneByOrFail(CardReservation, { id });
  }

  cardOf(reservationId: string): Promise<Card | null> {
    return this.dataSource.getRepository(Card).findOneBy({ reservationId });
  }
}
