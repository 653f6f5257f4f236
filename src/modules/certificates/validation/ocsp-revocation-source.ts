// OCSP as a revocation source (RFC 6960, nonce per RFC 8954), with the CRLs as the fallback, by a
// policy per trust anchor. Plain TypeScript: the network is behind OcspFetcher, which the caller
// provides (the Nest side: an HTTP POST with a timeout; tests: anything).
import { createHash, randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  Nonce,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  TBSRequest,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
} from '@peculiar/asn1-ocsp';
import { SignatureVerifier } from './algorithms';
import { LruMap } from '../../../common/collections/lru-map';
import { OID } from './oids';
import { parseCertificate, serialHex, type ParsedCertificate } from './parse';
import type { RevocationSource, RevocationStatus } from './revocation';
import { x509 } from './x509-runtime';

/** How an anchor's certificates are checked: OCSP first (CRL when OCSP gives no usable answer), CRLs only, or both. */
export type OcspPolicy = 'ocsp-first' | 'crl-only' | 'both';
export const OCSP_POLICIES: readonly OcspPolicy[] = ['ocsp-first', 'crl-only', 'both'];

/** The network, provided by the caller: POSTs a DER OCSPRequest, resolves with the DER body of a 200 answer, rejects otherwise. */
export interface OcspFetcher {
  post(url: string, request: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
}

/** What applies to a certificate, by the anchor its issuer chains to. */
export interface OcspSettings {
  policy: OcspPolicy;
  /** The responder to ask instead of the certificate's authorityInfoAccess OCSP address. */
  ocspUrl?: string;
}

export interface OcspRevocationSourceOptions {
  fetcher: OcspFetcher;
  /** The CRLs: the fallback, and the second opinion of 'both'. */
  crls: RevocationSource;
  /** Settings for the certificates `issuer` issued; default { policy: 'ocsp-first' }. */
  settingsFor?: (issuer: x509.X509Certificate) => OcspSettings | undefined;
  /** Per request (default 5000 ms). */
  timeoutMs?: number;
  /** Tolerated difference between our clock and the responder's (default 300 s). */
  clockSkewSeconds?: number;
  /** A good answer is kept until its nextUpdate, and at most this long (default 3600 s). */
  maxCacheSeconds?: number;
  /** An answer without nextUpdate is usable this long after its thisUpdate (default 300 s). */
  maxAgeWithoutNextUpdateSeconds?: number;
  /** Refuse an answer that does not echo our nonce (default true). */
  requireNonce?: boolean;
  /** Good answers kept (default 10000). */
  maxCached?: number;
}

const SHA1 = '1.3.14.3.2.26';
const HASH_NODE: Record<string, string> = { [SHA1]: 'sha1', [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
const HOLD = asn1X509.CRLReasons.certificateHold;

/** The OCSP addresses (id-ad-ocsp, uniformResourceIdentifier) of a certificate's authorityInfoAccess. */
export function ocspUrlsOf(cert: x509.X509Certificate): string[] {
  const extension = cert.extensions.find((ext) => ext.type === asn1X509.id_pe_authorityInfoAccess);
  if (!extension) return [];
  const aia = AsnConvert.parse(extension.value, asn1X509.AuthorityInfoAccessSyntax);
  return aia
    .filter((access) => access.accessMethod === asn1X509.id_ad_ocsp && access.accessLocation.uniformResourceIdentifier)
    .map((access) => access.accessLocation.uniformResourceIdentifier as string);
}

function subjectPublicKeyBits(cert: x509.X509Certificate): Uint8Array {
  const spki = AsnConvert.parse(cert.publicKey.rawData, asn1X509.SubjectPublicKeyInfo);
  return new Uint8Array(spki.subjectPublicKey);
}

function digest(oid: string, data: Uint8Array | ArrayBuffer): Buffer | undefined {
  const node = HASH_NODE[oid];
  return node ? createHash(node).update(data instanceof Uint8Array ? data : new Uint8Array(data)).digest() : undefined;
}

/** The CertID (SHA-1, as every responder knows it) of `cert` issued by `issuer`. */
export function certIdOf(cert: x509.X509Certificate, issuer: x509.X509Certificate): CertID {
  return new CertID({
    hashAlgorithm: new asn1X509.AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: new OctetString(digest(SHA1, issuer.subjectName.toArrayBuffer()) as Buffer),
    issuerKeyHash: new OctetString(digest(SHA1, subjectPublicKeyBits(issuer)) as Buffer),
    serialNumber: AsnConvert.parse(cert.rawData, asn1X509.Certificate).tbsCertificate.serialNumber,
  });
}

/** A DER OCSPRequest for one certificate, with a nonce of 32 random octets. */
export function buildOcspRequest(certId: CertID, nonce: Buffer): Buffer {
  const request = new OCSPRequest({
    tbsRequest: new TBSRequest({
      requestList: [new Request({ reqCert: certId })],
      requestExtensions: [new asn1X509.Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new Nonce(nonce))) })],
    }),
  });
  return Buffer.from(AsnConvert.serialize(request));
}

/** Whether a CertID of a response names the same certificate as ours (any hash the responder chose). */
function sameCertificate(theirs: CertID, cert: x509.X509Certificate, issuer: x509.X509Certificate, serial: string): boolean {
  const oid = theirs.hashAlgorithm.algorithm;
  const nameHash = digest(oid, issuer.subjectName.toArrayBuffer());
  const keyHash = digest(oid, subjectPublicKeyBits(issuer));
  if (!nameHash || !keyHash) return false;
  return serialHex(new Uint8Array(theirs.serialNumber)) === serial && nameHash.equals(Buffer.from(theirs.issuerNameHash.buffer)) && keyHash.equals(Buffer.from(theirs.issuerKeyHash.buffer));
}

type Answer = { usable: true; status: RevocationStatus; thisUpdate: Date; nextUpdate?: Date } | { usable: false; detail: string };

/**
 * Checks the status of a certificate with its issuer's OCSP responder (the address in its
 * authorityInfoAccess, or the anchor's override): one CertID, a fresh nonce, a timeout. An answer
 * counts only when it is signed by the issuer itself or by a responder certificate the issuer
 * issued with id-kp-OCSPSigning (valid now), echoes the nonce, names the certificate, and is
 * current (thisUpdate not in the future, nextUpdate not past, both with the clock skew allowed).
 * Good answers are kept until nextUpdate (at most maxCacheSeconds). With 'ocsp-first' an answer
 * that is missing or not usable (no address, unreachable, refused, unknown status) leaves the
 * decision to the CRLs, so the validator fails closed only when both fail; with 'both' the CRLs
 * are asked too and a revocation in either wins.
 */
export class OcspRevocationSource implements RevocationSource {
  private readonly verifier = new SignatureVerifier({ maxKeys: 200, maxRememberedSignatures: 200 });
  private readonly cache: LruMap<string, { status: RevocationStatus; thisUpdate: Date; until: number }>;
  private readonly timeoutMs: number;
  private readonly skewMs: number;
  private readonly maxCacheMs: number;
  private readonly maxAgeMs: number;
  private readonly requireNonce: boolean;
  /** Requests sent (cache hits not counted). */
  requests = 0;

  constructor(private readonly options: OcspRevocationSourceOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.skewMs = (options.clockSkewSeconds ?? 300) * 1000;
    this.maxCacheMs = (options.maxCacheSeconds ?? 3600) * 1000;
    this.maxAgeMs = (options.maxAgeWithoutNextUpdateSeconds ?? 300) * 1000;
    this.requireNonce = options.requireNonce ?? true;
    this.cache = new LruMap(options.maxCached ?? 10_000);
  }

  async status(cert: x509.X509Certificate, issuer: x509.X509Certificate, at: Date = new Date()): Promise<RevocationStatus> {
    const settings = this.options.settingsFor?.(issuer) ?? { policy: 'ocsp-first' };
    if (settings.policy === 'crl-only') return this.options.crls.status(cert, issuer, at);
    const answer = await this.ask(cert, issuer, at, settings);
    if (settings.policy === 'both') {
      const crl = await this.options.crls.status(cert, issuer, at);
      const ocsp = answer.usable ? answer.status : undefined;
      for (const status of [ocsp, crl]) if (status && (status.status === 'revoked' || status.status === 'on-hold')) return status;
      if (ocsp?.status === 'good' || crl.status === 'good') return { status: 'good' };
      return { status: 'unknown', detail: `OCSP: ${answer.usable ? 'unknown' : answer.detail}; CRL: ${crl.detail ?? crl.status}` };
    }
    if (answer.usable && answer.status.status !== 'unknown') return answer.status;
    const crl = await this.options.crls.status(cert, issuer, at);
    if (crl.status !== 'unknown') return crl;
    return { status: 'unknown', detail: `OCSP: ${answer.usable ? 'the responder does not know the certificate' : answer.detail}; CRL: ${crl.detail ?? 'unknown'}` };
  }

  private async ask(cert: x509.X509Certificate, issuer: x509.X509Certificate, at: Date, settings: OcspSettings): Promise<Answer> {
    const url = settings.ocspUrl ?? ocspUrlsOf(cert).find((address) => /^https?:\/\//i.test(address));
    if (!url) return { usable: false, detail: 'no OCSP address (authorityInfoAccess or the anchor)' };
    const parsedIssuer = parseCertificate(new Uint8Array(issuer.rawData));
    const serial = serialHex(new Uint8Array(AsnConvert.parse(cert.rawData, asn1X509.Certificate).tbsCertificate.serialNumber));
    const key = `${parsedIssuer.keyFingerprint}:${serial}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() < cached.until && at.getTime() >= cached.thisUpdate.getTime() - this.skewMs && at.getTime() < cached.until) {
      return { usable: true, status: cached.status, thisUpdate: cached.thisUpdate };
    }
    const nonce = randomBytes(32);
    let body: Uint8Array;
    try {
      this.requests++;
      body = await this.options.fetcher.post(url, buildOcspRequest(certIdOf(cert, issuer), nonce), this.timeoutMs);
    } catch (error) {
      return { usable: false, detail: `the OCSP responder ${url} did not answer (${(error as Error).message})` };
    }
    let answer: Answer;
    try {
      answer = await this.read(body, cert, issuer, parsedIssuer, serial, nonce, at);
    } catch (error) {
      answer = { usable: false, detail: `the OCSP answer cannot be read (${(error as Error).message})` };
    }
    if (answer.usable && answer.status.status === 'good') {
      const until = Math.min(answer.nextUpdate?.getTime() ?? answer.thisUpdate.getTime() + this.maxAgeMs, Date.now() + this.maxCacheMs);
      this.cache.set(key, { status: answer.status, thisUpdate: answer.thisUpdate, until });
    }
    return answer;
  }

  private async read(body: Uint8Array, cert: x509.X509Certificate, issuer: x509.X509Certificate, parsedIssuer: ParsedCertificate, serial: string, nonce: Buffer, at: Date): Promise<Answer> {
    const response = AsnConvert.parse(body, OCSPResponse);
    if (response.responseStatus !== OCSPResponseStatus.successful) return { usable: false, detail: `the OCSP responder answered ${OCSPResponseStatus[response.responseStatus]}` };
    if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) return { usable: false, detail: 'the OCSP answer is not a basic response' };
    const basicDer = new Uint8Array(response.responseBytes.response.buffer);
    const basic = AsnConvert.parse(basicDer, BasicOCSPResponse);
    const tbs = basic.tbsResponseData;

    const signer = await this.signer(basic, parsedIssuer, at);
    if (typeof signer === 'string') return { usable: false, detail: signer };
    const problem = await this.verifier.signatureProblem({ rawData: basicDer, signature: basic.signature }, basic.signatureAlgorithm, signer);
    if (problem) return { usable: false, detail: `the OCSP answer's signature: ${problem}` };

    const echoed = (tbs.responseExtensions ?? []).find((extension) => extension.extnID === id_pkix_ocsp_nonce);
    if (echoed) {
      const value = Buffer.from(AsnConvert.parse(echoed.extnValue.buffer, Nonce).buffer);
      if (!value.equals(nonce)) return { usable: false, detail: 'the OCSP answer carries another nonce (a replay?)' };
    } else if (this.requireNonce) {
      return { usable: false, detail: 'the OCSP answer does not echo our nonce' };
    }

    const single = tbs.responses.find((candidate) => sameCertificate(candidate.certID, cert, issuer, serial));
    if (!single) return { usable: false, detail: 'the OCSP answer does not name the certificate' };
    const thisUpdate = single.thisUpdate;
    const nextUpdate = single.nextUpdate;
    const now = at.getTime();
    if (thisUpdate.getTime() > now + this.skewMs) return { usable: false, detail: `the OCSP answer is dated in the future (thisUpdate ${thisUpdate.toISOString()})` };
    if (nextUpdate && nextUpdate.getTime() < now - this.skewMs) return { usable: false, detail: `the OCSP answer is stale (nextUpdate ${nextUpdate.toISOString()})` };
    if (!nextUpdate && thisUpdate.getTime() < now - this.maxAgeMs - this.skewMs) return { usable: false, detail: `the OCSP answer is too old (thisUpdate ${thisUpdate.toISOString()}, no nextUpdate)` };

    const status = single.certStatus;
    if (status.good !== undefined) return { usable: true, status: { status: 'good' }, thisUpdate, nextUpdate };
    if (status.revoked) {
      const reasonCode = status.revoked.revocationReason?.reason;
      const revokedAt = status.revoked.revocationTime;
      if (reasonCode === HOLD) return { usable: true, status: { status: 'on-hold', reason: 'certificateHold', revokedAt }, thisUpdate, nextUpdate };
      const reason = reasonCode === undefined ? undefined : asn1X509.CRLReasons[reasonCode];
      return { usable: true, status: { status: 'revoked', reason, revokedAt }, thisUpdate, nextUpdate };
    }
    return { usable: true, status: { status: 'unknown', detail: 'the OCSP responder does not know the certificate' }, thisUpdate, nextUpdate };
  }

  /**
   * Who signed the answer, by its ResponderID: the issuer itself, or a certificate of the answer
   * that the issuer signed, with id-kp-OCSPSigning, valid at `at`. A string says why none fits.
   */
  private async signer(basic: BasicOCSPResponse, issuer: ParsedCertificate, at: Date): Promise<ParsedCertificate | string> {
    const id = basic.tbsResponseData.responderID;
    const matches = (candidate: ParsedCertificate) => {
      if (id.byKey) return createHash('sha1').update(subjectPublicKeyBits(candidate.x509)).digest().equals(Buffer.from(id.byKey.buffer));
      if (id.byName) return Buffer.from(AsnConvert.serialize(id.byName)).equals(Buffer.from(candidate.x509.subjectName.toArrayBuffer()));
      return false;
    };
    if (matches(issuer)) return issuer;
    for (const raw of basic.certs ?? []) {
      const candidate = parseCertificate(new Uint8Array(AsnConvert.serialize(raw)));
      if (!matches(candidate)) continue;
      if (candidate.issuerName.key !== issuer.subjectName.key) return `the OCSP responder "${candidate.subjectDn}" was not issued by "${issuer.subjectDn}"`;
      const problem = await this.verifier.signatureProblem(candidate.x509, candidate.asn.signatureAlgorithm, issuer);
      if (problem) return `the OCSP responder certificate "${candidate.subjectDn}": ${problem}`;
      if (!(candidate.extensions.extKeyUsage ?? []).includes(id_kp_OCSPSigning)) return `the OCSP responder certificate "${candidate.subjectDn}" lacks id-kp-OCSPSigning`;
      if (at.getTime() < candidate.notBefore.getTime() - this.skewMs || at.getTime() > candidate.notAfter.getTime() + this.skewMs) {
        return `the OCSP responder certificate "${candidate.subjectDn}" is not valid now`;
      }
      return candidate;
    }
    return 'the OCSP answer is signed neither by the issuer nor by a responder certificate it issued';
  }
}
