// The per-certificate rules of RFC 5280 path validation that do not need cryptography.
// Each check throws CertificateValidationError with the certificate's position in the path
// (0 = leaf, last = trust anchor).
import * as asn1X509 from '@peculiar/asn1-x509';
import { CertificateValidationError, type FailureCode } from './errors';
import { nameWithin, normalizeName, NormalizedName } from './names';
import { KNOWN_CRITICAL_EXTENSIONS, OID } from './oids';
import { located, ParsedCertificate } from './parse';

export type Purpose = 'client-auth' | 'any';

const KEY_USAGE = { digitalSignature: 1, keyCertSign: 32, cRLSign: 64 } as const;

export const MIN_RSA_BITS = 2048;

export function checkWellFormed(cert: ParsedCertificate, position: number): void {
  if (cert.defects.length > 0) {
    throw new CertificateValidationError('malformed', `"${cert.subjectDn}" is malformed: ${cert.defects.join('; ')}.`, located(cert, position));
  }
}

export function checkKeyStrength(cert: ParsedCertificate, position: number): void {
  const key = cert.key;
  let problem: string | undefined;
  if (key.kind === 'rsa' && key.modulusBits < MIN_RSA_BITS) problem = `RSA key of ${key.modulusBits} bits (at least ${MIN_RSA_BITS} required)`;
  if (key.kind === 'ec' && !key.curve) problem = `EC key on curve ${key.curveOid ?? '(not a named curve)'} (only P-256, P-384, P-521 accepted)`;
  if (key.kind === 'unsupported') problem = `key algorithm ${key.algorithm} is not accepted`;
  if (problem) throw new CertificateValidationError('weak-key', `"${cert.subjectDn}" has a weak or unsupported key: ${problem}.`, located(cert, position));
}

export function checkCriticalExtensions(cert: ParsedCertificate, position: number): void {
  const unknown = cert.extensions.critical.filter((oid) => !KNOWN_CRITICAL_EXTENSIONS.has(oid));
  if (unknown.length > 0) {
    throw new CertificateValidationError(
      'unknown-critical-extension',
      `"${cert.subjectDn}" has critical extension(s) this system does not process: ${unknown.join(', ')}.`,
      located(cert, position),
    );
  }
}

/**
 * RFC 5280 4.1.2.5: notBefore and notAfter are encoded to the second and the period includes
 * both, so the time is compared at the same granularity: 5 ms after notAfter is still within
 * notAfter's second.
 */
export function checkValidityPeriod(cert: ParsedCertificate, position: number, at: Date): void {
  const second = Math.floor(at.getTime() / 1000) * 1000;
  if (second < cert.notBefore.getTime()) {
    throw new CertificateValidationError(
      'not-yet-valid',
      `"${cert.subjectDn}" is not valid before ${cert.notBefore.toISOString()} (checked at ${at.toISOString()}).`,
      located(cert, position),
    );
  }
  if (second > cert.notAfter.getTime()) {
    throw new CertificateValidationError(
      'expired',
      `"${cert.subjectDn}" expired at ${cert.notAfter.toISOString()} (checked at ${at.toISOString()}).`,
      located(cert, position),
    );
  }
}

/** Profile rules of RFC 5280 section 4 that a certificate breaks by itself, whatever its place in a path. */
export function checkConformance(cert: ParsedCertificate, position: number): void {
  const { extKeyUsage, keyUsage, basicConstraints, nameConstraints } = cert.extensions;
  const isCa = basicConstraints?.ca === true;
  const fail = (code: FailureCode, message: string) => new CertificateValidationError(code, `"${cert.subjectDn}" ${message}.`, located(cert, position));
  // 4.2.1.12: ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
  if (extKeyUsage !== undefined && extKeyUsage.length === 0) throw fail('eku-empty', 'has an extendedKeyUsage extension that lists no purpose (RFC 5280 4.2.1.12)');
  // 4.2.1.3 / 4.2.1.9: keyCertSign may be asserted only when basicConstraints cA is TRUE. (An
  // issuer without cA TRUE is refused as 'not-a-ca' by checkIssuerRole, whatever its keyUsage.)
  if (position === 0 && keyUsage !== undefined && keyUsage & KEY_USAGE.keyCertSign && !isCa) {
    throw fail('key-cert-sign-not-ca', 'asserts keyCertSign without basicConstraints cA TRUE (RFC 5280 4.2.1.3, 4.2.1.9)');
  }
  if (nameConstraints) {
    // 4.2.1.10: "MUST be used only in a CA certificate"
    if (!isCa) throw fail('name-constraints-in-end-entity', 'is not a CA but carries nameConstraints (RFC 5280 4.2.1.10)');
    // 4.2.1.10: "either the permittedSubtrees field or the excludedSubtrees MUST be present" (GeneralSubtrees is SIZE (1..MAX))
    if (nameConstraints.permitted.length === 0 && nameConstraints.excluded.length === 0) {
      throw fail('name-constraints-empty', 'has nameConstraints with neither permitted nor excluded subtrees (RFC 5280 4.2.1.10)');
    }
  }
  // 4.1.2.6: a CA's subject field MUST contain a non-empty distinguished name
  if (isCa && cert.subjectName.rdns.length === 0) throw fail('ca-subject-empty', 'is a CA with an empty subject (RFC 5280 4.1.2.6)');
}

/** The checks every certificate of a path gets, in the order their failures are reported. */
export function checkCertificate(cert: ParsedCertificate, position: number, at: Date): void {
  checkWellFormed(cert, position);
  checkKeyStrength(cert, position);
  checkCriticalExtensions(cert, position);
  checkConformance(cert, position);
  checkValidityPeriod(cert, position, at);
}

/**
 * Leaf usage. 'any' is RFC 5280 path validation alone (section 6 puts no condition on the
 * end certificate's usage, so even a CA certificate in the leaf position is a valid path).
 * 'client-auth' (the sign-in) adds policy: not a CA certificate ('ca-as-end-entity'), keyUsage
 * (when present) allows digitalSignature, EKU (when present) allows clientAuth.
 */
export function checkLeafPurpose(leaf: ParsedCertificate, purpose: Purpose): void {
  if (purpose === 'any') return;
  const { keyUsage, extKeyUsage } = leaf.extensions;
  if (leaf.extensions.basicConstraints?.ca) {
    throw new CertificateValidationError('ca-as-end-entity', `"${leaf.subjectDn}" is a CA certificate: by policy it cannot be used to sign in.`, located(leaf, 0));
  }
  if (keyUsage !== undefined && !(keyUsage & KEY_USAGE.digitalSignature)) {
    throw new CertificateValidationError('wrong-purpose', `"${leaf.subjectDn}" may not be used for digital signatures (keyUsage).`, located(leaf, 0));
  }
  if (extKeyUsage && !extKeyUsage.some((usage) => usage === OID.clientAuth || usage === OID.anyExtendedKeyUsage)) {
    throw new CertificateValidationError(
      'wrong-purpose',
      `"${leaf.subjectDn}" may not be used for client authentication (extendedKeyUsage: ${extKeyUsage.join(', ')}).`,
      located(leaf, 0),
    );
  }
}

/** An issuer must be a CA (basicConstraints cA) allowed to sign certificates (keyUsage keyCertSign when present). */
export function checkIssuerRole(ca: ParsedCertificate, position: number): void {
  if (!ca.extensions.basicConstraints?.ca) {
    throw new CertificateValidationError('not-a-ca', `"${ca.subjectDn}" issues certificates but is not a CA (basicConstraints).`, located(ca, position));
  }
  const keyUsage = ca.extensions.keyUsage;
  if (keyUsage !== undefined && !(keyUsage & KEY_USAGE.keyCertSign)) {
    throw new CertificateValidationError('not-a-ca', `"${ca.subjectDn}" may not sign certificates (keyUsage lacks keyCertSign).`, located(ca, position));
  }
}

/** Whether an issuer may sign CRLs (keyUsage cRLSign when keyUsage is present). */
export function maySignCrls(issuer: ParsedCertificate): boolean {
  const keyUsage = issuer.extensions.keyUsage;
  return keyUsage === undefined || (keyUsage & KEY_USAGE.cRLSign) !== 0;
}

/**
 * pathLenConstraint: for each CA, the non-self-issued intermediates below it (the leaf does not
 * count) must not exceed its constraint. `chain` runs from the leaf's issuer (position 1) up to
 * the anchor.
 */
export function checkPathLengths(chain: readonly ParsedCertificate[]): void {
  chain.forEach((ca, index) => {
    const limit = ca.extensions.basicConstraints?.pathLength;
    if (limit === undefined) return;
    const below = chain.slice(0, index).filter((cert) => !cert.selfIssued).length;
    if (below > limit) {
      throw new CertificateValidationError(
        'path-length-exceeded',
        `"${ca.subjectDn}" allows ${limit} intermediate CA(s) below it (pathLenConstraint) but the path has ${below}.`,
        located(ca, index + 1),
      );
    }
  });
}

/** The name constraints one CA imposes on everything below it. */
export interface NameConstraintSet {
  readonly imposedBy: string;
  readonly permitted: readonly NormalizedName[];
  readonly excluded: readonly NormalizedName[];
  /** GeneralName kinds constrained that this validator cannot evaluate (e.g. dNSName). */
  readonly otherKinds: ReadonlySet<string>;
}

function generalNameKind(name: asn1X509.GeneralName): string {
  return Object.keys(name).find((key) => (name as unknown as Record<string, unknown>)[key] !== undefined) ?? 'unknown';
}

export function nameConstraintSet(ca: ParsedCertificate): NameConstraintSet | undefined {
  const nc = ca.extensions.nameConstraints;
  if (!nc) return undefined;
  const otherKinds = new Set<string>();
  const directoryNames = (subtrees: asn1X509.GeneralName[]) =>
    subtrees.flatMap((base) => {
      if (base.directoryName) return [normalizeName(base.directoryName)];
      otherKinds.add(generalNameKind(base));
      return [];
    });
  return { imposedBy: ca.subjectDn, permitted: directoryNames(nc.permitted), excluded: directoryNames(nc.excluded), otherKinds };
}

/**
 * directoryName constraints (RFC 5280 section 6.1.3 b/c) applied to a subordinate certificate's
 * subject (when not empty) and its subjectAltName directoryNames. A subjectAltName of a kind that
 * is constrained but not supported here fails closed.
 */
export function checkNameConstraints(cert: ParsedCertificate, position: number, sets: readonly NameConstraintSet[]): void {
  if (sets.length === 0) return;
  const names: NormalizedName[] = cert.subjectName.rdns.length > 0 ? [cert.subjectName] : [];
  const sanKinds = new Set<string>();
  for (const san of cert.extensions.subjectAltNames) {
    if (san.directoryName) names.push(normalizeName(san.directoryName));
    else sanKinds.add(generalNameKind(san));
  }
  const violation = (message: string) =>
    new CertificateValidationError('name-constraints-violated', `"${cert.subjectDn}" ${message}.`, located(cert, position));
  for (const set of sets) {
    for (const name of names) {
      if (set.excluded.some((base) => nameWithin(name, base))) throw violation(`is in a subtree excluded by "${set.imposedBy}"`);
      if (set.permitted.length > 0 && !set.permitted.some((base) => nameWithin(name, base))) {
        throw violation(`is outside the subtrees permitted by "${set.imposedBy}"`);
      }
    }
    const unsupported = [...sanKinds].filter((kind) => set.otherKinds.has(kind));
    if (unsupported.length > 0) throw violation(`has ${unsupported.join(', ')} names constrained by "${set.imposedBy}" that cannot be checked`);
  }
}
