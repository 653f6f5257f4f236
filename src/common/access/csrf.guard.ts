import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { commonError } from '../errors/domain-error';
import { CSRF_FIELD, CSRF_HEADER, csrfTokenAccepted } from '../web/csrf';
import { ACCESS_KEY, type AccessDeclaration } from './access.decorator';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin a browser says the request came from: Origin, or without it Referer's; null when it says nothing. */
function claimedOrigin(req: Request): string | null {
  const origin = req.get('origin');
  if (origin) return origin;
  const referer = req.get('referer');
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return 'invalid';
  }
}

/**
 * Every state-changing request comes from one of our pages: when the browser names the page's
 * origin (Origin, or Referer), it is ours; and it carries the CSRF token of its nonce and session,
 * in the form's _csrf field or HTMX's header. Protocol routes (no session, no cookie read) are
 * the only exception.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  private readonly origin: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.origin = new URL(config.publicOrigin).origin;
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    const declaration = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (declaration?.csrf === false) return true;
    const claimed = claimedOrigin(req);
    if (claimed !== null && claimed !== this.origin) throw commonError.forbidden('origin-mismatch', 'errors.csrf');
    const token = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get(CSRF_HEADER);
    if (!csrfTokenAccepted(req, this.config.sessionSecret, token)) throw commonError.forbidden('csrf-invalid', 'errors.csrf');
    return true;
  }
}
