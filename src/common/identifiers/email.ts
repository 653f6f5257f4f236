// E-mail addresses: a pragmatic check (what mail servers and people actually use), not RFC 5322.
// The only proof an address works is a message that arrives; this catches typing mistakes.
import { Checked, RawInput, invalid, trimmed } from './result';

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Trims and lowercases the domain part (the local part is kept as typed). */
export function validateEmail(input: RawInput): Checked {
  const raw = trimmed(input);
  if (raw === '') return invalid('empty');
  const at = raw.lastIndexOf('@');
  if (at <= 0 || raw.length > 254) return invalid('format');
  const local = raw.slice(0, at);
  const domain = raw.slice(at + 1).toLowerCase();
  if (local.length > 64 || !LOCAL.test(local) || !DOMAIN.test(domain)) return invalid('format');
  return { ok: true, value: `${local}@${domain}` };
}
