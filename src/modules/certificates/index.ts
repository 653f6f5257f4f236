// The certificates module's face: what other modules (and the CLI) may use. The validator
// itself (./validation) is plain TypeScript; other modules reach its types through here.
export { CertificatesModule, CertificatesWorkerModule } from './certificates.module';
export { TrustStoreService, TrustInputError, trustEntry } from './trust-store.service';
export { CertificateIssuer, IssueInputError, type IssueRequest, type IssuedResult } from './certificate-issuer.service';
export {
  RevocationService,
  REVOCATION_REASONS,
  isRevocationReason,
  CA_REVOCATION_REASONS,
  isCaRevocationReason,
  type RevocationReason,
  type CaRevocationReason,
} from './revocation.service';
export { CaRevocationService, type CaRevocationPlan } from './ca-revocation.service';
export { OcspResponderService, type OcspResponder } from './ocsp/ocsp-responder.service';
export { CrlService } from './crl.service';
export { DevPkiService } from './dev-pki.service';
export { HsmService, HsmUnavailableError } from './hsm.service';
export {
  CA_FAMILIES,
  isCaFamily,
  REVOCATION_POLICIES,
  isRevocationPolicy,
  type CaCertificate,
  type CredentialFamilyCode,
  type RevocationPolicyCode,
} from './certificates.entity';
export type { SubjectKind } from './ca-profiles';
export type { LeafSubject } from './leaf-subject';
export { PKI_VERIFY_USAGE } from './pki-verify.cli';
export type { CredentialFamily, FailureCode, ValidationSuccess } from './validation';
