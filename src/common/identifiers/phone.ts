// Taiwan phone numbers: landlines with their area code, mobiles 09xx-xxx-xxx and toll-free
// 0800/0809 numbers. Input may contain '-', spaces, parentheses, a leading +886 instead of the 0,
// and an extension after '#', 'ext', '分機' or '轉' (landlines only).
import { Checked, RawInput, invalid, trimmed } from './result';

export type PhoneKind = 'landline' | 'mobile' | 'toll_free';

export interface PhoneDetails {
  kind: PhoneKind;
  /** the number's digits only, trunk 0 included, extension excluded: what to compare and search on */
  digits: string;
  /** extension digits, or null */
  extension: string | null;
}

/**
 * Area codes with the length of their subscriber numbers, longest code first so that 049
 * (Nantou), 037 (Miaoli), 082/0826 (Kinmen/Wuqiu), 0836 (Matsu) and 089 (Taitung) win over
 * 04, 03 and 08. Subscriber numbers never start with 0 or 1.
 */
const AREA_CODES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['0836', [5]],
  ['0826', [5]],
  ['089', [6]],
  ['082', [6]],
  ['049', [7]],
  ['037', [6]],
  ['02', [8]],
  ['03', [7]],
  ['04', [7, 8]],
  ['05', [7]],
  ['06', [7]],
  ['07', [7]],
  ['08', [7]],
];

const EXTENSION = /^(.*?)\s*(?:#|ext\.?|分機|轉)\s*(\d{1,6})$/i;

/**
 * Normalised `value`: landline "02-23456789" (+ "#123"), mobile "0912-345-678",
 * toll-free "0800-364-422".
 */
export function validatePhone(input: RawInput): Checked<PhoneDetails> {
  const raw = trimmed(input);
  if (raw === '') return invalid('empty');
  const match = EXTENSION.exec(raw);
  const main = match ? match[1] : raw;
  const extension = match ? match[2] : null;
  if (!/^\+?[\d\s()-]+$/.test(main)) return invalid('format');
  const compacted = main.replace(/[\s()-]/g, '');
  const digits = compacted.startsWith('+886') ? `0${compacted.slice(4).replace(/^0/, '')}` : compacted;
  if (!/^0\d+$/.test(digits)) return invalid('format');

  if (/^09\d{8}$/.test(digits)) {
    if (extension !== null) return invalid('format');
    return { ok: true, value: `${digits.slice(0, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`, kind: 'mobile', digits, extension };
  }
  if (/^080[09]\d{6}$/.test(digits)) {
    return { ok: true, value: `${digits.slice(0, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}${extension ? `#${extension}` : ''}`, kind: 'toll_free', digits, extension };
  }
  const area = AREA_CODES.find(([code]) => digits.startsWith(code));
  if (!area) return invalid('format');
  const [code, lengths] = area;
  const subscriber = digits.slice(code.length);
  if (!lengths.includes(subscriber.length) || !/^[2-9]/.test(subscriber)) return invalid('format');
  return { ok: true, value: `${code}-${subscriber}${extension ? `#${extension}` : ''}`, kind: 'landline', digits, extension };
}
