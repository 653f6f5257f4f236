import { domainErrors } from '../../common/errors/domain-error';
import type { FailureCode } from '../certificates';

/** Why a card's token did not prove possession of the card for this session and origin. */
export type ProofFailure =
  | 'token-malformed'
  | 'origin-mismatch'
  | 'challenge-unknown'
  | 'challenge-expired'
  | 'challenge-replayed'
  | 'challenge-other-session'
  | 'certificate-malformed'
  | 'signature-invalid';

/** Why a certificate sign-in was refused; each has its catalog message login.errors.<code>. */
export type LoginFailure = ProofFailure | 'card-type-unknown' | 'card-type-mismatch' | 'no-account' | 'certificate-renewed' | 'intranet-only' | 'rate-limited' | `certificate-${FailureCode}`;

export type AuthErrorCode = LoginFailure | 'challenges-rate-limited' | 'break-glass-disabled' | 'staff-login-paused' | 'staff-not-found' | 'staff-already-disabled' | 'staff-nhi-card-invalid';

export const authError = domainErrors<AuthErrorCode>();

/** A refused certificate sign-in: 400 for a malformed request, 429 when rate-limited, otherwise 403. */
export function loginRefused(code: LoginFailure) {
  const key = `login.errors.${code}`;
  if (code === 'rate-limited') return authError.tooMany(code, key);
  if (code === 'token-malformed' || code === 'card-type-unknown') return authError.badRequest(code, key);
  return authError.forbidden(code, key);
}
