// Business number (統一編號, Unified Business No.), per DOMAIN.md: 8 digits, weights
// 1,2,1,2,1,2,4,1; each product is replaced by the sum of its digits; valid when the total S is
// divisible by 5, or when the 7th digit is 7 (product 28 → 10, which may count as 1 or 0) and
// S + 1 is divisible by 5.
import { Checked, RawInput, checkFormat, invalid } from './result';

const WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

export function validateBusinessNumber(input: RawInput): Checked<{}, 'empty' | 'format' | 'checksum'> {
  const result = checkFormat(input, /^\d{8}$/);
  if (!result.ok) return result;
  const digits = result.value.split('').map(Number);
  const total = digits.reduce((sum, digit, i) => {
    const product = digit * WEIGHTS[i];
    return sum + Math.floor(product / 10) + (product % 10);
  }, 0);
  if (total % 5 === 0) return result;
  if (digits[6] === 7 && (total + 1) % 5 === 0) return result;
  return invalid('checksum');
}
