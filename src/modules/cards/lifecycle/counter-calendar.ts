import { Injectable, Module } from '@nestjs/common';
import { addDays, dayOfWeek, taipeiDay } from '../../../common/time/taipei-day';
import { CardLifecycleModule } from './lifecycle.module';
import { ReservationRepository } from './reservation.repository';

/** The counters' business days: weekdays that are not closed days (holidays, typhoon days…). */
@Injectable()
export class CounterCalendar {
  constructor(private readonly repository: ReservationRepository) {}

  /** The first business day after `day` (Taipei, 'YYYY-MM-DD'; default today). */
  async nextBusinessDay(day: string = taipeiDay()): Promise<string> {
    const closed = new Set(await this.repository.closedDaysBetween(addDays(day, 1), addDays(day, 31)));
    let next = addDays(day, 1);
    while (dayOfWeek(next) === 0 || dayOfWeek(next) === 6 || closed.has(next)) next = addDays(next, 1);
    return next;
  }
}

/** The counters' calendar for other modules (the employer registry's "register again from the next business day"). */
@Module({ imports: [CardLifecycleModule], providers: [CounterCalendar], exports: [CounterCalendar] })
export class CounterCalendarModule {}
