// Validation of the CA part of a path (the leaf's issuer up to the trust anchor). The result
// does not depend on the leaf, so a validated chain can be cached and reused for every leaf
// the same issuer signed, as long as the validation time stays inside the chain's validity.
import { SignatureVerifier } from './algorithms';
import { checkCertificate, checkIssuerRole, checkNameConstraints, checkPathLengths, NameConstraintSet, nameConstraintSet } from './checks';
import { CredentialFamily } from './family';
import { ParsedCertificate } from './parse';

/** A trust anchor as the validator holds it. */
export interface Anchor {
  readonly cert: ParsedCertificate;
  /** When set, only leaves of these families are accepted under this anchor. */
  readonly families?: readonly CredentialFamily[];
}

export interface ValidatedChain {
  /** The leaf's issuer first, the trust anchor last. */
  readonly certs: readonly ParsedCertificate[];
  readonly anchor: Anchor;
  /** The chain is valid at times in [notBefore, notAfter] (latest notBefore, earliest notAfter). */
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Name constraints every CA of the chain imposes on the leaf. */
  readonly leafConstraints: readonly NameConstraintSet[];
}

/**
 * Checks the CA certificates of a path at time `at`: signatures between them, then from the
 * anchor down each certificate's encoding, key, critical extensions, validity, CA role and the
 * name constraints of the CAs above it, then path lengths. Positions in errors count the leaf
 * as 0, so `certs[i]` is at position i + 1. Throws CertificateValidationError.
 */
export async function validateChain(
  certs: readonly ParsedCertificate[],
  anchor: Anchor,
  at: Date,
  verifier: SignatureVerifier,
): Promise<ValidatedChain> {
  for (let i = 0; i + 1 < certs.length; i++) {
    await verifier.verifyCertificate(certs[i], certs[i + 1], i + 1, true);
  }
  const constraints: NameConstraintSet[] = [];
  for (let i = certs.length - 1; i >= 0; i--) {
    const cert = certs[i];
    checkCertificate(cert, i + 1, at);
    checkIssuerRole(cert, i + 1);
    if (i < certs.length - 1 && !cert.selfIssued) checkNameConstraints(cert, i + 1, constraints);
    const own = nameConstraintSet(cert);
    if (own) constraints.push(own);
  }
  checkPathLengths(certs);
  return {
    certs,
    anchor,
    notBefore: new Date(Math.max(...certs.map((cert) => cert.notBefore.getTime()))),
    notAfter: new Date(Math.min(...certs.map((cert) => cert.notAfter.getTime()))),
    leafConstraints: constraints,
  };
}
