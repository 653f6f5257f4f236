// Support periods (支援時間): one or more date ranges × weekdays × half-day sessions, expanded into
// the half-day slots the quota rules count. Pure functions: no Nest, no database.
import { addDays, dayOfWeek, isIsoDay } from '../../../common/time/taipei-day';

/** A half-day session (診次): about three hours. */
export const SESSIONS = ['morning', 'afternoon', 'night'] as const;
export type Session = (typeof SESSIONS)[number];

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export interface Period {
  from: string;
  to: string;
  weekdays: number[];
  sessions: Session[];
}

export interface Slot {
  day: string;
  session: Session;
  /** The Monday of the slot's week. */
  weekStart: string;
}

/** The key of a slot in sets: 'YYYY-MM-DD/session'. */
export const slotKey = (s: { day: string; session: string }) => `${s.day}/${s.session}`;

/** ISO weekday of a day (1 = Monday … 7 = Sunday). */
export function isoWeekday(day: string): number {
  return dayOfWeek(day) === 0 ? 7 : dayOfWeek(day);
}

/** The Monday of a day's week. */
export function weekStartOf(day: string): string {
  return addDays(day, 1 - isoWeekday(day));
}

export type PeriodProblem = 'range' | 'too-long' | 'no-weekdays' | 'no-sessions' | 'no-days' | 'repeated';

/** Whether a period is well formed (days real and in order, not longer than maxDays, something chosen). */
export function periodProblem(p: Period, maxDays: number): PeriodProblem | null {
  if (!isIsoDay(p.from) || !isIsoDay(p.to) || p.to < p.from) return 'range';
  if (daysBetween(p.from, p.to) + 1 > maxDays) return 'too-long';
  if (!p.weekdays.length) return 'no-weekdays';
  if (!p.sessions.length) return 'no-sessions';
  return null;
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The slots of one well-formed period, by day then session. */
export function slotsOf(p: Period): Slot[] {
  const slots: Slot[] = [];
  const weekdays = new Set(p.weekdays);
  const sessions = SESSIONS.filter((s) => p.sessions.includes(s));
  for (let day = p.from; day <= p.to; day = addDays(day, 1)) {
    if (!weekdays.has(isoWeekday(day))) continue;
    for (const session of sessions) slots.push({ day, session, weekStart: weekStartOf(day) });
  }
  return slots;
}

/**
 * Every slot of the periods; `repeated` lists the slots two periods both name (the same slot
 * twice is not allowed), and a period that yields no slot at all is `emptyPeriods` (its index).
 */
export function expandPeriods(periods: Period[]): { slots: Slot[]; repeated: Slot[]; emptyPeriods: number[] } {
  const seen = new Set<string>();
  const slots: Slot[] = [];
  const repeated: Slot[] = [];
  const emptyPeriods: number[] = [];
  periods.forEach((p, index) => {
    const own = slotsOf(p);
    if (!own.length) emptyPeriods.push(index);
    for (const slot of own) {
      const key = slotKey(slot);
      if (seen.has(key)) repeated.push(slot);
      else {
        seen.add(key);
        slots.push(slot);
      }
    }
  });
  slots.sort((a, b) => (a.day === b.day ? SESSIONS.indexOf(a.session) - SESSIONS.indexOf(b.session) : a.day < b.day ? -1 : 1));
  return { slots, repeated, emptyPeriods };
}

/** Slots per week (weekStart → count). */
export function countByWeek(slots: Slot[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of slots) counts.set(s.weekStart, (counts.get(s.weekStart) ?? 0) + 1);
  return counts;
}
