import type { Lang } from './i18n';

/** An instant as a Taiwan calendar date in words: 「2026年12月4日」 / "4 December 2026". */
export function formatDate(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-TW', { dateStyle: 'long', timeZone: 'Asia/Taipei' }).format(date);
}
