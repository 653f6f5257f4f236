// Shared result shape of every identifier validator: validators never throw; they return either
// the normalised value or the reason the input was refused, so a form can pick its message.

/** Why an input was refused. */
export type InvalidReason =
  /** nothing was entered (after trimming) */
  | 'empty'
  /** wrong length, characters or layout */
  | 'format'
  /** well formed, but the check digit / checksum does not match */
  | 'checksum'
  /** professional certificate: the category code is not one of the 31 categories */
  | 'category';

export interface Invalid<R extends InvalidReason = InvalidReason> {
  ok: false;
  reason: R;
}

/** `{ ok: true, value }` plus any extra fields `E`, or `{ ok: false, reason }`. */
export type Checked<E extends object = {}, R extends InvalidReason = 'empty' | 'format'> =
  | ({ ok: true; value: string } & E)
  | Invalid<R>;

/** What every validator accepts: form bodies may hand over null or undefined for a missing field. */
export type RawInput = string | null | undefined;

export function invalid<R extends InvalidReason>(reason: R): Invalid<R> {
  return { ok: false, reason };
}

/** Trims; a missing value becomes ''. */
export function trimmed(input: RawInput): string {
  return (input ?? '').trim();
}

/** Removes the spaces and hyphens people type inside card numbers and codes. */
export function compact(input: RawInput): string {
  return trimmed(input).replace(/[\s-]+/g, '');
}

/**
 * Validates `input` (already cleaned by `clean`) against `pattern`: the helper behind every
 * format-only identifier.
 */
export function checkFormat(input: RawInput, pattern: RegExp, clean: (input: RawInput) => string = trimmed): Checked {
  const value = clean(input);
  if (value === '') return invalid('empty');
  return pattern.test(value) ? { ok: true, value } : invalid('format');
}
