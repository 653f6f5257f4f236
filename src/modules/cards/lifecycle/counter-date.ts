// The counter date of a card reservation (臨櫃日期): a business day (Monday to Friday, not a day the
// counters are closed: national holidays, and any day staff add, e.g. a typhoon day), not today,
// not in the past, at most MAX_DAYS_AHEAD days ahead. Calendar days are Taiwan days
// ('YYYY-MM-DD' in Asia/Taipei), whatever the server's time zone.
import { parseDayInput } from '../../../common/i18n/dates';
import { addDays, dayOfWeek } from '../../../common/time/taipei-day';

export { addDays, dayOfWeek, isIsoDay, taipeiDay } from '../../../common/time/taipei-day';

/** How far ahead a counter date may be booked. */
export const MAX_DAYS_AHEAD = 60;

export type CounterDateProblem = 'empty' | 'format' | 'past' | 'today' | 'tooFar' | 'weekend' | 'closed';

export type CounterDateCheck = { ok: true; value: string } | { ok: false; reason: CounterDateProblem };

export interface CounterCalendar {
  /** Today in Taiwan, 'YYYY-MM-DD'. */
  today: string;
  /** Days the counters are closed on a weekday ('YYYY-MM-DD'). */
  closedDays: ReadonlySet<string>;
  /** Default MAX_DAYS_AHEAD. */
  maxDaysAhead?: number;
}

export function isBusinessDay(day: string, closedDays: ReadonlySet<string>): boolean {
  const weekday = dayOfWeek(day);
  return weekday !== 0 && weekday !== 6 && !closedDays.has(day);
}

/** The last day that may be booked. */
export function lastBookableDay(calendar: CounterCalendar): string {
  return addDays(calendar.today, calendar.maxDaysAhead ?? MAX_DAYS_AHEAD);
}

/** The first business day after today (the earliest counter date), or null if none is in range. */
export function firstBookableDay(calendar: CounterCalendar): string | null {
  const last = lastBookableDay(calendar);
  for (let day = addDays(calendar.today, 1); day <= last; day = addDays(day, 1)) {
    if (isBusinessDay(day, calendar.closedDays)) return day;
  }
  return null;
}

/** The first `count` bookable days (business days after today, within the range), soonest first. */
export function openDays(calendar: CounterCalendar, count: number): string[] {
  const days: string[] = [];
  const last = lastBookableDay(calendar);
  for (let day = addDays(calendar.today, 1); day <= last && days.length < count; day = addDays(day, 1)) {
    if (isBusinessDay(day, calendar.closedDays)) days.push(day);
  }
  return days;
}

/** Checks a submitted counter date; the reasons are checked in the order a person would fix them. */
export function checkCounterDate(input: string | null | undefined, calendar: CounterCalendar): CounterDateCheck {
  if ((input ?? '').trim() === '') return { ok: false, reason: 'empty' };
  // a native date field sends YYYY-MM-DD; typed, 民國 years are taken too (115/12/8)
  const value = parseDayInput(input);
  if (!value) return { ok: false, reason: 'format' };
  if (value < calendar.today) return { ok: false, reason: 'past' };
  if (value === calendar.today) return { ok: false, reason: 'today' };
  if (value > lastBookableDay(calendar)) return { ok: false, reason: 'tooFar' };
  const weekday = dayOfWeek(value);
  if (weekday === 0 || weekday === 6) return { ok: false, reason: 'weekend' };
  if (calendar.closedDays.has(value)) return { ok: false, reason: 'closed' };
  return { ok: true, value };
}
