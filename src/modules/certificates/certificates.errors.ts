import { domainErrors } from '../../common/errors/domain-error';

/** Every error code of the certificates module (the HSM's own is HsmUnavailableError's 'hsm-unavailable'). */
export type CertificatesErrorCode =
  | 'ca-not-found'
  | 'ca-not-revocable'
  | 'ca-parent-not-ours'
  | 'ca-already-revoked'
  | 'certificate-not-found'
  | 'certificate-changed'
  | 'certificate-state'
  | 'crl-not-found'
  | 'no-issuing-ca'
  | 'revocation-reason-invalid'
  | 'trust-not-found'
  | 'trust-already-present'
  | 'trust-already-disabled'
  | 'dev-pki-in-production';

export const certificatesError = domainErrors<CertificatesErrorCode>();
