// What the card services keep in the browser session (req.session.cardServices): which card's
// user code this session has just checked, for which service. A grant is short-lived and used
// up by the step it opens (the PUK is shown once; the card is opened once).

export type GrantPurpose = 'open' | 'unlock';

export interface CardServicesGrant {
  cardNumber: string;
  purpose: GrantPurpose;
  /** When the user code was checked (ms since epoch). */
  at: number;
}

export interface CardServicesSession {
  grants?: CardServicesGrant[];
  /** When this session last asked for a card challenge (keeps the session, and so the challenge's binding). */
  challengeAt?: number;
  /** Where the last user-code reminder went (masked), for its confirmation page. */
  reminderSentTo?: { cardNumber: string; to: string | null };
}

declare module 'express-session' {
  interface SessionData {
    cardServices?: CardServicesSession;
  }
}

/** How long a checked user code opens the next step. */
export const GRANT_TTL_MS = 10 * 60 * 1000;
/** Grants a session keeps (newest last). */
const MAX_GRANTS = 5;

export function grant(session: CardServicesSession, cardNumber: string, purpose: GrantPurpose): void {
  const others = (session.grants ?? []).filter((g) => !(g.cardNumber === cardNumber && g.purpose === purpose));
  session.grants = [...others, { cardNumber, purpose, at: Date.now() }].slice(-MAX_GRANTS);
}

export function hasGrant(session: CardServicesSession, cardNumber: string, purpose: GrantPurpose): boolean {
  return (session.grants ?? []).some((g) => g.cardNumber === cardNumber && g.purpose === purpose && Date.now() - g.at < GRANT_TTL_MS);
}

/** Uses a grant up; true when there was a live one. */
export function takeGrant(session: CardServicesSession, cardNumber: string, purpose: GrantPurpose): boolean {
  const live = hasGrant(session, cardNumber, purpose);
  if (session.grants) session.grants = session.grants.filter((g) => !(g.cardNumber === cardNumber && g.purpose === purpose));
  return live;
}
