// Public API of the certificate validator (plain TypeScript: no Nest, database or Redis).
export { VALIDATION_CODES, isValidationCode, CertificateValidationError } from './errors';
export type { ValidationCode, FailureCode, FailingCertificate } from './errors';
export { createValidator } from './validator';
export type {
  CertificateValidator,
  ValidatorOptions,
  ValidateOptions,
  ValidatorStats,
  TrustAnchorConfig,
  TrustAnchorInput,
} from './validator';
export type { ValidationResult, ValidationSuccess, ValidationFailure, CertificateSummary } from './result';
export type { Purpose } from './checks';
export { MIN_RSA_BITS } from './checks';
export { CREDENTIAL_FAMILIES, DEFAULT_FAMILY_MAPPING } from './family';
export type { CredentialFamily, FamilyMapping, DirectoryAttributes } from './family';
export type { SubjectFields } from './names';
export type { RevocationSource, RevocationStatus, RevocationState, RevocationPolicy, RevocationSummary } from './revocation';
export { CrlRevocationSource, crlParseStats } from './crl-revocation-source';
export { OcspRevocationSource, OCSP_POLICIES, ocspUrlsOf } from './ocsp-revocation-source';
export type { OcspFetcher, OcspPolicy, OcspSettings, OcspRevocationSourceOptions } from './ocsp-revocation-source';
export type { CrlRevocationSourceOptions } from './crl-revocation-source';
export { loadCertificates, loadCrls } from './encoding';
export { CrlFormatError, encodeCertificateList, encodeTbsCertList, parseCrlDer } from './crl-der';
export type { CrlContent, CrlDocument, CrlEntry } from './crl-der';
export type { CertificateInput, CrlInput, BinaryInput } from './encoding';
export { DEFAULT_PATH_LIMITS } from './path-builder';
export type { PathLimits } from './path-builder';
export { verifyFromFiles, verifyExitCode, toJsonOutput } from './verify-command';
export type { VerifyCommandInput, VerifyCommandOutput } from './verify-command';
export { OID } from './oids';
export { SignatureVerifier } from './algorithms';
export { normalizeName } from './names';
export { parseCertificate, serialKey } from './parse';
