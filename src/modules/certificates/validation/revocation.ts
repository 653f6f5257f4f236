// Revocation: the interface any source implements (CRLs now, OCSP perhaps later) and how the
// validator turns a source's answer into a verdict under the configured policy.
import { x509 } from './x509-runtime';
import { CertificateValidationError } from './errors';
import { located, ParsedCertificate } from './parse';

export type RevocationState = 'good' | 'revoked' | 'on-hold' | 'unknown';

export interface RevocationStatus {
  status: RevocationState;
  /** CRL reason name for 'revoked' / 'on-hold', e.g. 'keyCompromise', 'certificateHold'. */
  reason?: string;
  revokedAt?: Date;
  /** Why the status is 'unknown' (no CRL, stale CRL, bad CRL signature...). */
  detail?: string;
}

export interface RevocationSource {
  /** The status of `cert`, issued by `issuer`, as known at `at` (default: now). */
  status(cert: x509.X509Certificate, issuer: x509.X509Certificate, at?: Date): Promise<RevocationStatus>;
}

/**
 * 'off': no revocation checking. Otherwise every certificate below the anchor is checked with
 * `source`; mode 'require' (the default, fail closed) turns an unknown status into
 * 'revocation-unknown', 'soft-fail' accepts it and reports revocation 'unknown' on success.
 */
export type RevocationPolicy = 'off' | { source: RevocationSource; mode?: 'require' | 'soft-fail' };

/** Summary on a successful result. */
export type RevocationSummary = 'good' | 'unknown' | 'not-checked';

/** Checks one certificate; throws on revoked / on hold / (fail closed) unknown. */
export async function checkRevocation(
  policy: RevocationPolicy,
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  position: number,
  at: Date,
): Promise<RevocationSummary> {
  if (policy === 'off') return 'not-checked';
  let answer: RevocationStatus;
  try {
    answer = await policy.source.status(cert.x509, issuer.x509, at);
  } catch (error) {
    answer = { status: 'unknown', detail: `the revocation source failed: ${(error as Error).message}` };
  }
  const where = located(cert, position);
  const when = answer.revokedAt ? ` since ${answer.revokedAt.toISOString()}` : '';
  switch (answer.status) {
    case 'good':
      return 'good';
    case 'revoked':
      throw new CertificateValidationError('revoked', `"${cert.subjectDn}" is revoked${when} (${answer.reason ?? 'unspecified'}).`, where);
    case 'on-hold':
      throw new CertificateValidationError('on-hold', `"${cert.subjectDn}" is suspended (certificate hold)${when}.`, where);
    case 'unknown':
      if (policy.mode === 'soft-fail') return 'unknown';
      throw new CertificateValidationError(
        'revocation-unknown',
        `The revocation status of "${cert.subjectDn}" is unknown: ${answer.detail ?? 'no answer'}.`,
        where,
      );
  }
}

export function combineRevocation(a: RevocationSummary, b: RevocationSummary): RevocationSummary {
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  if (a === 'not-checked' || b === 'not-checked') return 'not-checked';
  return 'good';
}
