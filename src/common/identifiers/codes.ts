// Institution, insurance and professional codes.
import { PersonnelCategoryCode, isPersonnelCategoryCode } from './personnel-categories';
import { Checked, RawInput, checkFormat, compact, invalid, trimmed } from './result';

/** Medical institution code (醫事機構代碼): 10 digits, e.g. 0401180014. */
export function validateInstitutionCode(input: RawInput): Checked {
  return checkFormat(input, /^\d{10}$/, compact);
}

/** Unit code (投保單位代號 / 要保機關代號): 9 digits. */
export function validateUnitCode(input: RawInput): Checked {
  return checkFormat(input, /^\d{9}$/, compact);
}

/**
 * Labour-insurance number (勞保證號): 8 digits + 1 check letter (seed 004), letter uppercased.
 * The algorithm behind the check letter is not published by the Bureau of Labor Insurance, so
 * only the format is validated here; the letter itself cannot be verified.
 */
export function validateLabourInsuranceNumber(input: RawInput): Checked {
  return checkFormat(input, /^\d{8}[A-Z]$/, (raw) => compact(raw).toUpperCase());
}

/**
 * Professional certificate (醫事證書字號): a category code from the 31 personnel categories plus
 * the certificate number, 6 digits zero-padded ("123" → "000123", seed 000). The category is
 * uppercased; `value` is the 6-digit number and `category` the category code.
 * reason 'category' means the category is not one of the 31 codes; an all-zero number is 'format'.
 */
export function validateProfessionalCertificate(
  category: RawInput,
  number: RawInput,
): Checked<{ category: PersonnelCategoryCode }, 'empty' | 'format' | 'category'> {
  const code = trimmed(category).toUpperCase();
  const digits = compact(number);
  if (code === '' || digits === '') return invalid('empty');
  if (!isPersonnelCategoryCode(code)) return invalid('category');
  if (!/^\d{1,6}$/.test(digits) || /^0+$/.test(digits)) return invalid('format');
  return { ok: true, value: digits.padStart(6, '0'), category: code };
}
