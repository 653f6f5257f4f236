import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../context/request-context';
import { NotSignedInError } from '../errors/domain-error';

/**
 * The principal signed in to the request's session, if any. A request without a session cookie
 * has nobody signed in, and asking does not begin a session for it (http-pipeline.ts).
 */
export function sessionPrincipal(req: Request): Principal | null {
  return req.sessionStarted ? (req.session?.principal ?? null) : null;
}

/**
 * The signed-in principal of the request: `@CurrentPrincipal() principal: Principal`. The access
 * guard has already refused a route declared with @Allow to anyone not signed in; on a public
 * route a missing principal is a sign-in redirect.
 */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = sessionPrincipal(context.switchToHttp().getRequest<Request>());
  if (!principal) throw new NotSignedInError('/');
  return principal;
});

/** Who is making an attempt that rate limits count: the browser session and the client address. */
export interface Attempter {
  sessionId: string;
  clientIp: string | null;
}

/**
 * `@AttemptBy() subject: Attempter`: the session (kept from now on, so its per-session counts
 * last) and the client address (from the trusted proxy only).
 */
export const AttemptBy = createParamDecorator((_: unknown, context: ExecutionContext): Attempter => {
  const req = context.switchToHttp().getRequest<Request>();
  req.session.attemptsFrom ??= Date.now();
  return { sessionId: req.sessionID, clientIp: req.ip ?? null };
});
