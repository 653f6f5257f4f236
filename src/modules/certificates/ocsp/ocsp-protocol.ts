// The OCSP protocol (RFC 6960, nonce per RFC 8954) for our CAs, as pure functions: read a request,
// compute the CertID hashes of an issuer, build a signed response or an error response, and the
// profile of a delegated responder certificate. No Nest, database or HSM inside: the caller looks
// the serial numbers up and passes `sign` (e.g. HsmService.signDer). Decisions: ./README.md.
import { createHash } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  Nonce,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nocheck,
  id_pkix_ocsp_nonce,
} from '@peculiar/asn1-ocsp';
import { OID } from '../validation/oids';
import { serialKey } from '../validation/parse';
import { x509 } from '../validation/x509-runtime';
import { DER_TAG, certificateFields, children, encodeElement, readElement } from '../../../shared/pkcs11/der';
import { OcspRequestSchema } from './ocsp-request-schema';

export const OCSP_REQUEST_CONTENT_TYPE = 'application/ocsp-request';
export const OCSP_RESPONSE_CONTENT_TYPE = 'application/ocsp-response';
/** Default limit on the CertIDs of one request. */
export const DEFAULT_MAX_OCSP_REQUESTS = 20;
/** RFC 8954: a nonce is 1 to 32 octets. */
export const MAX_OCSP_NONCE_LENGTH = 32;

export type OcspHashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
/** The unsuccessful OCSPResponseStatus values we send (RFC 6960 section 4.2.1). */
export type OcspFailureStatus = 'malformedRequest' | 'internalError' | 'tryLater' | 'unauthorized';
/** CRLReason names (RFC 5280 section 5.3.1); removeFromCRL has no place in an OCSP answer. */
export type OcspRevocationReason = Exclude<keyof typeof asn1X509.CRLReasons, 'removeFromCRL'>;

const HASHES: Record<OcspHashAlgorithm, { oid: string; node: string }> = {
  'SHA-1': { oid: '1.3.14.3.2.26', node: 'sha1' },
  'SHA-256': { oid: OID.sha256, node: 'sha256' },
  'SHA-384': { oid: OID.sha384, node: 'sha384' },
  'SHA-512': { oid: OID.sha512, node: 'sha512' },
};

function hashByOid(oid: string): OcspHashAlgorithm | undefined {
  return (Object.keys(HASHES) as OcspHashAlgorithm[]).find((name) => HASHES[name].oid === oid);
}

/** A request we refuse as a whole; answer it with `ocspErrorResponse(error.status)`. */
export class OcspRequestError extends Error {
  override readonly name = 'OcspRequestError';
  constructor(
    readonly status: OcspFailureStatus,
    message: string,
  ) {
    super(message);
  }
}

/** One CertID of a request. */
export interface CertIdentity {
  /** 'unsupported' for a hash we do not know: no issuer can match it, so answer 'unknown'. */
  hashAlgorithm: OcspHashAlgorithm | 'unsupported';
  hashAlgorithmOid: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /**
   * Upper-case hex without a leading 00 sign octet, as pki-extensions' randomSerialHex makes them
   * (a negative serial is '-' and its two's-complement octets, so it matches none of ours).
   */
  serialHex: string;
  /** The CertID as parsed; pass it back as `certId` so the response echoes it byte for byte. */
  raw: CertID;
}

export interface ParsedOcspRequest {
  requests: CertIdentity[];
  /** The value of the id-pkix-ocsp-nonce extension (the octets inside its OCTET STRING). */
  nonce?: Buffer;
}

export interface ParseOcspRequestOptions {
  /** More CertIDs than this in one request is a malformedRequest (default 20). */
  maxRequests?: number;
}

function malformed(message: string): OcspRequestError {
  return new OcspRequestError('malformedRequest', message);
}

/** Parses one DER element of type `type` that must fill `bytes` exactly. */
function parseExact<T>(bytes: Uint8Array, type: new () => T): T {
  const element = readElement(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (element.end !== bytes.length) throw new Error('unexpected data after the DER element');
  return AsnConvert.parse(bytes, type);
}

function serialHexOf(serial: ArrayBuffer): string {
  const bytes = Buffer.from(serial);
  if (bytes.length === 0) throw malformed('a CertID has an empty serial number');
  const hex = bytes.toString('hex').toUpperCase();
  // A negative serial (RFC 5280 forbids them; we never issue one) must not match the positive
  // serial with the same octets, so it keeps a '-' before its two's-complement octets.
  return bytes[0] & 0x80 ? `-${hex}` : serialKey(hex);
}

/** Extensions we do not understand may be present only when not critical (RFC 6960 section 4.1.2). */
function refuseCriticalExtensions(extensions: asn1X509.Extension[] | undefined, where: string): void {
  const critical = (extensions ?? []).find((extension) => extension.critical);
  if (critical) throw malformed(`unsupported critical ${where} extension ${critical.extnID}`);
}

function readNonce(extensions: asn1X509.Extension[]): Buffer | undefined {
  const nonces = extensions.filter((extension) => extension.extnID === id_pkix_ocsp_nonce);
  if (nonces.length > 1) throw malformed('more than one nonce extension');
  if (nonces.length === 0) return undefined;
  let nonce: Buffer;
  try {
    nonce = Buffer.from(parseExact(new Uint8Array(nonces[0].extnValue.buffer), Nonce).buffer);
  } catch {
    throw malformed('the nonce extension is not an OCTET STRING (RFC 8954)');
  }
  if (nonce.length < 1 || nonce.length > MAX_OCSP_NONCE_LENGTH) {
    throw malformed(`the nonce is ${nonce.length} octets; RFC 8954 allows 1 to ${MAX_OCSP_NONCE_LENGTH}`);
  }
  return nonce;
}

function certIdentity(certId: CertID): CertIdentity {
  const oid = certId.hashAlgorithm.algorithm;
  return {
    hashAlgorithm: hashByOid(oid) ?? 'unsupported',
    hashAlgorithmOid: oid,
    issuerNameHash: Buffer.from(certId.issuerNameHash.buffer),
    issuerKeyHash: Buffer.from(certId.issuerKeyHash.buffer),
    serialHex: serialHexOf(certId.serialNumber),
    raw: certId,
  };
}

/**
 * Reads a DER OCSPRequest. A signed request is accepted and its signature (and requestorName) is
 * ignored: we answer anyone. Throws OcspRequestError('malformedRequest') for anything else than one
 * well-formed request with 1..maxRequests CertIDs, at most one nonce of 1..32 octets and no
 * critical extension other than the nonce.
 */
export function parseOcspRequest(der: Uint8Array, options: ParseOcspRequestOptions = {}): ParsedOcspRequest {
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_OCSP_REQUESTS;
  let request: OcspRequestSchema;
  try {
    request = parseExact(der, OcspRequestSchema);
  } catch (error) {
    throw malformed(`not a DER OCSPRequest: ${(error as Error).message}`);
  }
  const tbs = request.tbsRequest;
  if (tbs.version !== 0) throw malformed(`unsupported OCSPRequest version ${tbs.version + 1}`);
  if (tbs.requestList.length === 0) throw malformed('the request lists no certificate');
  if (tbs.requestList.length > maxRequests) throw malformed(`the request lists ${tbs.requestList.length} certificates; at most ${maxRequests} are answered`);
  const extensions = tbs.requestExtensions ?? [];
  refuseCriticalExtensions(
    extensions.filter((extension) => extension.extnID !== id_pkix_ocsp_nonce),
    'request',
  );
  const nonce = readNonce(extensions);
  const requests = tbs.requestList.map((single) => {
    refuseCriticalExtensions(single.singleRequestExtensions, 'single request');
    return certIdentity(single.reqCert);
  });
  return nonce ? { requests, nonce } : { requests };
}

/** The BIT STRING value (without the unused-bits octet) of a certificate's subjectPublicKey. */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  const bits = children(readElement(spki))[1];
  if (!bits || bits.tag !== 0x03 || bits.content.length < 1) throw new Error('the certificate has no subjectPublicKey BIT STRING');
  return bits.content.subarray(1);
}

function digest(hash: OcspHashAlgorithm, data: Buffer): Buffer {
  return createHash(HASHES[hash].node).update(data).digest();
}

/**
 * The CertID hashes of an issuer (RFC 6960 section 4.1.1): of its DER subject Name and of the
 * value of its subjectPublicKey BIT STRING.
 */
export function issuerHashes(issuerCertDer: Uint8Array, hash: OcspHashAlgorithm): { nameHash: Buffer; keyHash: Buffer } {
  const fields = certificateFields(Buffer.from(issuerCertDer));
  return { nameHash: digest(hash, fields.subject), keyHash: digest(hash, subjectPublicKeyBits(fields.subjectPublicKeyInfo)) };
}

/** Whether a CertID names this issuer (both hashes match; an unsupported hash never does). */
export function certIdMatchesIssuer(identity: CertIdentity, issuerCertDer: Uint8Array): boolean {
  if (identity.hashAlgorithm === 'unsupported') return false;
  const hashes = issuerHashes(issuerCertDer, identity.hashAlgorithm);
  return hashes.nameHash.equals(identity.issuerNameHash) && hashes.keyHash.equals(identity.issuerKeyHash);
}

export type OcspCertStatus = { kind: 'good' } | { kind: 'revoked'; revokedAt: Date; reason?: OcspRevocationReason } | { kind: 'unknown' };

export interface OcspSingleResponseInput {
  /** CertIdentity.raw of the request, echoed unchanged. */
  certId: CertID;
  status: OcspCertStatus;
  thisUpdate: Date;
  /** Absent: newer information is always available (RFC 6960 section 4.2.2.1). */
  nextUpdate?: Date;
}

export interface OcspResponseInput {
  /** The delegated responder's certificate: it is sent in `certs` and identifies the responder. */
  responderCertDer: Uint8Array;
  /** byKey (default): SHA-1 of the responder's public key (RFC 6960 section 4.2.2.3); byName: its subject. */
  responderId?: 'byKey' | 'byName';
  producedAt: Date;
  responses: OcspSingleResponseInput[];
  /** Echoed as a non-critical id-pkix-ocsp-nonce response extension. */
  nonce?: Buffer;
  /** Signs the DER ResponseData with ECDSA and SHA-256 and returns a DER ECDSA-Sig-Value. */
  sign: (tbsResponseDataDer: Buffer) => Buffer;
}

/** DER GeneralizedTime must be UTC with whole seconds (X.690 11.7): drop the milliseconds. */
function wholeSeconds(date: Date): Date {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new Error('invalid date in an OCSP response');
  return new Date(Math.floor(time / 1000) * 1000);
}

function certStatus(status: OcspCertStatus): CertStatus {
  switch (status.kind) {
    case 'good':
      return new CertStatus({ good: null });
    case 'unknown':
      return new CertStatus({ unknown: null });
    case 'revoked':
      return new CertStatus({
        revoked: new RevokedInfo({
          revocationTime: wholeSeconds(status.revokedAt),
          revocationReason: status.reason === undefined ? undefined : new asn1X509.CRLReason(asn1X509.CRLReasons[status.reason]),
        }),
      });
  }
}

function responderId(kind: 'byKey' | 'byName', fields: ReturnType<typeof certificateFields>): ResponderID {
  if (kind === 'byName') return new ResponderID({ byName: AsnConvert.parse(fields.subject, asn1X509.Name) });
  const keyHash = createHash('sha1').update(subjectPublicKeyBits(fields.subjectPublicKeyInfo)).digest();
  return new ResponderID({ byKey: new OctetString(keyHash) });
}

function checkedSignature(signature: Buffer): Buffer {
  try {
    parseExact(signature, ECDSASigValue);
  } catch (error) {
    throw new Error(`the OCSP signer did not return a DER ECDSA-Sig-Value: ${(error as Error).message}`);
  }
  return signature;
}

/** A DER OCSPResponse, status successful, carrying a signed id-pkix-ocsp-basic response. */
export function buildOcspResponse(input: OcspResponseInput): Buffer {
  if (input.responses.length === 0) throw new Error('an OCSP response needs at least one single response');
  const responderCert = Buffer.from(input.responderCertDer);
  const responderFields = certificateFields(responderCert);
  const tbsResponseData = new ResponseData({
    responderID: responderId(input.responderId ?? 'byKey', responderFields),
    producedAt: wholeSeconds(input.producedAt),
    responses: input.responses.map(
      (single) =>
        new SingleResponse({
          certID: single.certId,
          certStatus: certStatus(single.status),
          thisUpdate: wholeSeconds(single.thisUpdate),
          nextUpdate: single.nextUpdate === undefined ? undefined : wholeSeconds(single.nextUpdate),
        }),
    ),
    responseExtensions: input.nonce
      ? [new asn1X509.Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new Nonce(input.nonce))) })]
      : undefined,
  });
  const signature = checkedSignature(input.sign(Buffer.from(AsnConvert.serialize(tbsResponseData))));
  const unsigned = new BasicOCSPResponse({
    tbsResponseData,
    signatureAlgorithm: new asn1X509.AlgorithmIdentifier({ algorithm: OID.ecdsaWithSha256 }),
    signature: new Uint8Array(signature).buffer,
  });
  // certs [0] EXPLICIT SEQUENCE OF Certificate, appended as the certificate's own bytes: a parsed
  // and re-encoded certificate could differ from what its issuer signed.
  const basic = encodeElement(
    DER_TAG.sequence,
    Buffer.concat([readElement(Buffer.from(AsnConvert.serialize(unsigned))).content, encodeElement(DER_TAG.contextConstructed0, encodeElement(DER_TAG.sequence, responderCert))]),
  );
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(basic) }),
  });
  return Buffer.from(AsnConvert.serialize(response));
}

/** A DER OCSPResponse with an error status and no responseBytes (unsigned, RFC 6960 section 2.3). */
export function ocspErrorResponse(status: OcspFailureStatus): Buffer {
  return Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: OCSPResponseStatus[status] })));
}

/**
 * The DER request of `GET {url}/{url-encoding of base64 of the DER}` (RFC 6960 appendix A.1) from
 * the path after the responder URL (it may contain '/', so route it with a wildcard). Accepts
 * url-encoded or raw standard base64 and base64url, padded or not; a space is read as the '+' a
 * form decoder turned into one. Throws OcspRequestError('malformedRequest') for anything else.
 */
export function ocspRequestFromGetPath(pathPart: string): Buffer {
  let text: string;
  try {
    text = decodeURIComponent(pathPart).replace(/ /g, '+');
  } catch {
    throw malformed('the GET request path is not valid percent-encoding');
  }
  const unpadded = text.replace(/={1,2}$/, '');
  const padded = unpadded.length !== text.length;
  if (!/^[A-Za-z0-9+/_-]+$/.test(unpadded) || unpadded.length % 4 === 1 || (padded && text.length % 4 !== 0)) {
    throw malformed('the GET request path is not base64 or base64url of a DER OCSPRequest');
  }
  return Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/**
 * Extensions of a delegated OCSP responder certificate (RFC 6960 section 4.2.2.2) besides the key
 * identifiers: extendedKeyUsage id-kp-OCSPSigning (not critical, as the CA/Browser Forum profile
 * asks), keyUsage digitalSignature (critical), id-pkix-ocsp-nocheck (NULL, not critical: clients
 * need not check the responder's own revocation, so keep its validity short) and
 * basicConstraints cA false (critical).
 */
export function ocspResponderExtensions(): x509.Extension[] {
  return [
    new x509.ExtendedKeyUsageExtension([id_kp_OCSPSigning], false),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.Extension(id_pkix_ocsp_nocheck, false, new Uint8Array([0x05, 0x00])),
    new x509.BasicConstraintsExtension(false, undefined, true),
  ];
}
