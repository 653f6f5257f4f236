// Candidate certification paths from a leaf to a trust anchor through an unordered pool of
// intermediates, which may hold loops, cross-signed certificates and decoys. Only names and key
// identifiers are used here (no cryptography); the validator checks each path in the order
// given and stops at the first good one. Work is bounded by a maximum path length and a budget
// of paths and extension steps.
import { ParsedCertificate } from './parse';

/** Certificates indexed by subject name. */
export class CertificatePool {
  private readonly bySubject = new Map<string, ParsedCertificate[]>();
  private readonly fingerprints = new Set<string>();

  constructor(certs: Iterable<ParsedCertificate> = []) {
    for (const cert of certs) this.add(cert);
  }

  get size(): number {
    return this.fingerprints.size;
  }

  add(cert: ParsedCertificate): void {
    if (this.fingerprints.has(cert.fingerprint)) return;
    this.fingerprints.add(cert.fingerprint);
    const list = this.bySubject.get(cert.subjectName.key) ?? [];
    list.push(cert);
    this.bySubject.set(cert.subjectName.key, list);
  }

  /**
   * Possible issuers of `cert`: subject name equal to its issuer name, and subject key
   * identifier equal to its authority key identifier when both are present.
   */
  issuersOf(cert: ParsedCertificate): ParsedCertificate[] {
    const aki = cert.extensions.authorityKeyId;
    return (this.bySubject.get(cert.issuerName.key) ?? []).filter((candidate) => {
      const ski = candidate.extensions.subjectKeyId;
      return !aki || !ski || aki === ski;
    });
  }
}

export interface PathLimits {
  /** Most certificates in a path, leaf and anchor included (default 8). */
  maxDepth: number;
  /** Most complete candidate paths handed out per validation (default 16). */
  maxPaths: number;
  /** Most intermediate extension steps tried per validation (default 256). */
  maxSteps: number;
}

export const DEFAULT_PATH_LIMITS: PathLimits = { maxDepth: 8, maxPaths: 16, maxSteps: 256 };

/** The same CA (name and key) must not appear twice in a path: this is what breaks loops. */
function sameCa(a: ParsedCertificate, b: ParsedCertificate): boolean {
  return a.fingerprint === b.fingerprint || (a.subjectName.key === b.subjectName.key && a.keyFingerprint === b.keyFingerprint);
}

/** Preferred first: key identifier matches exactly, then valid at `at`. */
function rank(cert: ParsedCertificate, issuers: ParsedCertificate[], at: Date): ParsedCertificate[] {
  const aki = cert.extensions.authorityKeyId;
  const score = (candidate: ParsedCertificate) =>
    (aki && candidate.extensions.subjectKeyId === aki ? 2 : 0) +
    (candidate.notBefore.getTime() <= at.getTime() && at.getTime() <= candidate.notAfter.getTime() ? 1 : 0);
  return issuers
    .map((candidate, index) => ({ candidate, index, score: score(candidate) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ candidate }) => candidate);
}

function uniqueIssuers(cert: ParsedCertificate, pools: readonly CertificatePool[]): ParsedCertificate[] {
  const seen = new Set<string>();
  return pools
    .flatMap((pool) => pool.issuersOf(cert))
    .filter((candidate) => !seen.has(candidate.fingerprint) && seen.add(candidate.fingerprint) !== undefined);
}

/**
 * Yields paths [leaf, intermediate..., anchor], shortest and best-matching first: at each step
 * an anchor that can issue the current certificate ends a path before intermediates are tried.
 */
export function* candidatePaths(
  leaf: ParsedCertificate,
  anchors: CertificatePool,
  intermediates: readonly CertificatePool[],
  at: Date,
  limits: PathLimits = DEFAULT_PATH_LIMITS,
): Generator<ParsedCertificate[]> {
  let paths = 0;
  let steps = 0;
  function* extend(path: ParsedCertificate[]): Generator<ParsedCertificate[]> {
    const current = path[path.length - 1];
    const fresh = (candidate: ParsedCertificate) => !path.some((member) => sameCa(member, candidate));
    for (const anchor of rank(current, anchors.issuersOf(current), at)) {
      if (paths >= limits.maxPaths) return;
      if (!fresh(anchor)) continue;
      paths++;
      yield [...path, anchor];
    }
    if (path.length + 2 > limits.maxDepth) return;
    for (const intermediate of rank(current, uniqueIssuers(current, intermediates), at)) {
      if (paths >= limits.maxPaths || steps >= limits.maxSteps) return;
      if (!fresh(intermediate)) continue;
      steps++;
      yield* extend([...path, intermediate]);
    }
  }
  yield* extend([leaf]);
}
