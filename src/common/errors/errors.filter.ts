import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { translate } from '../i18n/i18n';
import { DomainError, FormValidationError } from './domain-error';

const STATUS: Record<DomainError['kind'], number> = {
  validation: 422,
  'bad-request': 400,
  'not-signed-in': 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-many': 429,
};

/**
 * The one place errors become responses: a form re-rendered with its values (422), a sign-in
 * redirect, or the error page in the site's look (403/404/409/429/500), as a full page, an HTMX
 * fragment or JSON for API clients. Unexpected errors are logged with the request id and shown
 * with that id as a reference, never with their details.
 */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const lang = req.lang ?? 'zh-TW';

    if (exception instanceof FormValidationError) {
      const errors = exception.errors.map((e) => ({ field: e.field, message: translate(lang, e.messageKey, e.params) }));
      if (wantsJson(req)) {
        res.status(422).json({ code: exception.code, errors });
        return;
      }
      res.status(422).render(exception.template, {
        ...exception.context,
        titleKey: exception.titleKey,
        errors,
        values: exception.values,
      });
      return;
    }

    if (exception instanceof DomainError && exception.kind === 'not-signed-in') {
      const target = `${(exception as { loginPath?: string }).loginPath ?? '/'}?returnTo=${encodeURIComponent(req.originalUrl)}`;
      if (wantsJson(req)) {
        res.status(401).json({ code: exception.code, message: translate(lang, exception.messageKey) });
      } else if (req.get('HX-Request') === 'true') {
        res.setHeader('HX-Redirect', target);
        res.status(204).end();
      } else {
        res.redirect(303, target);
      }
      return;
    }

    let status = 500;
    let code = 'internal';
    let messageKey = 'errors.500.message';
    let params: Record<string, string | number> = {};
    if (exception instanceof DomainError) {
      status = STATUS[exception.kind];
      code = exception.code;
      messageKey = exception.messageKey;
      params = exception.params;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      code = status === 404 ? 'not-found' : `http-${status}`;
      messageKey = [403, 404, 409, 422].includes(status) ? `errors.${status}.message` : status < 500 ? 'errors.400.message' : 'errors.500.message';
    } else {
      this.logger.error({ err: exception, requestId: req.requestId }, 'Unhandled error');
    }
    if (status >= 500 && exception instanceof HttpException) this.logger.error({ err: exception, requestId: req.requestId }, 'Server error');

    const headingKey = `errors.${[403, 404, 409, 422, 429, 500].includes(status) ? status : status < 500 ? 400 : 500}.heading`;
    if (wantsJson(req)) {
      res.status(status).json({ code, message: translate(lang, messageKey, params), requestId: req.requestId });
      return;
    }
    res.status(status).render('errors/error', {
      titleKey: headingKey,
      status,
      code,
      headingKey,
      messageKey,
      message: translate(lang, messageKey, params),
      requestId: status >= 500 ? req.requestId : undefined,
    });
  }
}

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}
