import type { Lang } from '../common/i18n/i18n';
import type { Principal } from '../common/context/request-context';

declare module 'express-session' {
  interface SessionData {
    principal?: Principal;
    /** Set when a certificate sign-in starts, so the session (and its challenge binding) persists. */
    loginStartedAt?: number;
  }
}

declare global {
  namespace Express {
    interface Request {
      lang: Lang;
      csrfToken: string;
      requestId: string;
    }
  }
}
export {};
