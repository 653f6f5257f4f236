import { domainErrors } from '../../common/errors/domain-error';
import type { ProofFailure } from '../auth';

/** Why a presented NHI card was not accepted (the card check: present, this session's challenge, a genuine NHI card). */
export type NhiCardFailure = ProofFailure | 'card-not-nhi' | 'card-invalid';

/** Why an NHI card + password sign-in (or a card + password check) was refused; catalog: nhiCard.errors.<code>. */
export type NhiLoginFailure =
  | NhiCardFailure
  | 'rate-limited'
  | 'not-registered'
  | 'not-verified'
  | 'password-wrong'
  | 'password-paused'
  | 'password-locked'
  | 'no-account'
  | 'intranet-only'
  | 'otp-wrong'
  | 'unit-code-invalid'
  | 'unit-unknown'
  | 'unit-not-registered'
  | 'not-responsible';

export type NhiCardErrorCode = NhiLoginFailure | 'link-unknown' | 'link-used' | 'link-expired' | 'registration-rate-limited';

export const nhiCardError = domainErrors<NhiCardErrorCode>();

/** A refused sign-in: 400 for a malformed request, 429 when rate-limited or paused, otherwise 403. */
export function nhiLoginRefused(code: NhiLoginFailure, params?: Record<string, string | number>) {
  const key = `nhiCard.errors.${code}`;
  if (code === 'rate-limited' || code === 'password-paused') return nhiCardError.tooMany(code, key, params);
  if (code === 'token-malformed') return nhiCardError.badRequest(code, key, params);
  return nhiCardError.forbidden(code, key, params);
}
