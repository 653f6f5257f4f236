// Card numbers typed by users. People copy them from the card with spaces (and sometimes
// hyphens) between groups, so both are removed before checking.
import { Checked, RawInput, checkFormat, compact } from './result';

/**
 * HCA card number (醫事憑證IC卡卡號): 12 digits, shown without its "GH" prefix (seed 001).
 * Accepts input with or without the prefix (any case) and with spaces; normalises to 12 digits.
 */
export function validateHcaCardNumber(input: RawInput): Checked {
  return checkFormat(input, /^\d{12}$/, (raw) => compact(raw).replace(/^GH/i, ''));
}

/** NHI card number (健保卡卡號): 12 digits; spaces allowed in the input. */
export function validateNhiCardNumber(input: RawInput): Checked {
  return checkFormat(input, /^\d{12}$/, compact);
}

/**
 * MOICA citizen certificate card number (自然人憑證卡號): 2 letters + 14 digits, e.g.
 * "TP03 0000 0123 4567" → "TP03000001234567"; spaces allowed, letters uppercased.
 */
export function validateMoicaCardNumber(input: RawInput): Checked {
  return checkFormat(input, /^[A-Z]{2}\d{14}$/, (raw) => compact(raw).toUpperCase());
}
