// National ID (身分證統一編號) and resident certificate numbers (居留證統一證號), per DOMAIN.md
// "Reference data and formats". All three formats share one checksum:
//   d0*1 + d1*9 + n1*8 + n2*7 + n3*6 + n4*5 + n5*4 + n6*3 + n7*2 + n8*1 + n9*1 ≡ 0 (mod 10)
// where d0 d1 are the two digits of the first letter's value and n1..n9 the remaining nine
// characters; in the old resident format n1 is a letter A-D counted as the last digit of its
// letter value (A→0, B→1, C→2, D→3).
import { Checked, RawInput, invalid, trimmed } from './result';

/** national: `^[A-Z][12]\d{8}$`; residentNew: `^[A-Z][89]\d{8}$`; residentOld: `^[A-Z][A-D]\d{8}$`. */
export type NationalIdKind = 'national' | 'resident_new' | 'resident_old';

const LETTER_VALUES: Readonly<Record<string, number>> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};

const WEIGHTS = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1] as const; // d0 d1 n1..n8; n9 (weight 1) is the check digit

function kindOf(value: string): NationalIdKind | null {
  if (/^[A-Z][12]\d{8}$/.test(value)) return 'national';
  if (/^[A-Z][89]\d{8}$/.test(value)) return 'resident_new';
  if (/^[A-Z][A-D]\d{8}$/.test(value)) return 'resident_old';
  return null;
}

/** Weighted sum of the first nine characters (letter + n1..n8), the check digit excluded. */
function weightedSum(first9: string): number {
  const letterValue = LETTER_VALUES[first9[0]];
  const second = first9[1];
  const n1 = /[A-D]/.test(second) ? LETTER_VALUES[second] % 10 : Number(second);
  const digits = [Math.floor(letterValue / 10), letterValue % 10, n1, ...first9.slice(2).split('').map(Number)];
  return digits.reduce((sum, digit, i) => sum + digit * WEIGHTS[i], 0);
}

/** Accepts national IDs and both resident-certificate formats; lowercase input is uppercased. */
export function validateNationalId(input: RawInput): Checked<{ kind: NationalIdKind }, 'empty' | 'format' | 'checksum'> {
  const value = trimmed(input).toUpperCase();
  if (value === '') return invalid('empty');
  const kind = kindOf(value);
  if (kind === null) return invalid('format');
  const sum = weightedSum(value.slice(0, 9)) + Number(value[9]);
  return sum % 10 === 0 ? { ok: true, value, kind } : invalid('checksum');
}

/**
 * Appends the check digit to a 9-character prefix (letter + 8 characters in any of the three
 * formats), e.g. 'A12345678' → 'A123456789'. Used to generate synthetic demo and test IDs.
 * Throws a RangeError for a malformed prefix: that is a programming error, not user input.
 */
export function nationalIdWithCheckDigit(prefix9: string): string {
  const prefix = prefix9.toUpperCase();
  if (kindOf(`${prefix}0`) === null) {
    throw new RangeError(`nationalIdWithCheckDigit: "${prefix9}" is not a letter + 8 characters of a national ID or resident certificate number`);
  }
  const check = (10 - (weightedSum(prefix) % 10)) % 10;
  return `${prefix}${check}`;
}
