import type { Request } from 'express';

/** The app setting holding COOKIE_SECURE (true, false or 'auto'). */
export const COOKIE_SECURE_SETTING = 'cookie secure';

/** Whether our cookies are Secure on this request: per COOKIE_SECURE (auto: when the request came over TLS). */
export function secureCookies(req: Request): boolean {
  const secure = req.app.get(COOKIE_SECURE_SETTING) as boolean | 'auto' | undefined;
  return secure === 'auto' || secure === undefined ? req.secure : secure;
}

/** Our own cookies' attributes: HttpOnly, SameSite=Lax, Secure (see secureCookies), the whole site. */
export function cookieOptions(req: Request, maxAge?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: secureCookies(req), path: '/', ...(maxAge ? { maxAge } : {}) };
}

/** The one cookie parser we need: read a single cookie by name. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
