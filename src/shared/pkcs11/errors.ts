import * as pkcs11js from 'pkcs11js';

/**
 * What went wrong in a PKCS#11 call, as a stable name. The CKR_* values that callers act on get
 * their own kind; every other return value is 'other' with the CKR name kept in `ckr`.
 */
export type TokenErrorKind =
  | 'pin-incorrect'
  | 'pin-locked'
  | 'pin-len-range'
  | 'pin-invalid'
  | 'pin-expired'
  | 'token-not-present'
  | 'token-not-recognized'
  | 'device-removed'
  | 'device-error'
  | 'user-pin-not-initialized'
  | 'user-not-logged-in'
  | 'user-already-logged-in'
  | 'user-another-already-logged-in'
  | 'session-invalid'
  | 'handle-invalid'
  | 'attribute-sensitive'
  | 'attribute-read-only'
  | 'key-function-not-permitted'
  | 'mechanism-invalid'
  | 'token-write-protected'
  | 'cryptoki-not-initialized'
  | 'library-load-failed'
  // Raised by this wrapper, not by the module:
  | 'token-not-found'
  | 'object-not-found'
  | 'invalid-argument'
  | 'other';

const KIND_BY_CKR: Record<string, TokenErrorKind> = {
  CKR_PIN_INCORRECT: 'pin-incorrect',
  CKR_PIN_LOCKED: 'pin-locked',
  CKR_PIN_LEN_RANGE: 'pin-len-range',
  CKR_PIN_INVALID: 'pin-invalid',
  CKR_PIN_EXPIRED: 'pin-expired',
  CKR_TOKEN_NOT_PRESENT: 'token-not-present',
  CKR_TOKEN_NOT_RECOGNIZED: 'token-not-recognized',
  CKR_DEVICE_REMOVED: 'device-removed',
  CKR_DEVICE_ERROR: 'device-error',
  CKR_USER_PIN_NOT_INITIALIZED: 'user-pin-not-initialized',
  CKR_USER_NOT_LOGGED_IN: 'user-not-logged-in',
  CKR_USER_ALREADY_LOGGED_IN: 'user-already-logged-in',
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: 'user-another-already-logged-in',
  CKR_SESSION_HANDLE_INVALID: 'session-invalid',
  CKR_SESSION_CLOSED: 'session-invalid',
  CKR_OBJECT_HANDLE_INVALID: 'handle-invalid',
  CKR_KEY_HANDLE_INVALID: 'handle-invalid',
  CKR_ATTRIBUTE_SENSITIVE: 'attribute-sensitive',
  CKR_ATTRIBUTE_READ_ONLY: 'attribute-read-only',
  CKR_KEY_FUNCTION_NOT_PERMITTED: 'key-function-not-permitted',
  CKR_MECHANISM_INVALID: 'mechanism-invalid',
  CKR_TOKEN_WRITE_PROTECTED: 'token-write-protected',
  CKR_CRYPTOKI_NOT_INITIALIZED: 'cryptoki-not-initialized',
  CKR_LIBRARY_LOAD_FAILED: 'library-load-failed',
};

/**
 * A failed PKCS#11 operation. The message names the operation and the CKR_* value only: PINs
 * and other arguments never reach it.
 */
export class TokenError extends Error {
  override readonly name = 'TokenError';

  constructor(
    readonly kind: TokenErrorKind,
    /** The wrapper operation that failed, e.g. 'C_Login'. */
    readonly operation: string,
    /** The CKR_* name when the module returned one. */
    readonly ckr?: string,
    /** The CKR_* numeric value when the module returned one. */
    readonly ckrCode?: number,
    message?: string,
  ) {
    super(message ?? `${operation} failed: ${ckr ?? kind}`);
  }
}

/** Turns whatever a pkcs11js call threw into a TokenError (never copying arguments into it). */
export function toTokenError(error: unknown, operation: string): TokenError {
  if (error instanceof TokenError) return error;
  if (error instanceof pkcs11js.Pkcs11Error) {
    const ckr = /^(CKR_\w+)/.exec(error.message)?.[1] ?? `CKR_0x${error.code.toString(16)}`;
    return new TokenError(KIND_BY_CKR[ckr] ?? 'other', operation, ckr, error.code);
  }
  if (error instanceof TypeError) return new TokenError('invalid-argument', operation, undefined, undefined, `${operation} failed: ${error.message}`);
  // NativeError messages come from the binding (e.g. a library that cannot be loaded); they
  // carry no call arguments.
  const message = error instanceof Error ? error.message : String(error);
  return new TokenError('other', operation, undefined, undefined, `${operation} failed: ${message}`);
}

/** Runs a pkcs11js call, converting its failure into a TokenError. */
export function call<T>(operation: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toTokenError(error, operation);
  }
}
