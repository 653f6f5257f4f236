// Result codes of certificate validation. The UI and the CLI map each code to a message, so the
// list is exported as a const and a union type; add a code here, never a free-form string.
export const VALIDATION_CODES = [
  'ok',
  'expired',
  'not-yet-valid',
  'untrusted',
  'bad-signature',
  'revoked',
  'on-hold',
  'revocation-unknown',
  'wrong-purpose',
  'unknown-family',
  'malformed',
  'not-a-ca',
  'path-length-exceeded',
  'name-constraints-violated',
  'unknown-critical-extension',
  'weak-key',
  // RFC 5280 conformance, each with its clause (checks.ts, checkConformance)
  'eku-empty',
  'key-cert-sign-not-ca',
  'name-constraints-in-end-entity',
  'name-constraints-empty',
  'ca-subject-empty',
  // policy, not RFC 5280: a CA certificate presented as a sign-in credential
  'ca-as-end-entity',
] as const;

export type ValidationCode = (typeof VALIDATION_CODES)[number];
export type FailureCode = Exclude<ValidationCode, 'ok'>;

export function isValidationCode(value: unknown): value is ValidationCode {
  return typeof value === 'string' && (VALIDATION_CODES as readonly string[]).includes(value);
}

/** Which certificate failed: its place in the path (0 = leaf, last = trust anchor) and subject. */
export interface FailingCertificate {
  position: number;
  /** Absent when the certificate could not be read at all. */
  subject?: string;
}

/**
 * Thrown inside the validator by the checks and turned into a failure result at its edge;
 * callers of `validate()` never see it. `loadCertificates`/`loadCrls` throw it (code 'malformed')
 * for unreadable input.
 */
export class CertificateValidationError extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly certificate?: FailingCertificate,
  ) {
    super(message);
    this.name = 'CertificateValidationError';
  }
}
