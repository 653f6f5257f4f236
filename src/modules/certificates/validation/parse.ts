// Parses one certificate once into everything the checks need. Unreadable input throws
// 'malformed'; readable but non-conforming encodings (negative or oversized serial, duplicate
// extensions...) are collected as `defects`, so they are reported with the certificate's position.
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import * as asn1Rsa from '@peculiar/asn1-rsa';
import * as asn1Ecc from '@peculiar/asn1-ecc';
import { x509 } from './x509-runtime';
import { CertificateValidationError, FailingCertificate } from './errors';
import { asn1ValueText, hex } from './asn1-text';
import { Der, derElementLength } from './encoding';
import { normalizeName, NormalizedName } from './names';
import { LruMap } from '../../../common/collections/lru-map';
import { OID } from './oids';

export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

export type KeyInfo =
  | { kind: 'rsa'; modulusBits: number }
  | { kind: 'ec'; curve: NamedCurve | undefined; curveOid: string | undefined }
  | { kind: 'unsupported'; algorithm: string };

export interface NameConstraintsInfo {
  permitted: asn1X509.GeneralName[];
  excluded: asn1X509.GeneralName[];
}

export interface CertificateExtensions {
  /** OIDs of every extension marked critical. */
  critical: string[];
  basicConstraints?: { ca: boolean; pathLength?: number };
  /** KeyUsage bits as x509.KeyUsageFlags. */
  keyUsage?: number;
  extKeyUsage?: string[];
  nameConstraints?: NameConstraintsInfo;
  policies: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  subjectAltNames: asn1X509.GeneralName[];
  /** Subject Directory Attributes (2.5.29.9) by attribute OID, values as text. */
  directoryAttributes: Record<string, string[]>;
}

export interface ParsedCertificate {
  readonly x509: x509.X509Certificate;
  readonly asn: asn1X509.Certificate;
  /** SHA-256 of the DER encoding, hex uppercase. */
  readonly fingerprint: string;
  /** Serial number, hex uppercase, without a sign byte. */
  readonly serialNumber: string;
  readonly subjectDn: string;
  readonly issuerDn: string;
  readonly subjectName: NormalizedName;
  readonly issuerName: NormalizedName;
  readonly selfIssued: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Identifies the public key across certificates (see keyFingerprint()). */
  readonly keyFingerprint: string;
  readonly key: KeyInfo;
  readonly extensions: CertificateExtensions;
  /** Encoding problems that make the certificate malformed; empty when well-formed. */
  readonly defects: readonly string[];
}

/** Gives the validator the ASN.1 structure @peculiar/x509 already parsed, instead of parsing twice. */
class AsnX509Certificate extends x509.X509Certificate {
  get asnCertificate(): asn1X509.Certificate {
    return this.asn;
  }
}

function sha256(data: ArrayBuffer | Uint8Array): string {
  return createHash('sha256')
    .update(data instanceof Uint8Array ? data : new Uint8Array(data))
    .digest('hex')
    .toUpperCase();
}

const CURVES: Record<string, NamedCurve> = { [OID.p256]: 'P-256', [OID.p384]: 'P-384', [OID.p521]: 'P-521' };

function bitLength(bytes: Uint8Array): number {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start]));
}

export function keyInfo(spki: asn1X509.SubjectPublicKeyInfo): KeyInfo {
  const algorithm = spki.algorithm.algorithm;
  if (algorithm === OID.rsaEncryption || algorithm === OID.rsassaPss) {
    const rsa = AsnConvert.parse(spki.subjectPublicKey, asn1Rsa.RSAPublicKey);
    return { kind: 'rsa', modulusBits: bitLength(new Uint8Array(rsa.modulus)) };
  }
  if (algorithm === OID.ecPublicKey) {
    const curveOid = spki.algorithm.parameters
      ? AsnConvert.parse(spki.algorithm.parameters, asn1Ecc.ECParameters).namedCurve
      : undefined;
    return { kind: 'ec', curve: curveOid ? CURVES[curveOid] : undefined, curveOid };
  }
  return { kind: 'unsupported', algorithm };
}

/** Where a failure happened, for error results: position in the path (0 = leaf) and subject. */
export function located(cert: ParsedCertificate, position: number): FailingCertificate {
  return { position, subject: cert.subjectDn };
}

/** Decodes a Subject Directory Attributes extension value into attribute OID → text values. */
export function parseDirectoryAttributes(value: ArrayBuffer): Record<string, string[]> {
  const attributes: Record<string, string[]> = {};
  for (const attribute of AsnConvert.parse(value, asn1X509.SubjectDirectoryAttributes)) {
    (attributes[attribute.type] ??= []).push(...attribute.values.map(asn1ValueText));
  }
  return attributes;
}

function parseExtensions(asnExtensions: asn1X509.Extension[], defects: string[]): CertificateExtensions {
  const result: CertificateExtensions = { critical: [], policies: [], subjectAltNames: [], directoryAttributes: {} };
  const seen = new Set<string>();
  for (const extension of asnExtensions) {
    const oid = extension.extnID;
    if (seen.has(oid)) defects.push(`extension ${oid} appears more than once`);
    seen.add(oid);
    if (extension.critical) result.critical.push(oid);
    const value = extension.extnValue.buffer;
    try {
      switch (oid) {
        case OID.basicConstraints: {
          const bc = AsnConvert.parse(value, asn1X509.BasicConstraints);
          result.basicConstraints = { ca: bc.cA, pathLength: bc.pathLenConstraint };
          break;
        }
        case OID.keyUsage:
          result.keyUsage = AsnConvert.parse(value, asn1X509.KeyUsage).toNumber();
          break;
        case OID.extKeyUsage:
          result.extKeyUsage = [...AsnConvert.parse(value, asn1X509.ExtendedKeyUsage)];
          break;
        case OID.nameConstraints: {
          const nc = AsnConvert.parse(value, asn1X509.NameConstraints);
          result.nameConstraints = {
            permitted: (nc.permittedSubtrees ?? []).map((subtree) => subtree.base),
            excluded: (nc.excludedSubtrees ?? []).map((subtree) => subtree.base),
          };
          break;
        }
        case OID.certificatePolicies:
          result.policies = AsnConvert.parse(value, asn1X509.CertificatePolicies).map((p) => p.policyIdentifier);
          break;
        case OID.subjectKeyIdentifier:
          result.subjectKeyId = hex(AsnConvert.parse(value, asn1X509.SubjectKeyIdentifier).buffer);
          break;
        case OID.authorityKeyIdentifier: {
          const keyId = AsnConvert.parse(value, asn1X509.AuthorityKeyIdentifier).keyIdentifier;
          result.authorityKeyId = keyId ? hex(keyId.buffer) : undefined;
          break;
        }
        case OID.subjectAltName:
          result.subjectAltNames = [...AsnConvert.parse(value, asn1X509.SubjectAlternativeName)];
          break;
        case OID.subjectDirectoryAttributes:
          result.directoryAttributes = parseDirectoryAttributes(value);
          break;
      }
    } catch (error) {
      defects.push(`extension ${oid} cannot be decoded (${(error as Error).message})`);
    }
  }
  return result;
}

/**
 * A serial number in hex as serials are compared and stored: upper case, no leading zero octets
 * (so '00FF01', 'ff01' and 'FF01' are one serial).
 */
export function serialKey(hexSerial: string): string {
  return hexSerial.toUpperCase().replace(/^(00)+(?=..)/, '');
}

/** A serial number (INTEGER content bytes) as hex uppercase without the sign byte. */
export function serialHex(raw: Uint8Array): string {
  return hex(raw.length > 1 && raw[0] === 0 ? raw.subarray(1) : raw);
}

/** Why a serial number (INTEGER content bytes) is not acceptable, if it is not. */
function serialDefect(raw: Uint8Array): string | undefined {
  if (raw.length === 0) return 'serial number is empty';
  if (raw[0] & 0x80) return 'serial number is negative';
  if (raw.every((byte) => byte === 0)) return 'serial number is zero';
  if (raw.length > 1 && raw[0] === 0 && !(raw[1] & 0x80)) return 'serial number is not minimally encoded';
  const valueLength = raw[0] === 0 ? raw.length - 1 : raw.length;
  if (valueLength > 20) return `serial number is ${valueLength} octets long (at most 20 allowed)`;
  return undefined;
}

function parametersBytes(algorithm: asn1X509.AlgorithmIdentifier): Buffer | null {
  return algorithm.parameters ? Buffer.from(algorithm.parameters) : null;
}

/** Same OID and byte-identical parameters (absent and NULL parameters are different encodings). */
function sameAlgorithm(a: asn1X509.AlgorithmIdentifier, b: asn1X509.AlgorithmIdentifier): boolean {
  const pa = parametersBytes(a);
  const pb = parametersBytes(b);
  return a.algorithm === b.algorithm && (pa === null ? pb === null : pb !== null && pa.equals(pb));
}

/**
 * Identifies a public key: hash of its algorithm, parameters and key bits (cheaper than
 * re-encoding the SubjectPublicKeyInfo, and equal exactly when those are equal).
 */
function keyFingerprint(spki: asn1X509.SubjectPublicKeyInfo): string {
  return createHash('sha256')
    .update(`${spki.algorithm.algorithm}|${parametersBytes(spki.algorithm)?.toString('hex') ?? '-'}|`)
    .update(new Uint8Array(spki.subjectPublicKey))
    .digest('hex')
    .toUpperCase();
}

/** Short names used in displayed DNs beyond @peculiar/x509's defaults. */
const DISPLAY_NAMES = { serialNumber: OID.serialNumber };

function displayName(name: asn1X509.Name): string {
  return new x509.Name(name, DISPLAY_NAMES).toString();
}

function readCertificate(der: Der): AsnX509Certificate {
  try {
    return new AsnX509Certificate(der);
  } catch (error) {
    throw new CertificateValidationError('malformed', `the certificate cannot be parsed: ${(error as Error).message}`);
  }
}

/** Parses a DER certificate. Throws CertificateValidationError('malformed') when it cannot be read. */
export function parseCertificate(der: Der): ParsedCertificate {
  const cert = readCertificate(der);
  const asn = cert.asnCertificate;
  const tbs = asn.tbsCertificate;
  const defects: string[] = [];
  try {
    if (derElementLength(der) !== der.length) defects.push('unexpected data after the certificate');
    const rawSerial = new Uint8Array(tbs.serialNumber);
    const serialProblem = serialDefect(rawSerial);
    if (serialProblem) defects.push(serialProblem);
    if (tbs.extensions && tbs.version !== asn1X509.Version.v3) defects.push('extensions in a certificate that is not version 3');
    if (!sameAlgorithm(asn.signatureAlgorithm, tbs.signature)) {
      defects.push('signature algorithm differs between the certificate and its signed part');
    }
    const notBefore = tbs.validity.notBefore.getTime();
    const notAfter = tbs.validity.notAfter.getTime();
    if (notBefore > notAfter) defects.push('notBefore is later than notAfter');
    const extensions = parseExtensions(tbs.extensions ?? [], defects);
    let key: KeyInfo;
    try {
      key = keyInfo(tbs.subjectPublicKeyInfo);
    } catch (error) {
      defects.push(`the public key cannot be decoded (${(error as Error).message})`);
      key = { kind: 'unsupported', algorithm: tbs.subjectPublicKeyInfo.algorithm.algorithm };
    }
    const subjectName = normalizeName(tbs.subject);
    const issuerName = normalizeName(tbs.issuer);
    return {
      x509: cert,
      asn,
      fingerprint: sha256(der),
      serialNumber: serialHex(rawSerial),
      subjectDn: displayName(tbs.subject),
      issuerDn: displayName(tbs.issuer),
      subjectName,
      issuerName,
      selfIssued: subjectName.key === issuerName.key,
      notBefore,
      notAfter,
      keyFingerprint: keyFingerprint(tbs.subjectPublicKeyInfo),
      key,
      extensions,
      defects,
    };
  } catch (error) {
    if (error instanceof CertificateValidationError) throw error;
    throw new CertificateValidationError('malformed', `the certificate cannot be parsed: ${(error as Error).message}`);
  }
}

/**
 * Parsed certificates by the SHA-256 of their encoding: parsing (ASN.1 decoding and schema
 * checks) costs several times more than verifying an ECDSA signature, and the same cards come
 * back again and again. Parsed certificates are never modified, so sharing them is safe.
 */
export class ParsedCertificateCache {
  private readonly entries: LruMap<string, ParsedCertificate>;

  constructor(maxEntries = 2000) {
    this.entries = new LruMap(maxEntries);
  }

  parse(der: Der): ParsedCertificate {
    const key = sha256(der);
    let parsed = this.entries.get(key);
    if (!parsed) {
      parsed = parseCertificate(der);
      this.entries.set(key, parsed);
    }
    return parsed;
  }

  clear(): void {
    this.entries.clear();
  }
}
