/**
 * The few DER reads the PKCS#11 layer needs (the EC point inside CKA_EC_POINT, the subject,
 * issuer and serial number of a certificate for CKA_SUBJECT / CKA_ISSUER / CKA_SERIAL_NUMBER).
 * Hand-written so that the reader helper, which ships to users' PCs, needs only Node built-ins.
 */

export interface DerElement {
  /** The identifier octet (single-byte tags only, which is all X.509 uses here). */
  tag: number;
  /** Offset of the first content octet in the buffer. */
  start: number;
  /** Offset just after the last content octet. */
  end: number;
  /** The whole element (identifier, length and content). */
  raw: Buffer;
  /** The content octets. */
  content: Buffer;
}

export const DER_TAG = {
  integer: 0x02,
  octetString: 0x04,
  sequence: 0x30,
  contextConstructed0: 0xa0,
} as const;

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** Reads the element starting at `offset` of `buffer`. */
export function readElement(buffer: Buffer, offset = 0): DerElement {
  if (offset + 2 > buffer.length) throw new DerError('truncated DER element');
  const tag = buffer[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let length = buffer[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new DerError('unsupported DER length');
    if (start + octets > buffer.length) throw new DerError('truncated DER length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buffer[start + i];
    start += octets;
  }
  const end = start + length;
  if (end > buffer.length) throw new DerError('DER element runs past the end of its buffer');
  return { tag, start, end, raw: buffer.subarray(offset, end), content: buffer.subarray(start, end) };
}

/** The elements inside a constructed element's content. */
export function children(element: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let offset = 0;
  while (offset < element.content.length) {
    const child = readElement(element.content, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

function expect(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element || element.tag !== tag) throw new DerError(`expected ${what}`);
  return element;
}

/** DER length octets for `length`. */
function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one element from its tag and content. */
export function encodeElement(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/** An unsigned big-endian integer as DER INTEGER content: no superfluous leading zeros, a 0x00 before a high bit. */
function unsignedIntegerContent(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const trimmed = value.subarray(start);
  return trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

/**
 * An ECDSA signature as PKCS#11 returns it (r||s, each half the curve size) in the DER form
 * X.509 certificates, CRLs and OCSP responses carry (ECDSA-Sig-Value, RFC 3279).
 */
export function ecdsaSignatureDer(raw: Buffer): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new DerError('an ECDSA signature r||s has two halves of equal length');
  const half = raw.length / 2;
  const r = encodeElement(DER_TAG.integer, unsignedIntegerContent(raw.subarray(0, half)));
  const s = encodeElement(DER_TAG.integer, unsignedIntegerContent(raw.subarray(half)));
  return encodeElement(DER_TAG.sequence, Buffer.concat([r, s]));
}

/** The fields of a certificate that PKCS#11 stores beside CKA_VALUE, as DER. */
export interface CertificateDerFields {
  /** The serial number as a DER INTEGER (CKA_SERIAL_NUMBER). */
  serialNumber: Buffer;
  /** The serial number's value as upper-case hex without a leading sign octet. */
  serialNumberHex: string;
  /** The issuer Name (CKA_ISSUER). */
  issuer: Buffer;
  /** The subject Name (CKA_SUBJECT). */
  subject: Buffer;
  /** The SubjectPublicKeyInfo. */
  subjectPublicKeyInfo: Buffer;
}

/** Reads serial number, issuer, subject and public key from a DER X.509 certificate. */
export function certificateFields(der: Buffer): CertificateDerFields {
  const certificate = expect(readElement(der), DER_TAG.sequence, 'a certificate SEQUENCE');
  if (certificate.end !== der.length) throw new DerError('unexpected data after the certificate');
  const tbs = expect(children(certificate)[0], DER_TAG.sequence, 'the TBSCertificate SEQUENCE');
  const fields = children(tbs);
  const first = fields[0]?.tag === DER_TAG.contextConstructed0 ? 1 : 0;
  const serial = expect(fields[first], DER_TAG.integer, 'the serial number INTEGER');
  const issuer = expect(fields[first + 2], DER_TAG.sequence, 'the issuer Name');
  const subject = expect(fields[first + 4], DER_TAG.sequence, 'the subject Name');
  const spki = expect(fields[first + 5], DER_TAG.sequence, 'the SubjectPublicKeyInfo');
  const value = serial.content.length > 1 && serial.content[0] === 0 ? serial.content.subarray(1) : serial.content;
  return {
    serialNumber: Buffer.from(serial.raw),
    serialNumberHex: value.toString('hex').toUpperCase(),
    issuer: Buffer.from(issuer.raw),
    subject: Buffer.from(subject.raw),
    subjectPublicKeyInfo: Buffer.from(spki.raw),
  };
}
