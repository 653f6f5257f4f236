import { addDays, checkCounterDate, dayOfWeek, firstBookableDay, isIsoDay, lastBookableDay, taipeiDay, type CounterCalendar } from '../../src/modules/cards/lifecycle/counter-date';

// Monday 2026-11-23 in Taiwan; Christmas Day (Constitution Day) 2026-12-25 is a Friday holiday.
const calendar: CounterCalendar = { today: '2026-11-23', closedDays: new Set(['2026-12-25', '2027-01-01']) };

describe('counter date rules', () => {
  it('takes the calendar day in Taiwan, not on the server clock', () => {
    // 2026-11-23 16:30 UTC is already 00:30 on the 24th in Taipei
    expect(taipeiDay(new Date('2026-11-23T16:30:00Z'))).toBe('2026-11-24');
    expect(taipeiDay(new Date('2026-11-23T15:59:59Z'))).toBe('2026-11-23');
  });

  it('does calendar arithmetic across months and years', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(dayOfWeek('2026-11-23')).toBe(1);
    expect(isIsoDay('2026-02-29')).toBe(false);
    expect(isIsoDay('2028-02-29')).toBe(true);
    expect(isIsoDay('2026-1-5')).toBe(false);
  });

  it('accepts a weekday after today within 60 days', () => {
    expect(checkCounterDate('2026-11-24', calendar)).toEqual({ ok: true, value: '2026-11-24' });
    expect(checkCounterDate(' 2026-12-24 ', calendar)).toEqual({ ok: true, value: '2026-12-24' });
  });

  it('refuses today, the past, weekends, closed days and days beyond the window, each with its reason', () => {
    expect(checkCounterDate('2026-11-23', calendar)).toEqual({ ok: false, reason: 'today' });
    expect(checkCounterDate('2026-11-20', calendar)).toEqual({ ok: false, reason: 'past' });
    expect(checkCounterDate('2026-11-28', calendar)).toEqual({ ok: false, reason: 'weekend' });
    expect(checkCounterDate('2026-11-29', calendar)).toEqual({ ok: false, reason: 'weekend' });
    expect(checkCounterDate('2026-12-25', calendar)).toEqual({ ok: false, reason: 'closed' });
    expect(checkCounterDate('2027-01-01', calendar)).toEqual({ ok: false, reason: 'closed' });
    expect(checkCounterDate('', calendar)).toEqual({ ok: false, reason: 'empty' });
    expect(checkCounterDate(undefined, calendar)).toEqual({ ok: false, reason: 'empty' });
    expect(checkCounterDate('2026-02-30', calendar)).toEqual({ ok: false, reason: 'format' });
    expect(checkCounterDate('next tuesday', calendar)).toEqual({ ok: false, reason: 'format' });
  });

  it('allows exactly 60 days ahead and not one more', () => {
    // 2026-11-23 + 60 days = 2027-01-22, a Friday
    expect(lastBookableDay(calendar)).toBe('2027-01-22');
    expect(checkCounterDate('2027-01-22', calendar)).toEqual({ ok: true, value: '2027-01-22' });
    expect(checkCounterDate('2027-01-25', calendar)).toEqual({ ok: false, reason: 'tooFar' });
    expect(checkCounterDate('2027-01-22', { ...calendar, maxDaysAhead: 30 })).toEqual({ ok: false, reason: 'tooFar' });
  });

  it('finds the first bookable day, skipping the weekend and closed days', () => {
    // Friday → the next Monday
    expect(firstBookableDay({ today: '2026-11-27', closedDays: new Set() })).toBe('2026-11-30');
    // Thursday 2026-12-24 → Friday 25th is closed → Monday 28th
    expect(firstBookableDay({ today: '2026-12-24', closedDays: calendar.closedDays })).toBe('2026-12-28');
    expect(firstBookableDay({ today: '2026-11-23', closedDays: new Set(), maxDaysAhead: 0 })).toBeNull();
  });
});
