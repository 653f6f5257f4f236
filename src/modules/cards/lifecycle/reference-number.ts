// Reservation reference numbers (預約編號): 'R' + the Taiwan date it was made (yyyymmdd) + 6 random
// characters from a 32-letter alphabet without the look-alikes 0/O and 1/I, e.g. R20261123K7MZ3Q.
// 32^6 ≈ 1.07e9 per day; the table's unique key catches the rare collision (the caller retries).
import { randomBytes } from 'node:crypto';
import { taipeiDay } from './counter-date';

export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const RANDOM_CHARS = 6;
const PATTERN = new RegExp(`^R\\d{8}[${REFERENCE_ALPHABET}]{${RANDOM_CHARS}}$`);

/**
 * A new reference number. `random` supplies the 6 random bytes (tests pass fixed ones); each byte
 * picks a letter by its low 5 bits, which is unbiased because 256 is a multiple of 32.
 */
export function generateReference(at: Date = new Date(), random: Uint8Array = randomBytes(RANDOM_CHARS)): string {
  if (random.length < RANDOM_CHARS) throw new RangeError(`generateReference needs ${RANDOM_CHARS} random bytes`);
  const suffix = Array.from(random.subarray(0, RANDOM_CHARS), (byte) => REFERENCE_ALPHABET[byte & 31]).join('');
  return `R${taipeiDay(at).replace(/-/g, '')}${suffix}`;
}

/** A typed reference number, uppercased and without spaces or hyphens, or null when it cannot be one. */
export function normalizeReference(input: string | null | undefined): string | null {
  const value = (input ?? '').replace(/[\s-]+/g, '').toUpperCase();
  return PATTERN.test(value) ? value : null;
}
