import type { Request } from 'express';
import type { CardServicesSession } from './holder-session';

/** The card services' part of the browser session (kept from the first page on). */
export function holderSession(req: Request): CardServicesSession {
  return (req.session.cardServices ??= {});
}

/** What a page script posts back after the reader helper signed this session's challenge. */
export function presenceOf(req: Request, body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>;
  return { token: b.token, challenge: b.challenge, sessionId: req.sessionID, origin: req.get('origin'), clientIp: req.ip ?? null };
}
