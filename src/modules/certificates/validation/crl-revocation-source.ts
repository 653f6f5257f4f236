// A RevocationSource backed by CRLs someone hands it (read from the database, downloaded over
// HTTP, given on the command line). A CRL is used only when it comes from the certificate's
// issuer (same name, matching key identifier), is signed by the issuer's key (checked once per
// CRL and key), is fresh enough and has no critical extension we do not understand.
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { x509 } from './x509-runtime';
import { SignatureVerifier } from './algorithms';
import { hex } from './asn1-text';
import { maySignCrls } from './checks';
import { CrlDocument, parseCrlDer } from './crl-der';
import { CrlInput, crlDers, Der } from './encoding';
import { CertificateValidationError } from './errors';
import { normalizeName } from './names';
import { LruMap } from '../../../common/collections/lru-map';
import { OID } from './oids';
import { parseCertificate, ParsedCertificate, serialKey } from './parse';
import { RevocationSource, RevocationStatus } from './revocation';

const KNOWN_CRITICAL_CRL_EXTENSIONS = new Set<string>([OID.crlNumber, OID.authorityKeyIdentifier]);

export interface CrlRevocationSourceOptions {
  /** CRLs to start with (PEM with any number of blocks, or DER). */
  crls?: readonly CrlInput[];
  /** A CRL stays usable until nextUpdate plus this many seconds (default 0). */
  graceSeconds?: number;
  /**
   * When set, a CRL older than this (now minus thisUpdate) is stale even before its nextUpdate.
   * A CRL without nextUpdate is only usable when this is set.
   */
  maxAgeSeconds?: number;
  /** CRLs kept per issuer name, newest first (default 4). */
  maxCrlsPerIssuer?: number;
}

interface RevokedEntry {
  reason?: asn1X509.CRLReasons;
  revokedAt: Date;
}

interface HeldCrl {
  readonly crl: CrlDocument;
  readonly fingerprint: string;
  readonly issuerKey: string;
  readonly authorityKeyId?: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** Why the CRL can never be used, if so. */
  readonly unusable?: string;
  readonly revoked: ReadonlyMap<string, RevokedEntry>;
  /** Signature verdicts by issuer key fingerprint: undefined = verified, string = problem. */
  readonly signature: Map<string, Promise<string | undefined>>;
}

function readEntries(crl: CrlDocument): Map<string, RevokedEntry> {
  const revoked = new Map<string, RevokedEntry>();
  for (const entry of crl.entries) revoked.set(entry.serialHex, { reason: entry.reason, revokedAt: entry.revokedAt });
  return revoked;
}

/**
 * Parsed CRLs by the SHA-256 of their DER, for the whole process: the trust store builds a new
 * source after every change, and an unchanged CRL (100,000 entries take about 0.6 s to parse)
 * is then taken as it is. A held CRL is immutable but for its memo of signature verdicts, which
 * stay true for the same bytes and key.
 */
const HELD = new LruMap<string, HeldCrl>(32);
const heldStats = { parsed: 0, reused: 0 };

/** How many CRLs this process parsed, and how many it took from the cache instead. */
export function crlParseStats(): { parsed: number; reused: number } {
  return { ...heldStats };
}

function holdCrl(der: Der): HeldCrl {
  const fingerprint = createHash('sha256').update(der).digest('hex');
  const known = HELD.get(fingerprint);
  if (known) {
    heldStats.reused++;
    return known;
  }
  const held = parseHeldCrl(der, fingerprint);
  heldStats.parsed++;
  HELD.set(fingerprint, held);
  return held;
}

function parseHeldCrl(der: Der, fingerprint: string): HeldCrl {
  let crl: CrlDocument;
  try {
    crl = parseCrlDer(der);
  } catch (error) {
    throw new CertificateValidationError('malformed', `the CRL cannot be parsed: ${(error as Error).message}`);
  }
  const aki = crl.extensions.find((extension) => extension.extnID === OID.authorityKeyIdentifier);
  const keyId = aki ? AsnConvert.parse(aki.extnValue.buffer, asn1X509.AuthorityKeyIdentifier).keyIdentifier : undefined;
  const unknownCritical = [
    ...crl.extensions.filter((e) => e.critical && !KNOWN_CRITICAL_CRL_EXTENSIONS.has(e.extnID)).map((e) => e.extnID),
    ...crl.unknownCriticalEntryExtensions,
  ];
  return {
    crl,
    fingerprint,
    issuerKey: normalizeName(crl.issuer).key,
    authorityKeyId: keyId ? hex(keyId.buffer) : undefined,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate,
    unusable: unknownCritical.length ? `the CRL has critical extension(s) not supported: ${unknownCritical.join(', ')}` : undefined,
    revoked: readEntries(crl),
    signature: new Map(),
  };
}

export class CrlRevocationSource implements RevocationSource {
  private readonly byIssuer = new Map<string, HeldCrl[]>();
  private readonly parsedIssuers = new WeakMap<x509.X509Certificate, ParsedCertificate>();
  private readonly verifier = new SignatureVerifier({ maxKeys: 200, maxRememberedSignatures: 1 });
  private readonly graceMs: number;
  private readonly maxAgeMs: number | undefined;
  private readonly maxPerIssuer: number;

  constructor(options: CrlRevocationSourceOptions = {}) {
    this.graceMs = (options.graceSeconds ?? 0) * 1000;
    this.maxAgeMs = options.maxAgeSeconds === undefined ? undefined : options.maxAgeSeconds * 1000;
    this.maxPerIssuer = options.maxCrlsPerIssuer ?? 4;
    for (const crl of options.crls ?? []) this.add(crl);
  }

  /** Number of CRL signature verifications computed so far. */
  get signatureChecks(): number {
    return this.verifier.checks;
  }

  /**
   * Adds every CRL in the input (a newer CRL of the same issuer does not remove older ones
   * until more than maxCrlsPerIssuer are held). Throws 'malformed' on unreadable input.
   */
  add(input: CrlInput): void {
    for (const der of crlDers(input)) {
      const held = holdCrl(der);
      const list = (this.byIssuer.get(held.issuerKey) ?? []).filter((other) => other.fingerprint !== held.fingerprint);
      list.push(held);
      list.sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime());
      this.byIssuer.set(held.issuerKey, list.slice(0, this.maxPerIssuer));
    }
  }

  async status(cert: x509.X509Certificate, issuerCert: x509.X509Certificate, at: Date = new Date()): Promise<RevocationStatus> {
    const issuer = this.parsedIssuer(issuerCert);
    const held = this.byIssuer.get(issuer.subjectName.key) ?? [];
    if (held.length === 0) return { status: 'unknown', detail: `no CRL from "${issuer.subjectDn}" is available` };
    if (!maySignCrls(issuer)) return { status: 'unknown', detail: `"${issuer.subjectDn}" may not sign CRLs (keyUsage lacks cRLSign)` };
    const problems: string[] = [];
    for (const candidate of held) {
      const problem = await this.usability(candidate, issuer, at);
      if (problem) {
        problems.push(problem);
        continue;
      }
      return this.lookUp(candidate, cert);
    }
    return { status: 'unknown', detail: problems.join('; ') };
  }

  private lookUp(held: HeldCrl, cert: x509.X509Certificate): RevocationStatus {
    const entry = held.revoked.get(serialKey(cert.serialNumber));
    if (!entry || entry.reason === asn1X509.CRLReasons.removeFromCRL) return { status: 'good' };
    const reason = entry.reason === undefined ? 'unspecified' : asn1X509.CRLReasons[entry.reason];
    const status = entry.reason === asn1X509.CRLReasons.certificateHold ? 'on-hold' : 'revoked';
    return { status, reason, revokedAt: entry.revokedAt };
  }

  /** Why this CRL cannot answer for `issuer` at `at`, or undefined when it can. */
  private async usability(held: HeldCrl, issuer: ParsedCertificate, at: Date): Promise<string | undefined> {
    if (held.unusable) return held.unusable;
    const issuerKeyId = issuer.extensions.subjectKeyId;
    if (held.authorityKeyId && issuerKeyId && held.authorityKeyId !== issuerKeyId) return 'the CRL was signed by another key of the issuer';
    const staleness = this.staleness(held, at);
    if (staleness) return staleness;
    let verdict = held.signature.get(issuer.keyFingerprint);
    if (!verdict) {
      verdict = this.verifier.signatureProblem(held.crl, held.crl.signatureAlgorithm, issuer);
      held.signature.set(issuer.keyFingerprint, verdict);
    }
    const problem = await verdict;
    return problem ? `the CRL signature is not valid: ${problem}` : undefined;
  }

  private staleness(held: HeldCrl, at: Date): string | undefined {
    const time = at.getTime();
    if (this.maxAgeMs !== undefined && time - held.thisUpdate.getTime() > this.maxAgeMs) {
      return `the CRL issued ${held.thisUpdate.toISOString()} is older than ${this.maxAgeMs / 1000} s`;
    }
    if (!held.nextUpdate) {
      return this.maxAgeMs === undefined ? 'the CRL has no nextUpdate and no maximum age is configured' : undefined;
    }
    if (time > held.nextUpdate.getTime() + this.graceMs) return `the CRL is stale (nextUpdate ${held.nextUpdate.toISOString()})`;
    return undefined;
  }

  private parsedIssuer(issuer: x509.X509Certificate): ParsedCertificate {
    let parsed = this.parsedIssuers.get(issuer);
    if (!parsed) {
      parsed = parseCertificate(new Uint8Array(issuer.rawData));
      this.parsedIssuers.set(issuer, parsed);
    }
    return parsed;
  }
}
