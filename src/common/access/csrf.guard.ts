import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ForbiddenError } from '../errors/domain-error';
import { readCookie } from '../web/http-pipeline';
import { CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, csrfTokenValid } from '../web/csrf';
import { ACCESS_KEY, type AccessDeclaration } from './access.decorator';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request carries the CSRF token: in the form's _csrf field or HTMX's header.
 * Protocol routes (no session, no cookie read) are the only exception.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    const declaration = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (declaration?.csrf === false) return true;
    const token = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get(CSRF_HEADER);
    if (!csrfTokenValid(this.config.sessionSecret, readCookie(req, CSRF_COOKIE), token)) {
      throw new ForbiddenError('csrf-invalid', 'errors.csrf');
    }
    return true;
  }
}
