import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import RedisStore from 'connect-redis';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { toBlockList } from '../../config/app-config';
import { isStaffRole } from '../access/roles';
import { requestContext, type Principal } from '../context/request-context';
import { DEFAULT_LANG, htmlLang, isLang, LANG_COOKIE } from '../i18n/i18n';
import { ASSET_PATH, staticAssets } from '../../core/static-assets';
import { PUBLIC_BUILD_DIR, VIEWS_DIR } from '../paths';
import { addressIn } from './client-address';
import { COOKIE_SECURE_SETTING, readCookie } from './cookies';
import { csrfNonceOf, csrfTokenOf } from './csrf';
import { LinksRegistry } from './links';
import { createViewEngine } from './view-engine';

export const SESSION_COOKIE = 'nhi.sid';
/** Redis key prefix of the sessions (connect-redis). */
export const SESSION_KEY_PREFIX = 'sess:';

/**
 * Everything in front of Nest's router, in order: client address from the trusted proxy only,
 * request id + logging + request context, security headers, static assets, body parsing, the
 * Redis session, the CSRF nonce, the language, and the values every page template needs.
 */
export function configureHttpPipeline(app: NestExpressApplication, config: AppConfig, redis: Redis, logger: Logger): void {
  const trusted = toBlockList(config.trustProxy);
  const intranet = toBlockList(config.intranetCidrs);
  const links = app.get(LinksRegistry);
  app.set('trust proxy', (address: string) => addressIn(trusted, address));
  app.disable('x-powered-by');
  // Pages are no-store (below): an ETag (a SHA-1 of every body) would never be used. Downloads,
  // static assets, CRLs and OCSP answers set their own validators.
  app.set('etag', false);
  app.engine('hbs', createViewEngine());
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  // Templates are compiled once by the ViewRenderer; this keeps Express from looking up each view's file on every render.
  app.set('view cache', true);
  const secureCookies = config.cookieSecure === 'true' ? true : config.cookieSecure === 'false' ? false : 'auto';
  app.set(COOKIE_SECURE_SETTING, secureCookies);

  const securityHeaders = headersSetBy(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          // the login page's script talks to the reader helper on the user's own PC
          connectSrc: ["'self'", new URL(config.helperUrl).origin],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
        },
      },
      strictTransportSecurity: config.publicOrigin.startsWith('https:'),
      // Other sites learn nothing of our addresses; our own forms name their origin (Origin and
      // Referer), which the CSRF guard checks. (no-referrer would make every form say Origin: null.)
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  const logRequest = accessLog(logger);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const ip = req.ip;
    // A request id from outside is kept only when it came through a trusted proxy.
    req.requestId = incoming && /^[\w.-]{8,100}$/.test(incoming) && ip !== req.socket.remoteAddress ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    // helmet's headers are the same for every answer: worked out once, set here.
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    logRequest(req, res);
    requestContext.run({ requestId: req.requestId, clientIp: ip ?? null, principal: null }, next);
  });
  // All static serving (caching, precompressed variants) is in src/core/static-assets.ts.
  app.use(ASSET_PATH, staticAssets(PUBLIC_BUILD_DIR));
  // OCSP requests (RFC 6960) are DER; a few CertIDs take well under a kilobyte.
  app.use('/pki/ocsp', express.raw({ type: 'application/ocsp-request', limit: '16kb' }));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 500 }));
  app.use(express.json({ limit: '200kb' }));
  const sessions = session({
    name: SESSION_COOKIE,
    store: new RedisStore({ client: redis, prefix: SESSION_KEY_PREFIX, ttl: config.sessionIdleMinutes * 60 }),
    secret: config.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: secureCookies, maxAge: config.sessionIdleMinutes * 60_000 },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const cookie = readCookie(req, SESSION_COOKIE);
    if (cookie === undefined) return beginSessionWhenUsed(req, res, sessions, next);
    req.sessionStarted = true;
    sessions(req, res, next);
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    req.sessionLoaded = req.sessionStarted && sessionIdOfCookie(readCookie(req, SESSION_COOKIE)) === req.sessionID;
    req.csrfNonce = csrfNonceOf(req, res);
    const cookieLang = readCookie(req, LANG_COOKIE);
    req.lang = isLang(cookieLang) ? cookieLang : DEFAULT_LANG;
    const principal = signedInPrincipal(req, config);
    const ctx = requestContext.get();
    if (ctx) ctx.principal = principal;

    res.setHeader('Vary', 'HX-Request, Cookie');
    // Pages carry personal data or a signed-in user's view: never kept by a browser or a shared
    // cache. (Static assets are answered before this; the CRLs and OCSP set their own caching.)
    res.setHeader('Cache-Control', 'no-store');
    const htmx = req.get('HX-Request') === 'true' && req.get('HX-Boosted') !== 'true';
    // The forms' token, taken when the page is rendered: bound to the session the handler may just have begun.
    Object.defineProperty(res.locals, 'csrfToken', { enumerable: true, configurable: true, get: () => csrfTokenOf(req, config.sessionSecret) });
    Object.assign(res.locals, {
      lang: req.lang,
      htmlLang: htmlLang(req.lang),
      currentPath: req.originalUrl,
      user: principal ? { displayName: principal.displayName, roleKey: `role.${principal.role}` } : null,
      nav: links.navigationFor(principal, req.path, addressIn(intranet, req.ip)),
      partialOnly: htmx,
    });
    next();
  });
}

/**
 * The headers a header-only middleware (helmet) sets, worked out once by running it against a
 * stand-in response. Helmet's middlewares are synchronous and look at nothing in the request.
 */
export function headersSetBy(middleware: RequestHandler): Array<[string, string]> {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set(name, Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  let called = false;
  middleware({ headers: {} } as Request, res as unknown as Response, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    called = true;
  });
  if (!called) throw new Error('the header middleware did not finish synchronously');
  return [...headers];
}

/**
 * One access-log line per answer (what pino-http wrote, without a child logger per request):
 * request id, method, URL, status, client address and time taken; 5xx at error, 4xx at warn, the
 * rest at info. Static assets are not logged. Nothing is set up when the level would drop the line.
 */
export function accessLog(logger: Logger): (req: Request, res: Response) => void {
  return (req, res) => {
    if (!logger.isLevelEnabled('error') || req.url.startsWith(`${ASSET_PATH}/`)) return;
    const started = performance.now();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        { reqId: req.requestId, req: { method: req.method, url: req.originalUrl }, res: { statusCode: res.statusCode }, clientIp: req.ip, responseTime: Math.round(performance.now() - started) },
        'request completed',
      );
    });
  };
}

/**
 * The session's principal while its sign-in lasts: a sign-in ends SESSION_MAX_HOURS_STAFF (staff)
 * or SESSION_MAX_HOURS (others) after it began, however active the session; after that (or for a
 * session without a sign-in time) the principal is dropped and the next page asks to sign in.
 */
function signedInPrincipal(req: Request, config: AppConfig): Principal | null {
  if (!req.sessionStarted) return null; // no session cookie: nobody signed in
  const principal = req.session.principal;
  if (!principal) return null;
  const hours = isStaffRole(principal.role) ? config.sessionMaxHours.staff : config.sessionMaxHours.others;
  const signedInAt = req.session.signedInAt;
  if (typeof signedInAt === 'number' && Date.now() - signedInAt < hours * 3_600_000) return principal;
  delete req.session.principal;
  delete req.session.signedInAt;
  return null;
}

/**
 * A request without a session cookie (most anonymous page views) begins its session only when
 * something reads or sets `req.session` or `req.sessionID`: express-session then runs at that
 * moment (for a request without a cookie it finishes synchronously: a new, empty session, saved
 * only if it gets data). Until then no session id is drawn and no session is hashed.
 */
function beginSessionWhenUsed(req: Request, res: Response, sessions: RequestHandler, next: NextFunction): void {
  req.sessionStarted = false;
  const slot = req as unknown as Record<'session' | 'sessionID', unknown>;
  const begin = () => {
    if (req.sessionStarted) return;
    delete slot.session;
    delete slot.sessionID;
    req.sessionStarted = true;
    let failure: unknown;
    sessions(req, res, (err?: unknown) => (failure = err));
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  };
  for (const name of ['session', 'sessionID'] as const) {
    Object.defineProperty(req, name, {
      configurable: true,
      enumerable: true,
      get: () => (begin(), slot[name]),
      set: (value: unknown) => {
        begin();
        slot[name] = value;
      },
    });
  }
  next();
}

/** The session id inside the signed session cookie (`s:<id>.<signature>`), if any. */
function sessionIdOfCookie(value: string | undefined): string | undefined {
  if (!value?.startsWith('s:')) return undefined;
  const dot = value.lastIndexOf('.');
  return dot > 2 ? value.slice(2, dot) : undefined;
}
