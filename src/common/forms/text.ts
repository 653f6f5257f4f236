// Text hygiene for what people type into names, addresses, reasons and codes: no control
// characters (NUL, line breaks in one-line fields), no bidirectional overrides or isolates (which
// make "txt.exe" read as "exe.txt"), no zero-width characters or lone surrogates; lengths counted
// as people see characters (grapheme clusters), not UTF-16 units.

/** C0/C1 controls (tab and line breaks only where allowed), bidi embeddings/overrides/isolates, zero-width and BOM characters. */
const FORBIDDEN_ONE_LINE = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const FORBIDDEN_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const segmenter = new Intl.Segmenter('zh-TW', { granularity: 'grapheme' });

/** The number of characters as a reader counts them ("👩‍⚕️" is one, "臺" is one). */
export function characterCount(value: string): number {
  let n = 0;
  for (const _ of segmenter.segment(value)) n++;
  return n;
}

export type TextProblem = { reason: 'characters' } | { reason: 'tooLong'; max: number };

/**
 * What is wrong with a text value, or null: characters that have no place in it, or more than
 * `max` characters. `multiLine` allows line breaks and tabs (a free-text reason).
 */
export function textProblem(value: string, max: number, options: { multiLine?: boolean } = {}): TextProblem | null {
  if ((options.multiLine ? FORBIDDEN_MULTI_LINE : FORBIDDEN_ONE_LINE).test(value) || LONE_SURROGATE.test(value)) return { reason: 'characters' };
  if (characterCount(value) > max) return { reason: 'tooLong', max };
  return null;
}
