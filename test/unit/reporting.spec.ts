import { isMonth, previousMonth } from '../../src/modules/reporting/monthly-reports.service';
import { barChart, OUTCOME_FILLS } from '../../src/modules/reporting/report-chart';
import { toCsv } from '../../src/modules/reporting/report-export';
import { periodLabel, reportPeriod, rocYear } from '../../src/modules/reporting/report-period';
import { OUTCOMES, type ReportLine } from '../../src/modules/reporting/reports.service';
import { seededRandom } from '../../src/modules/reporting/seeded-random';

/** WCAG relative luminance of '#rrggbb'. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const line = (code: string, approved: number, rejected: number): ReportLine => ({
  code,
  name: code,
  outcomes: { approved, submitted: 0, rejected, cancelled: 0, superseded: 0 },
  cases: approved + rejected,
  sessions: 0,
});

describe('reporting: periods, CSV and charts', () => {
  it('the monthly reports are of the month before the one it is in Taiwan (UTC+8), across a year end', () => {
    expect(previousMonth(new Date('2026-12-01T06:00:00+08:00'))).toBe('2026-11');
    // 1 December 00:30 in Taiwan is still 30 November in UTC: Taiwan's date decides
    expect(previousMonth(new Date('2026-11-30T16:30:00Z'))).toBe('2026-11');
    expect(previousMonth(new Date('2026-11-30T15:30:00Z'))).toBe('2026-10');
    expect(previousMonth(new Date('2027-01-01T06:00:00+08:00'))).toBe('2026-12');
    expect(['2026-11', '2026-13', '2026-00', '2026-1', 'x'].map(isMonth)).toEqual([true, false, false, false, false]);
  });

  it('a year, a quarter or a month covers whole calendar months, named with the 民國 year', () => {
    expect(rocYear(2026)).toBe(115);
    expect(reportPeriod(2026, 'year')).toMatchObject({ fromMonth: '2026-01-01', toMonth: '2026-12-01', fromDay: '2026-01-01', toDay: '2026-12-31' });
    expect(reportPeriod(2024, 'q1')).toMatchObject({ fromMonth: '2024-01-01', toMonth: '2024-03-01', toDay: '2024-03-31' });
    expect(reportPeriod(2026, 'q4')).toMatchObject({ fromMonth: '2026-10-01', toMonth: '2026-12-01' });
    expect(reportPeriod(2024, 'm02')).toMatchObject({ fromMonth: '2024-02-01', toMonth: '2024-02-01', toDay: '2024-02-29' });
    expect(reportPeriod(2025, 'm02').toDay).toBe('2025-02-28');
    expect(periodLabel({ year: 2026, part: 'q3' })).toEqual({ key: 'reports.period.quarter', params: { roc: 115, year: 2026, quarter: 3 } });
    expect(periodLabel({ year: 2026, part: 'm07' })).toEqual({ key: 'reports.period.month', params: { roc: 115, year: 2026, month: 7 } });
  });

  it('CSV: a UTF-8 byte-order mark, quoted text, CRLF, and text a spreadsheet would run as a formula kept as text', () => {
    const csv = toCsv({ header: ['名稱', '件數'], rows: [['臺北市"中正"診所', 3], ['=HYPERLINK("x")', 1], ['-1+1', 0]] });
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.subarray(3).toString('utf8')).toBe('"名稱","件數"\r\n"臺北市""中正""診所",3\r\n"\'=HYPERLINK(""x"")",1\r\n"\'-1+1",0\r\n');
  });

  it('charts: one bar per line, segments in outcome order adding up to the line, the longest bar the widest; fills apart in greyscale', () => {
    const chart = barChart([line('a', 6, 2), line('b', 1, 0), line('c', 0, 0)], OUTCOMES);
    expect(chart.bars.map((b) => b.segments.map((s) => [s.outcome, s.value]))).toEqual([[['approved', 6], ['rejected', 2]], [['approved', 1]], []]);
    const widths = chart.bars.map((b) => b.segments.reduce((w, s) => w + s.width, 0));
    expect(widths[0]).toBeGreaterThan(widths[1]);
    expect(chart.bars[0].segments[1].x).toBeCloseTo(chart.bars[0].segments[0].x + chart.bars[0].segments[0].width);
    expect(barChart(Array.from({ length: 40 }, (_, i) => line(`x${i}`, 1, 0)), OUTCOMES).bars).toHaveLength(25);
    const greys = OUTCOMES.map((o) => luminance(OUTCOME_FILLS[o])).sort((a, b) => a - b);
    // CIE L* of each fill at least 8 apart
    const lightness = greys.map((y) => (y > 0.008856 ? 116 * Math.cbrt(y) - 16 : 903.3 * y));
    for (let i = 1; i < lightness.length; i++) expect(lightness[i] - lightness[i - 1]).toBeGreaterThanOrEqual(8);
  });

  it('the seeded generator repeats itself for a seed and follows the weights', () => {
    const [a, b] = [seededRandom(42), seededRandom(42)];
    expect(Array.from({ length: 5 }, () => a.int(1000))).toEqual(Array.from({ length: 5 }, () => b.int(1000)));
    const rnd = seededRandom(7);
    const counts = { x: 0, y: 0 };
    for (let i = 0; i < 10_000; i++) counts[rnd.weighted([['x', 9], ['y', 1]] as const)]++;
    expect(counts.x / 10_000).toBeGreaterThan(0.85);
    expect(counts.x / 10_000).toBeLessThan(0.95);
  });
});
