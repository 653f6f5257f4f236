import type { FieldError } from '../../common/errors/domain-error';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 64;

/**
 * A short list of the passwords people choose most (public breach-frequency lists), compared
 * case-insensitively; the page states the rule. Not a substitute for the pause and lock.
 */
const COMMON_PASSWORDS = new Set([
  '12345678', '123456789', '1234567890', '87654321', '11111111', '00000000', '88888888', '66666666',
  '12341234', '11223344', '12121212', '123123123', 'password', 'password1', 'passw0rd', 'p@ssw0rd',
  'qwertyui', 'qwerty123', 'qwer1234', '1qaz2wsx', 'abcd1234', 'a1234567', 'aa123456', 'abc12345',
  'iloveyou', 'sunshine', 'princess', 'football', 'baseball', 'welcome1', 'admin123', 'letmein1',
  'zxcvbnm1', 'asdf1234', 'asdfghjk', 'taiwan123', 'a12345678', 'qaz123456',
]);

/**
 * The registered password's rules (stated on the page): 8 to 64 characters, not one of the most
 * common passwords, not the card number, typed the same twice.
 */
export function passwordProblems(password: string, confirmation: string, cardNumber: string | null, field = 'password'): FieldError[] {
  const errors: FieldError[] = [];
  const chars = [...password].length;
  if (!password) errors.push({ field, messageKey: 'nhiCard.password.errors.required' });
  else if (chars < PASSWORD_MIN_LENGTH) errors.push({ field, messageKey: 'nhiCard.password.errors.tooShort' });
  else if (chars > PASSWORD_MAX_LENGTH) errors.push({ field, messageKey: 'nhiCard.password.errors.tooLong' });
  else if (COMMON_PASSWORDS.has(password.toLowerCase()) || (cardNumber && password.includes(cardNumber))) errors.push({ field, messageKey: 'nhiCard.password.errors.common' });
  else if (password !== confirmation) errors.push({ field: `${field}Confirm`, messageKey: 'nhiCard.password.errors.mismatch' });
  return errors;
}
