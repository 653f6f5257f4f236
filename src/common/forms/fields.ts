// Reading a submitted form (or a query string) safely. Every value from a request is untrusted:
// a field may be missing, repeated (an array), a number or an object (JSON bodies), so each
// reader says what it accepts and turns anything else into "nothing entered". Parsers built
// from these are pure functions returning a FormCheck, which the controller turns into the page
// or, with errors, into a FormValidationError (the form re-rendered with its values kept).
import type { FieldError } from '../errors/domain-error';

export type FormBody = Record<string, unknown>;

/** The result of parsing a form: the typed input when valid, the errors, and the values to re-render the form with. */
export interface FormCheck<I, V extends object = Record<string, unknown>> {
  input: I | null;
  errors: FieldError[];
  values: V;
}

/** A request body or query as a plain record: anything else (a string body, null) is an empty form. */
export function formBody(value: unknown): FormBody {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as FormBody) : {};
}

function raw(body: unknown, name: string): unknown {
  const form = formBody(body);
  return Object.prototype.hasOwnProperty.call(form, name) ? form[name] : undefined;
}

/**
 * One text field, trimmed and in Unicode normal form C (so "é" typed two ways is one value).
 * Missing, repeated, numeric or structured values are '' (nothing entered).
 */
export function textField(body: unknown, name: string): string {
  const value = raw(body, name);
  return typeof value === 'string' ? value.normalize('NFC').trim() : '';
}

/** A secret typed by the user (user code, password): exactly as sent, never trimmed; '' unless one string. */
export function secretField(body: unknown, name: string): string {
  const value = raw(body, name);
  return typeof value === 'string' ? value : '';
}

/** A field that may be sent several times (checkboxes): its string values. */
export function listField(body: unknown, name: string): string[] {
  const value = raw(body, name);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** One of the allowed values, or null. */
export function choiceField<T extends string>(body: unknown, name: string, allowed: readonly T[]): T | null {
  const value = textField(body, name);
  return (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/** A whole number within [min, max] (full-width digits accepted), or null. */
export function integerField(body: unknown, name: string, min: number, max: number): number | null {
  const value = textField(body, name).normalize('NFKC');
  if (!/^\d{1,15}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}
