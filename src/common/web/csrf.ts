import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { cookieOptions, readCookie, secureCookies } from './cookies';

/**
 * Signed double-submit CSRF tokens: a random nonce in an HttpOnly cookie, and in every form (and
 * HTMX's X-CSRF-Token header) the HMAC of that nonce under the server's secret, bound to the
 * session id once a session exists. An attacker's page can neither read the cookie nor compute
 * the HMAC; a nonce planted from a sibling subdomain or over plain HTTP is of no use against a
 * victim's session, whose id the attacker does not know. Over HTTPS the cookie is `__Host-csrf`
 * (no other host can set it). No server state, so anonymous page views write nothing to Redis.
 * The nonce is replaced at sign-in and sign-out.
 */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The nonce cookie's name on this request. */
export function csrfCookieName(req: Request): string {
  return secureCookies(req) ? '__Host-csrf' : 'csrf';
}

export function newCsrfNonce(): string {
  return randomBytes(24).toString('base64url');
}

export function csrfTokenFor(secret: string, nonce: string, sessionId: string | null = null): string {
  return createHmac('sha256', secret).update(sessionId ? `csrf:${nonce}:${sessionId}` : `csrf:${nonce}`).digest('base64url');
}

export function csrfTokenValid(secret: string, nonce: string | undefined, token: unknown, sessionId: string | null = null): boolean {
  if (!nonce || typeof token !== 'string' || token.length === 0) return false;
  const expected = Buffer.from(csrfTokenFor(secret, nonce, sessionId));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A new CSRF nonce (at first visit, sign-in and sign-out); returns it. */
export function rotateCsrfNonce(req: Request, res: Response): string {
  const nonce = newCsrfNonce();
  res.cookie(csrfCookieName(req), nonce, cookieOptions(req));
  req.csrfNonce = nonce;
  return nonce;
}

/** The request's nonce: its cookie's, or a new one (first visit). */
export function csrfNonceOf(req: Request, res: Response): string {
  return readCookie(req, csrfCookieName(req)) ?? rotateCsrfNonce(req, res);
}

/**
 * The session a token binds to: one the request came with (its signed cookie named the session
 * the store had), or one this request is about to create (it holds data: it will be saved).
 */
function boundSession(req: Request, includeNew: boolean): string | null {
  if (req.sessionLoaded) return req.sessionID;
  // A session not begun (see beginSessionWhenUsed) holds no data: asking would begin one for nothing.
  return includeNew && req.sessionStarted && req.session && Object.keys(req.session).some((k) => k !== 'cookie') ? req.sessionID : null;
}

/** The token for the forms of the page being rendered now. */
export function csrfTokenOf(req: Request, secret: string): string {
  return csrfTokenFor(secret, req.csrfNonce, boundSession(req, true));
}

/** Whether a state-changing request carries the token of its nonce and session. */
export function csrfTokenAccepted(req: Request, secret: string, token: unknown): boolean {
  return csrfTokenValid(secret, readCookie(req, csrfCookieName(req)), token, boundSession(req, false));
}
