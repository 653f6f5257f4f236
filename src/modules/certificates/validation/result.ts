// What validate() returns. Dates are Date objects; see verify-command.ts for the JSON form.
import { FailureCode } from './errors';
import { CredentialFamily, DirectoryAttributes } from './family';
import { SubjectFields } from './names';
import { ParsedCertificate } from './parse';
import { RevocationSummary } from './revocation';

export interface CertificateSummary {
  /** 0 = leaf, last = trust anchor. */
  position: number;
  subject: string;
  issuer: string;
  /** Hex uppercase. */
  serialNumber: string;
  /** SHA-256 of the DER encoding, hex uppercase. */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  trustAnchor: boolean;
}

export interface ValidationSuccess {
  valid: true;
  code: 'ok';
  message: string;
  /** null only when validated with requireFamily: false and no family matched. */
  family: CredentialFamily | null;
  subject: SubjectFields;
  directoryAttributes: DirectoryAttributes;
  /** Certificate policy OIDs of the leaf. */
  policies: string[];
  /** Leaf serial number, hex uppercase. */
  serialNumber: string;
  /** Leaf issuer DN. */
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the leaf's DER encoding, hex uppercase. */
  fingerprint: string;
  /** Leaf first, trust anchor last. */
  path: CertificateSummary[];
  revocation: RevocationSummary;
  /** Whether the issuer chain came from the validated-chain cache. */
  chainCache: 'hit' | 'miss';
}

export interface ValidationFailure {
  valid: false;
  code: FailureCode;
  /** A human-readable explanation (English), for logs, the CLI and audit records. */
  message: string;
  /** Position of the failing certificate in the path (0 = leaf), when known. */
  position?: number;
  /** Subject DN of the failing certificate, when known. */
  subject?: string;
}

export type ValidationResult = ValidationSuccess | ValidationFailure;

export function summarize(cert: ParsedCertificate, position: number, trustAnchor: boolean): CertificateSummary {
  return {
    position,
    subject: cert.subjectDn,
    issuer: cert.issuerDn,
    serialNumber: cert.serialNumber,
    fingerprint: cert.fingerprint,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    trustAnchor,
  };
}
