import { TokenError } from '../shared/pkcs11';
import { HELPER_CARD_ERRORS, HelperErrorName, HelperErrorResponse, isHelperCardError } from '../shared/web-eid';

/**
 * A refusal the helper answers with. Messages are fixed texts: never the PIN, the PUK or any
 * other part of the request.
 */
export class HelperError extends Error {
  override readonly name = 'HelperError';

  constructor(
    readonly error: HelperErrorName,
    readonly details: {
      triesLeft?: number;
      message?: string;
      /** For the log only (never sent): the failed PKCS#11 call and its CKR_* value. */
      diagnostic?: string;
    } = {},
  ) {
    super(details.message ?? (isHelperCardError(error) ? HELPER_CARD_ERRORS[error].en : error));
  }

  get code(): number | undefined {
    return isHelperCardError(this.error) ? HELPER_CARD_ERRORS[this.error].code : undefined;
  }

  toResponse(): HelperErrorResponse {
    const body: HelperErrorResponse = { error: this.error, message: this.message };
    if (this.code !== undefined) body.code = this.code;
    if (this.details.triesLeft !== undefined) body.triesLeft = this.details.triesLeft;
    return body;
  }
}

/** The card error a failed PKCS#11 call means to the user. */
export function cardErrorOf(error: TokenError): HelperError {
  const diagnostic = error.message; // operation and CKR_* name only (see TokenError)
  switch (error.kind) {
    case 'pin-incorrect':
      return new HelperError('pin-incorrect', { diagnostic });
    case 'pin-locked':
      return new HelperError('pin-locked', { triesLeft: 0, diagnostic });
    case 'pin-len-range':
    case 'pin-invalid':
      return new HelperError('pin-length', { diagnostic });
    case 'token-not-present':
    case 'token-not-recognized':
    case 'token-not-found':
    case 'device-removed':
      return new HelperError('card-not-present', { diagnostic });
    case 'user-pin-not-initialized':
      return new HelperError('card-not-opened', { diagnostic });
    default:
      return new HelperError('card-unreadable', { diagnostic });
  }
}
