import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed double-submit CSRF tokens: a random nonce in an HttpOnly cookie, and in every form (and
 * HTMX's X-CSRF-Token header) the HMAC of that nonce under the server's secret. An attacker's page
 * can neither read the cookie nor compute the HMAC. No server state, so anonymous page views write
 * nothing to Redis. The nonce is replaced at sign-in and sign-out.
 */
export const CSRF_COOKIE = 'csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function newCsrfNonce(): string {
  return randomBytes(24).toString('base64url');
}

export function csrfTokenFor(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(`csrf:${nonce}`).digest('base64url');
}

export function csrfTokenValid(secret: string, nonce: string | undefined, token: unknown): boolean {
  if (!nonce || typeof token !== 'string' || token.length === 0) return false;
  const expected = Buffer.from(csrfTokenFor(secret, nonce));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
