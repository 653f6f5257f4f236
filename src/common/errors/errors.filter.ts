import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { formatDay } from '../i18n/dates';
import { translate, type Lang } from '../i18n/i18n';
import { isIsoDay } from '../time/taipei-day';
import { commonError, DomainError, FormValidationError } from './domain-error';

const STATUS: Record<DomainError['kind'], number> = {
  validation: 422,
  'bad-request': 400,
  'not-signed-in': 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-many': 429,
  unavailable: 503,
};

/** Statuses with their own heading and message in the catalogs (errors.<status>.heading/message). */
const PAGES = new Set([400, 403, 404, 409, 413, 415, 422, 429, 500, 503]);

/** Error codes of a lost or refused database connection (mysql2 / MariaDB / MySQL). */
const DATABASE_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_ACCESS_DENIED_ERROR']);

/**
 * A database or Redis outage, told from a failure of the request itself: database connection
 * errors (on the error or, from TypeORM, on its driverError) and ioredis' "gave up" errors.
 */
export function outageOf(err: unknown): DomainError | null {
  // Duck-typed: errors from Node's own sockets may come from another realm than this code's Error.
  if (typeof err !== 'object' || err === null || typeof (err as Error).message !== 'string') return null;
  const e = err as Error & { code?: string; fatal?: boolean };
  const driver = e instanceof QueryFailedError ? (e.driverError as { code?: string; fatal?: boolean }) : e;
  if ((driver.code && DATABASE_DOWN.has(driver.code)) || driver.fatal === true) return commonError.unavailable('database-unavailable', 'errors.unavailable.database');
  if (e.name === 'MaxRetriesPerRequestError' || /^Connection is closed\.?$|enableOfflineQueue options is false/.test(e.message)) {
    return commonError.unavailable('redis-unavailable', 'errors.unavailable.redis');
  }
  return null;
}

/** An error from Express or body-parser meant to be shown (payload too large, bad encoding, bad JSON...). */
function exposedHttpError(err: unknown): { status: number; type: string } | null {
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; type?: unknown } | null;
  const status = Number(e?.status ?? e?.statusCode);
  if (!e || e.expose !== true || !(status >= 400 && status < 500)) return null;
  return { status, type: typeof e.type === 'string' ? e.type : `http-${status}` };
}

/**
 * The one place errors become responses: a form re-rendered with its values (422), a sign-in
 * redirect, or the error page in the site's look, as a full page, an HTMX fragment or JSON for
 * API clients. Bad requests are logged at warn, outages (503) at warn with their cause,
 * unexpected errors at error with the request id, which the page shows as a reference; their
 * details never reach the page.
 */
/** Days in an error's params ('YYYY-MM-DD') in the reader's words: the one date formatter for errors too. */
function dayParams(params: Record<string, string | number> | undefined, lang: Lang): Record<string, string | number> {
  return Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, typeof v === 'string' && isIsoDay(v) ? formatDay(v, lang) : v]));
}

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
      const errors = exception.errors.map((e) => ({ field: e.field, message: translate(lang, e.messageKey, dayParams(e.params, lang)) }));
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

    const error = exception instanceof DomainError ? exception : outageOf(exception);
    let status = 500;
    let code = 'internal';
    let messageKey = 'errors.500.message';
    let params: Record<string, string | number> = {};
    const exposed = error ? null : exposedHttpError(exception);
    if (error) {
      status = STATUS[error.kind];
      code = error.code;
      messageKey = error.messageKey;
      params = error.params;
      if (error.kind === 'unavailable') this.logger.warn({ code, err: exception, requestId: req.requestId }, 'Service unavailable');
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      code = status === 404 ? 'route-not-found' : `http-${status}`;
      messageKey = PAGES.has(status) ? `errors.${status}.message` : status < 500 ? 'errors.400.message' : 'errors.500.message';
      if (status >= 500) this.logger.error({ err: exception, requestId: req.requestId }, 'Server error');
    } else if (exposed) {
      status = exposed.status;
      code = exposed.type;
      messageKey = PAGES.has(status) ? `errors.${status}.message` : 'errors.400.message';
      this.logger.warn({ code, status, requestId: req.requestId }, 'Bad request');
    } else {
      this.logger.error({ err: exception, requestId: req.requestId }, 'Unhandled error');
    }

    const headingKey = `errors.${PAGES.has(status) ? status : status < 500 ? 400 : 500}.heading`;
    if (status === 503) res.setHeader('Retry-After', '30');
    if (wantsJson(req)) {
      res.status(status).json({ code, message: translate(lang, messageKey, dayParams(params, lang)), requestId: req.requestId });
      return;
    }
    res.status(status).render('errors/error', {
      titleKey: headingKey,
      status,
      code,
      headingKey,
      messageKey,
      message: translate(lang, messageKey, dayParams(params, lang)),
      requestId: status >= 500 ? req.requestId : undefined,
    });
  }
}

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}
