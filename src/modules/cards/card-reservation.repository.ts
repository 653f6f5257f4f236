import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, DataSource, type EntityManager } from 'typeorm';
import { CardReservation, CounterClosedDay } from './card-reservation.entity';

/** The cards module's queries. */
@Injectable()
export class CardReservationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, row: Omit<CardReservation, 'id' | 'version'>): Promise<void> {
    await manager.insert(CardReservation, { ...row, version: 1 });
  }

  findByReference(reference: string): Promise<CardReservation | null> {
    return this.dataSource.getRepository(CardReservation).findOneBy({ reference });
  }

  /** Closed weekdays from `first` to `last` inclusive ('YYYY-MM-DD'). */
  async closedDaysBetween(first: string, last: string): Promise<string[]> {
    const rows = await this.dataSource.getRepository(CounterClosedDay).find({ where: { day: Between(first, last) }, order: { day: 'ASC' } });
    return rows.map((r) => r.day);
  }
}
