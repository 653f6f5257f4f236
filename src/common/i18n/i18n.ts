import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_DIR } from '../paths';

export const LANGUAGES = ['zh-TW', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'zh-TW';
export const LANG_COOKIE = 'lang';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The value for <html lang>: BCP 47 with the script, so screen readers pick Traditional Chinese. */
export function htmlLang(lang: Lang): string {
  return lang === 'zh-TW' ? 'zh-Hant-TW' : 'en';
}

type Catalog = Record<string, string>;
let catalogs: Record<Lang, Catalog> | null = null;

function load(): Record<Lang, Catalog> {
  if (!catalogs) {
    catalogs = Object.fromEntries(
      LANGUAGES.map((lang) => [lang, JSON.parse(readFileSync(join(CATALOG_DIR, `${lang}.json`), 'utf8')) as Catalog]),
    ) as Record<Lang, Catalog>;
  }
  return catalogs;
}

/**
 * The message for `key` in `lang`, with `{name}` placeholders filled from params. A key missing
 * from a catalog is a bug: tests compare the catalogs, and at run time the key itself is shown.
 */
export function translate(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  const all = load();
  const text = all[lang][key] ?? all[DEFAULT_LANG][key] ?? key;
  // Most messages have no placeholder: no pattern to run over them (pages look up dozens each).
  if (!text.includes('{')) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function catalogKeys(lang: Lang): string[] {
  return Object.keys(load()[lang]);
}
