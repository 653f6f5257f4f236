import type { FieldError } from '../../common/errors/domain-error';
import { secretField, textField, type FormCheck } from '../../common/forms';

export interface StaffLoginInput {
  username: string;
  password: string;
  code: string;
}

/** The break-glass sign-in form; the values to re-render it with never include the password or the code. */
export function parseStaffLogin(body: unknown): FormCheck<StaffLoginInput, { username: string }> {
  const username = textField(body, 'username').toLowerCase();
  const password = secretField(body, 'password');
  const code = textField(body, 'code');
  const errors: FieldError[] = [];
  if (!username) errors.push({ field: 'username', messageKey: 'staff.login.errors.usernameRequired' });
  if (!password) errors.push({ field: 'password', messageKey: 'staff.login.errors.passwordRequired' });
  if (!/^\d{6}$/.test(code)) errors.push({ field: 'code', messageKey: 'staff.login.errors.codeFormat' });
  return { input: errors.length ? null : { username, password, code }, errors, values: { username } };
}
