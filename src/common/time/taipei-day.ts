// Calendar days are Taiwan days ('YYYY-MM-DD' in Asia/Taipei), whatever the server's time zone.

const TAIPEI_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Taiwan calendar day of an instant, 'YYYY-MM-DD'. */
export function taipeiDay(at: Date = new Date()): string {
  return TAIPEI_DAY.format(at);
}

/** A real calendar day written 'YYYY-MM-DD' (2026-02-30 is not one). */
export function isIsoDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** The instant a Taiwan day starts (00:00 UTC+8). */
export function startOfTaipeiDay(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

/** `day` plus `days` calendar days. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}
