import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import RedisStore from 'connect-redis';
import type Redis from 'ioredis';
import pinoHttp from 'pino-http';
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
  app.engine('hbs', createViewEngine());
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  const secureCookies = config.cookieSecure === 'true' ? true : config.cookieSecure === 'false' ? false : 'auto';
  app.set(COOKIE_SECURE_SETTING, secureCookies);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    // A request id from outside is kept only when it came through a trusted proxy.
    req.requestId = incoming && /^[\w.-]{8,100}$/.test(incoming) && req.ip !== req.socket.remoteAddress ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    requestContext.run({ requestId: req.requestId, clientIp: req.ip ?? null, principal: null }, next);
  });
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => (req as Request).requestId,
      customProps: (req) => ({ clientIp: (req as Request).ip }),
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith(`${ASSET_PATH}/`) },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(
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
  // All static serving (caching, precompressed variants) is in src/core/static-assets.ts.
  app.use(ASSET_PATH, staticAssets(PUBLIC_BUILD_DIR));
  // OCSP requests (RFC 6960) are DER; a few CertIDs take well under a kilobyte.
  app.use('/pki/ocsp', express.raw({ type: 'application/ocsp-request', limit: '16kb' }));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 500 }));
  app.use(express.json({ limit: '200kb' }));
  app.use(
    session({
      name: SESSION_COOKIE,
      store: new RedisStore({ client: redis, prefix: SESSION_KEY_PREFIX, ttl: config.sessionIdleMinutes * 60 }),
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: secureCookies, maxAge: config.sessionIdleMinutes * 60_000 },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    req.sessionLoaded = sessionIdOfCookie(readCookie(req, SESSION_COOKIE)) === req.sessionID;
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
 * The session's principal while its sign-in lasts: a sign-in ends SESSION_MAX_HOURS_STAFF (staff)
 * or SESSION_MAX_HOURS (others) after it began, however active the session; after that (or for a
 * session without a sign-in time) the principal is dropped and the next page asks to sign in.
 */
function signedInPrincipal(req: Request, config: AppConfig): Principal | null {
  const principal = req.session.principal;
  if (!principal) return null;
  const hours = isStaffRole(principal.role) ? config.sessionMaxHours.staff : config.sessionMaxHours.others;
  const signedInAt = req.session.signedInAt;
  if (typeof signedInAt === 'number' && Date.now() - signedInAt < hours * 3_600_000) return principal;
  delete req.session.principal;
  delete req.session.signedInAt;
  return null;
}

/** The session id inside the signed session cookie (`s:<id>.<signature>`), if any. */
function sessionIdOfCookie(value: string | undefined): string | undefined {
  if (!value?.startsWith('s:')) return undefined;
  const dot = value.lastIndexOf('.');
  return dot > 2 ? value.slice(2, dot) : undefined;
}
