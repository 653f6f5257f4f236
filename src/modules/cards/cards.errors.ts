import { domainErrors } from '../../common/errors/domain-error';
import type { ProofFailure } from '../auth';

/** Why the server did not accept that the card itself was present (message cardServices.presence.<code>). */
export type PresenceFailure = ProofFailure | 'certificate-not-this-card';

/** Every error code of the cards module. */
export type CardsErrorCode =
  | PresenceFailure
  | 'card-changed'
  | 'card-transition-illegal'
  | 'card-type-unknown'
  | 'card-not-found'
  | 'card-service-unavailable'
  | 'card-service-not-found'
  | 'card-user-code-first'
  | 'card-user-code-locked'
  | 'card-user-code-slowed'
  | 'card-lookup-rate-limited'
  | 'card-user-code-rate-limited'
  | 'card-presence-rate-limited'
  | 'card-reminder-rate-limited'
  | 'card-reminder-card-limited'
  | 'card-renewal-not-open'
  | 'card-renewal-not-writable'
  | 'card-renewal-certificate-invalid'
  | 'cards-lookup-rate-limited'
  | 'cards-registry-rate-limited'
  | 'cards-details-rate-limited'
  | 'counter-staff-without-counter'
  | 'reservation-not-at-counter';

export const cardsError = domainErrors<CardsErrorCode>();
