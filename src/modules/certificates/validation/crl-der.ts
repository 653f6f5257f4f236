// CRLs (RFC 5280 5.1) read and written as DER directly. A CRL of 100,000 entries is about 5 MB
// and 800,000 ASN.1 nodes: asn1js needed about 9 s to parse one (blocking the event loop of
// every process that validates logins, after every revocation), and @peculiar/x509's generator
// compares every new serial with all earlier ones (quadratic: a 100,000-entry CRL never
// finished). Here the revoked entries, the only part that grows, are walked and written by hand
// in one pass; the few fixed parts (names, algorithms, extensions) go through @peculiar/asn1-x509.
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { children, DER_TAG, DerElement, encodeElement, readElement } from '../../../shared/pkcs11/der';
import { serialKey } from './parse';

const TAG = {
  boolean: 0x01,
  bitString: 0x03,
  enumerated: 0x0a,
  utcTime: 0x17,
  generalizedTime: 0x18,
  crlExtensions: 0xa0,
} as const;

/** The DER of the reasonCode entry extension's OID (2.5.29.21). */
const REASON_CODE_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x15]);

/** One revoked certificate. */
export interface CrlEntry {
  /** The serial number: upper-case hex, no leading zero octets. */
  serialHex: string;
  revokedAt: Date;
  /** The reasonCode entry extension, when present. */
  reason?: asn1X509.CRLReasons;
}

/** A parsed CRL. Buffers are views into the DER it was read from. */
export interface CrlDocument {
  /** The whole CertificateList, DER. */
  rawData: Buffer;
  /** The signed part: tbsCertList, DER. */
  tbs: Buffer;
  signatureAlgorithm: asn1X509.AlgorithmIdentifier;
  /** The signature's octets (the BIT STRING's value). */
  signature: Buffer;
  /** The issuer Name, DER. */
  issuerDer: Buffer;
  issuer: asn1X509.Name;
  thisUpdate: Date;
  nextUpdate?: Date;
  extensions: asn1X509.Extension[];
  entries: CrlEntry[];
  /** OIDs of critical entry extensions this reader does not understand (the CRL is then unusable). */
  unknownCriticalEntryExtensions: string[];
}

/** The input is not a CRL this reader can read. */
export class CrlFormatError extends Error {
  override readonly name = 'CrlFormatError';
}

function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element || element.tag !== tag) throw new CrlFormatError(`expected ${what}`);
  return element;
}

function isTime(element: DerElement | undefined): element is DerElement {
  return element?.tag === TAG.utcTime || element?.tag === TAG.generalizedTime;
}

function expectTime(element: DerElement | undefined, what: string): Date {
  if (!isTime(element)) throw new CrlFormatError(`expected ${what} (a time)`);
  return readTime(element);
}

const TIME = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3})\d*)?Z$/;

/** UTCTime (two-digit years 1950-2049) or GeneralizedTime, in UTC as RFC 5280 requires. */
function readTime(element: DerElement): Date {
  const text = element.content.toString('latin1');
  const match = TIME.exec(text);
  if (!match || (element.tag === TAG.utcTime) !== (match[1].length === 2)) throw new CrlFormatError(`invalid time "${text}"`);
  const [, y, mo, d, h, mi, s, ms] = match;
  const year = y.length === 2 ? (Number(y) >= 50 ? 1900 : 2000) + Number(y) : Number(y);
  return new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms ? Number(ms.padEnd(3, '0')) : 0));
}

function readEntry(element: DerElement, unknownCritical: Set<string>): CrlEntry {
  const [serial, date, extensions] = children(expectTag(element, DER_TAG.sequence, 'a revoked certificate SEQUENCE'));
  const entry: CrlEntry = {
    serialHex: serialKey(expectTag(serial, DER_TAG.integer, 'a serial number INTEGER').content.toString('hex')),
    revokedAt: expectTime(date, 'a revocation date'),
  };
  if (extensions) {
    for (const extension of children(expectTag(extensions, DER_TAG.sequence, 'entry extensions'))) {
      const parts = children(extension);
      if (parts[0]?.raw.equals(REASON_CODE_OID)) {
        const value = expectTag(parts[parts.length - 1], DER_TAG.octetString, 'the reasonCode value');
        entry.reason = expectTag(readElement(value.content), TAG.enumerated, 'a reasonCode ENUMERATED').content[0];
        continue;
      }
      const parsed = AsnConvert.parse(extension.raw, asn1X509.Extension);
      if (parsed.critical) unknownCritical.add(parsed.extnID);
    }
  }
  return entry;
}

/** Reads a DER CertificateList. Throws CrlFormatError when it is not one. */
export function parseCrlDer(input: Uint8Array): CrlDocument {
  const der = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  try {
    const list = expectTag(readElement(der), DER_TAG.sequence, 'a CertificateList SEQUENCE');
    if (list.end !== der.length) throw new CrlFormatError('unexpected data after the CRL');
    const [tbsElement, algorithm, signature] = children(list);
    const fields = children(expectTag(tbsElement, DER_TAG.sequence, 'the TBSCertList SEQUENCE'));
    let index = fields[0]?.tag === DER_TAG.integer ? 1 : 0;
    const outerAlgorithm = expectTag(algorithm, DER_TAG.sequence, 'the signature AlgorithmIdentifier');
    // RFC 5280 5.1.1.2: the signed copy of the algorithm must be the one the signature uses.
    if (!expectTag(fields[index++], DER_TAG.sequence, 'the TBSCertList signature AlgorithmIdentifier').raw.equals(outerAlgorithm.raw)) {
      throw new CrlFormatError('the signature algorithm inside the TBSCertList differs from the outer one');
    }
    const issuer = expectTag(fields[index++], DER_TAG.sequence, 'the issuer Name');
    const thisUpdate = expectTime(fields[index++], 'thisUpdate');
    const nextUpdate = isTime(fields[index]) ? readTime(fields[index++]) : undefined;
    const unknownCritical = new Set<string>();
    const entries: CrlEntry[] = [];
    if (fields[index]?.tag === DER_TAG.sequence) {
      for (const element of children(fields[index++])) entries.push(readEntry(element, unknownCritical));
    }
    const extensions = fields[index]?.tag === TAG.crlExtensions ? [...AsnConvert.parse(fields[index++].content, asn1X509.Extensions)] : [];
    if (index !== fields.length) throw new CrlFormatError('unexpected fields in the TBSCertList');
    const bits = expectTag(signature, TAG.bitString, 'the signature BIT STRING').content;
    if (bits[0] !== 0) throw new CrlFormatError('the signature BIT STRING has unused bits');
    return {
      rawData: der,
      tbs: tbsElement.raw,
      signatureAlgorithm: AsnConvert.parse(outerAlgorithm.raw, asn1X509.AlgorithmIdentifier),
      signature: bits.subarray(1),
      issuerDer: issuer.raw,
      issuer: AsnConvert.parse(issuer.raw, asn1X509.Name),
      thisUpdate,
      nextUpdate,
      extensions,
      entries,
      unknownCriticalEntryExtensions: [...unknownCritical],
    };
  } catch (error) {
    if (error instanceof CrlFormatError) throw error;
    throw new CrlFormatError((error as Error).message);
  }
}

// ---- writing ---------------------------------------------------------------------------------

/** What a CA signs: RFC 5280 v2 CRL fields, as DER pieces where they come from elsewhere. */
export interface CrlContent {
  /** The signature AlgorithmIdentifier, DER (inside the TBSCertList and outside). */
  signatureAlgorithm: Uint8Array;
  /** The issuer Name exactly as in the CA certificate's subject, DER. */
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: Iterable<CrlEntry>;
  /** CRL extensions, each an Extension in DER (crlNumber, authorityKeyIdentifier, ...). */
  extensions: Uint8Array[];
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5), whole seconds: tag and text. */
function timeOf(date: Date): { tag: number; text: string } {
  const digits = date.toISOString().slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? { tag: TAG.utcTime, text: `${digits.slice(2)}Z` } : { tag: TAG.generalizedTime, text: `${digits}Z` };
}

function writeTime(date: Date): Buffer {
  const { tag, text } = timeOf(date);
  return encodeElement(tag, Buffer.from(text, 'latin1'));
}

/** RFC 5280 4.1.2.2: serial numbers of at most 20 octets. */
const MAX_SERIAL_OCTETS = 20;

/** A positive INTEGER's content from hex: minimal, with a zero octet before a high bit. */
function serialContent(serialHex: string): Buffer {
  if (!/^[0-9A-Fa-f]+$/.test(serialHex)) throw new CrlFormatError(`invalid serial number "${serialHex}"`);
  const value = Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex');
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  if (value.length - start > MAX_SERIAL_OCTETS) throw new CrlFormatError(`serial number "${serialHex}" is longer than ${MAX_SERIAL_OCTETS} octets`);
  return value[start] & 0x80 ? Buffer.concat([Buffer.from([0]), value.subarray(start)]) : value.subarray(start);
}

/**
 * One revokedCertificates entry: SEQUENCE { serial INTEGER, revocationDate Time, [SEQUENCE {
 * reasonCode extension }] }, written straight into one buffer (the entry is under 128 octets, so
 * every length is one octet). The reasonCode (not critical) is left out for unspecified, as RFC
 * 5280 5.3.1 asks.
 */
function writeEntry(entry: CrlEntry): Buffer {
  const serial = serialContent(entry.serialHex);
  const time = timeOf(entry.revokedAt);
  const reason = entry.reason !== undefined && entry.reason !== asn1X509.CRLReasons.unspecified ? entry.reason : undefined;
  const contentLength = 2 + serial.length + 2 + time.text.length + (reason === undefined ? 0 : 14);
  const out = Buffer.allocUnsafe(2 + contentLength);
  let at = 0;
  out[at++] = DER_TAG.sequence;
  out[at++] = contentLength;
  out[at++] = DER_TAG.integer;
  out[at++] = serial.length;
  at += serial.copy(out, at);
  out[at++] = time.tag;
  out[at++] = time.text.length;
  at += out.write(time.text, at, 'latin1');
  if (reason !== undefined) {
    // SEQUENCE { SEQUENCE { OID 2.5.29.21, OCTET STRING { ENUMERATED reason } } }
    out.set([DER_TAG.sequence, 12, DER_TAG.sequence, 10], at);
    at += 4;
    at += REASON_CODE_OID.copy(out, at);
    out.set([DER_TAG.octetString, 3, TAG.enumerated, 1, reason], at);
  }
  return out;
}

/** The TBSCertList (v2) to sign. Linear in the number of entries. */
export function encodeTbsCertList(content: CrlContent): Buffer {
  const entries: Buffer[] = [];
  for (const entry of content.entries) entries.push(writeEntry(entry));
  const parts = [
    encodeElement(DER_TAG.integer, Buffer.from([1])),
    Buffer.from(content.signatureAlgorithm),
    Buffer.from(content.issuer),
    writeTime(content.thisUpdate),
    writeTime(content.nextUpdate),
  ];
  // An empty revokedCertificates must be absent, not an empty SEQUENCE (RFC 5280 5.1.2.6).
  if (entries.length) parts.push(encodeElement(DER_TAG.sequence, Buffer.concat(entries)));
  if (content.extensions.length) {
    parts.push(encodeElement(TAG.crlExtensions, encodeElement(DER_TAG.sequence, Buffer.concat(content.extensions.map((e) => Buffer.from(e))))));
  }
  return encodeElement(DER_TAG.sequence, Buffer.concat(parts));
}

/** The signed CertificateList from its TBSCertList, algorithm and DER signature. */
export function encodeCertificateList(tbs: Uint8Array, signatureAlgorithm: Uint8Array, signature: Uint8Array): Buffer {
  const bits = encodeElement(TAG.bitString, Buffer.concat([Buffer.from([0]), Buffer.from(signature)]));
  return encodeElement(DER_TAG.sequence, Buffer.concat([Buffer.from(tbs), Buffer.from(signatureAlgorithm), bits]));
}
