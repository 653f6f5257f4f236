// The one date formatter (docs/ui-conventions.md, "Dates"): pages, PDFs, e-mails and error
// messages all show a day the same way. zh-TW writes the 民國 year with the weekday, as the forms
// of Taiwan's agencies do (115年12月8日（星期二）); English writes the Western year
// (Tuesday 8 December 2026). Date entry accepts the ISO form a native date field sends and, typed,
// 民國 or Western years with / - . or 年月日 (parseDayInput).
import { isIsoDay, taipeiDay } from '../time/taipei-day';
import type { Lang } from './i18n';

/** The 民國 (Republic of China) year of a Western year: 2026 → 115. */
export const ROC_YEAR_OFFSET = 1911;

const WEEKDAYS_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];
const WEEKDAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function parts(day: string): { year: number; month: number; date: number; weekday: number } {
  const [year, month, date] = day.split('-').map(Number);
  return { year, month, date, weekday: new Date(Date.UTC(year, month - 1, date)).getUTCDay() };
}

/** A Taiwan calendar day 'YYYY-MM-DD' in words: 「115年12月8日（星期二）」 / "Tuesday 8 December 2026". */
export function formatDay(day: string, lang: Lang): string {
  if (!isIsoDay(day)) return day;
  const { year, month, date, weekday } = parts(day);
  if (lang === 'en') return `${WEEKDAYS_EN[weekday]} ${date} ${MONTHS_EN[month - 1]} ${year}`;
  return `${year - ROC_YEAR_OFFSET}年${month}月${date}日（${WEEKDAYS_ZH[weekday]}）`;
}

/** A short day without the weekday, for tables and PDFs' headers: 「115年12月8日」 / "8 December 2026". */
export function formatShortDay(day: string, lang: Lang): string {
  if (!isIsoDay(day)) return day;
  const { year, month, date } = parts(day);
  return lang === 'en' ? `${date} ${MONTHS_EN[month - 1]} ${year}` : `${year - ROC_YEAR_OFFSET}年${month}月${date}日`;
}

/** An instant as its Taiwan calendar day in words (formatDay). */
export function formatDate(date: Date, lang: Lang): string {
  return formatDay(taipeiDay(date), lang);
}

const TAIPEI_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Taipei', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** An instant with its Taiwan time: 「115年12月8日（星期二）14:05:09」 / "Tuesday 8 December 2026, 14:05:09". */
export function formatDateTime(date: Date, lang: Lang): string {
  const time = TAIPEI_TIME.format(date);
  return lang === 'en' ? `${formatDate(date, lang)}, ${time}` : `${formatDate(date, lang)}${time}`;
}

/**
 * A typed day as 'YYYY-MM-DD', or null: the ISO form (what a native date field sends),
 * 2026/12/8, and 民國 years as the seeds' forms write them: 115/12/8, 115-12-08, 115.12.8,
 * 115年12月8日, 民國115年12月8日. Full-width digits count. A year of 1 to 3 digits is a 民國 year.
 */
export function parseDayInput(input: string | null | undefined): string | null {
  const text = (input ?? '')
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/^民國/, '')
    .replace(/（.*?）|\(.*?\)/g, '');
  const m = /^(\d{1,4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?$/.exec(text);
  if (!m) return null;
  const year = m[1].length <= 3 ? Number(m[1]) + ROC_YEAR_OFFSET : Number(m[1]);
  if (m[1].length === 4 && year < 1912) return null;
  const day = `${String(year).padStart(4, '0')}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return isIsoDay(day) ? day : null;
}
