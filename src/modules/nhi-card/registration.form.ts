import type { FieldError } from '../../common/errors/domain-error';
import { secretField, textField, type FormCheck } from '../../common/forms';
import { validateEmail, validatePhone } from '../../common/identifiers';

/** 戶號: one letter and 7 digits, as printed on the household register (spaces and case forgiven). */
export function normaliseHouseholdNumber(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** An address compared as the registry holds it: full-width forms folded, blanks dropped, 台 read as 臺. */
export function normaliseAddress(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, '').replace(/台/g, '臺');
}

export interface RegistryAnswers {
  householdNumber: string;
  registeredAddress: string;
}

/** The registry questions (戶號 + 戶籍地址), asked by the registration and the forgotten-password path. */
export function parseRegistryAnswers(body: unknown, errors: FieldError[]): RegistryAnswers {
  const householdNumber = normaliseHouseholdNumber(textField(body, 'householdNumber'));
  const registeredAddress = textField(body, 'registeredAddress');
  if (!householdNumber) errors.push({ field: 'householdNumber', messageKey: 'nhiCard.register.errors.householdNumberRequired' });
  else if (!/^[A-Z]\d{7}$/.test(householdNumber)) errors.push({ field: 'householdNumber', messageKey: 'nhiCard.register.errors.householdNumberFormat' });
  if (!registeredAddress) errors.push({ field: 'registeredAddress', messageKey: 'nhiCard.register.errors.registeredAddressRequired' });
  else if (registeredAddress.length > 200) errors.push({ field: 'registeredAddress', messageKey: 'nhiCard.register.errors.registeredAddressLong' });
  return { householdNumber, registeredAddress };
}

/** An e-mail address field (required). */
export function parseEmail(body: unknown, errors: FieldError[]): string {
  const raw = textField(body, 'email');
  const email = validateEmail(raw);
  if (!raw) errors.push({ field: 'email', messageKey: 'nhiCard.register.errors.emailRequired' });
  else if (!email.ok) errors.push({ field: 'email', messageKey: 'nhiCard.register.errors.emailFormat' });
  return email.ok ? email.value : raw;
}

export interface RegistrationInput extends RegistryAnswers {
  phone: string;
  email: string;
  password: string;
  passwordConfirm: string;
}

/** The registration form; the values to re-render it with never include the passwords. Password rules are checked by the service (they need the card number). */
export function parseRegistration(body: unknown): FormCheck<RegistrationInput, Record<string, string>> {
  const errors: FieldError[] = [];
  const registry = parseRegistryAnswers(body, errors);
  const rawPhone = textField(body, 'phone');
  const phone = validatePhone(rawPhone);
  if (!rawPhone) errors.push({ field: 'phone', messageKey: 'nhiCard.register.errors.phoneRequired' });
  else if (!phone.ok) errors.push({ field: 'phone', messageKey: 'nhiCard.register.errors.phoneFormat' });
  const email = parseEmail(body, errors);
  const password = secretField(body, 'password');
  const passwordConfirm = secretField(body, 'passwordConfirm');
  const values = { householdNumber: textField(body, 'householdNumber'), registeredAddress: registry.registeredAddress, phone: rawPhone, email: textField(body, 'email') };
  return {
    input: { ...registry, phone: phone.ok ? phone.value : rawPhone, email, password, passwordConfirm },
    errors,
    values,
  };
}
