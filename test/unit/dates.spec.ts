import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatDate, formatDateTime, formatDay, formatShortDay, parseDayInput } from '../../src/common/i18n/dates';
import { checkCounterDate } from '../../src/modules/cards/lifecycle/counter-date';

const SRC = join(__dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the one date formatter (docs/ui-conventions.md)', () => {
  it('writes zh-TW days with the 民國 year and the weekday, English with the Western year', () => {
    expect(formatDay('2026-12-08', 'zh-TW')).toBe('115年12月8日（星期二）');
    expect(formatDay('2026-12-08', 'en')).toBe('Tuesday 8 December 2026');
    expect(formatDay('2027-02-01', 'zh-TW')).toBe('116年2月1日（星期一）');
    expect(formatShortDay('2027-02-01', 'zh-TW')).toBe('116年2月1日');
    expect(formatShortDay('2027-02-01', 'en')).toBe('1 February 2027');
  });

  it('takes an instant as its Taiwan day, whatever the server time zone', () => {
    // 2026-12-07 16:30 UTC is 00:30 on 8 December in Taipei
    const at = new Date('2026-12-07T16:30:05Z');
    expect(formatDate(at, 'zh-TW')).toBe('115年12月8日（星期二）');
    expect(formatDateTime(at, 'zh-TW')).toBe('115年12月8日（星期二）00:30:05');
    expect(formatDateTime(at, 'en')).toBe('Tuesday 8 December 2026, 00:30:05');
  });

  it('reads what a native date field sends and typed days with 民國 or Western years', () => {
    for (const typed of ['2026-12-08', '2026/12/8', '115/12/8', '115-12-08', '115.12.8', '115年12月8日', '民國115年12月8日', '民國 115 年 12 月 8 日', '１１５／１２／８']) {
      expect([typed, parseDayInput(typed)]).toEqual([typed, '2026-12-08']);
    }
    for (const bad of ['', '115/2/30', '2026-13-01', '12/8', 'tomorrow', '0999-01-01', '115/12/8/1']) {
      expect([bad, parseDayInput(bad)]).toEqual([bad, null]);
    }
  });

  it('lets the counter date be typed with a 民國 year', () => {
    const calendar = { today: '2026-12-01', closedDays: new Set<string>() };
    expect(checkCounterDate('115/12/8', calendar)).toEqual({ ok: true, value: '2026-12-08' });
    expect(checkCounterDate('115/12/32', calendar)).toEqual({ ok: false, reason: 'format' });
  });

  it('is the only place that formats dates for people', () => {
    const allowed = new Set(['common/i18n/dates.ts', 'common/time/taipei-day.ts']);
    const offenders = sources(SRC)
      .filter((file) => !allowed.has(relative(SRC, file).split('\\').join('/')))
      .filter((file) => /Intl\.DateTimeFormat|toLocaleDateString|toLocaleString\(|dateStyle/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(offenders).toEqual([]);
  });
});
