import type { Lang } from '../common/i18n/i18n';
import type { Principal } from '../common/context/request-context';
import type { CardReservationSession } from '../modules/cards/reservation-draft';
import type { EmployerRegistrationDraft, ReplacementDraft } from '../modules/employer-registry/registration-draft';

declare module 'express-session' {
  interface SessionData {
    principal?: Principal;
    /** When the principal signed in (ms): the session's absolute lifetime counts from here. */
    signedInAt?: number;
    /** Set when a certificate sign-in starts, so the session (and its challenge binding) persists. */
    loginStartedAt?: number;
    /** Set by @AttemptBy(): the session is kept, so per-session attempt counts last. */
    attemptsFrom?: number;
    /** The card-less NHI sign-in in progress: whose code was sent (blind index), and whether the code was right. */
    nhiCardless?: { index: string; codeOk: boolean; startedAt: number };
    /** An authenticator enrolment shown once and waiting for its first code (NHI card OTP). */
    nhiOtpEnrol?: { accountId: string };
    /** The card reservation journey: its draft and the reservations this session may see. */
    cardReservation?: CardReservationSession;
    /** The employers' first registration in progress (unit and manager certificates, details). */
    employerRegistration?: EmployerRegistrationDraft;
    /** A certificate replacement in progress (更換憑證). */
    employerReplacement?: ReplacementDraft;
    /** The unit's manager read their own citizen certificate in this session (delegation pages). */
    delegationManager?: { unitCode: string; at: number; registration: string };
    /** An operator's card read on the delegation pages, for the add form ('add') or an operator's edit form (its id). */
    delegationCardRead?: { for: string; at: number; serial: string; name: string; credentialType: string };
  }
}

declare global {
  namespace Express {
    interface Request {
      lang: Lang;
      /** This request's CSRF nonce (its cookie's, or a new one). */
      csrfNonce: string;
      /** The request came with a session the store had (not one begun now). */
      sessionLoaded: boolean;
      /** express-session has run for this request (at once with a session cookie, else when first used). */
      sessionStarted: boolean;
      requestId: string;
      /** The client address is in INTRANET_CIDRS (set by the access guard). */
      fromIntranet?: boolean;
    }
  }
}
export {};
