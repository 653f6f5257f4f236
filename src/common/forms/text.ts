import type { FieldError } from '../errors/domain-error';

// Text hygiene for what people type into names, addresses, reasons and codes: no control
// characters (NUL, line breaks in one-line fields), no bidirectional overrides or isolates (which
// make "txt.exe" read as "exe.txt"), no zero-width characters or lone surrogates; lengths counted
// in characters (code points), not UTF-16 units, so a rare character of a name counts as one.

/** C0/C1 controls (tab and line breaks only where allowed), bidi embeddings/overrides/isolates, zero-width and BOM characters. */
const FORBIDDEN_ONE_LINE = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const FORBIDDEN_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The number of characters (Unicode code points): "臺" and a rare character of a name in CJK
 * Extension B ("𠮷", two UTF-16 units) are one each, as a reader counts them and as MySQL's
 * VARCHAR(n) counts them. (A multi-code-point cluster such as an emoji sequence counts as its
 * code points: what is stored must fit the column.)
 */
export function characterCount(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

export type TextProblem = { reason: 'characters' } | { reason: 'tooLong'; max: number };

/**
 * What is wrong with a text value, or null: characters that have no place in it, or more than
 * `max` characters (characterCount). `multiLine` allows line breaks and tabs (a free-text reason).
 */
export function textProblem(value: string, max: number, options: { multiLine?: boolean } = {}): TextProblem | null {
  if ((options.multiLine ? FORBIDDEN_MULTI_LINE : FORBIDDEN_ONE_LINE).test(value) || LONE_SURROGATE.test(value)) return { reason: 'characters' };
  if (characterCount(value) > max) return { reason: 'tooLong', max };
  return null;
}


/** The catalog message for characters that have no place in a field. */
export const CHARACTERS_MESSAGE = 'forms.errors.characters';

/**
 * Adds the field's error for a typed text, if any: characters that have no place in it
 * (CHARACTERS_MESSAGE), or more than `max` characters as a reader counts them (`tooLongKey`,
 * given {max}). Names, addresses, organisation names, purposes and reasons all take this check.
 */
export function checkText(errors: FieldError[], field: string, value: string, max: number, tooLongKey: string, options: { multiLine?: boolean } = {}): void {
  const problem = textProblem(value, max, options);
  if (problem) errors.push(problem.reason === 'characters' ? { field, messageKey: CHARACTERS_MESSAGE } : { field, messageKey: tooLongKey, params: { max } });
}
