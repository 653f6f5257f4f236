// Reading certificates and CRLs from what people hand us: PEM text with any number of blocks,
// bare base64, DER bytes (one or several concatenated) or @peculiar/x509 objects.
import { CrlDocument, parseCrlDer } from './crl-der';
import { x509 } from './x509-runtime';
import { CertificateValidationError } from './errors';

export type BinaryInput = Uint8Array | ArrayBuffer;
/** DER bytes backed by a plain ArrayBuffer (what @peculiar/x509 accepts). */
export type Der = Uint8Array<ArrayBuffer>;
/** A certificate as PEM text, base64, DER bytes or an already parsed @peculiar/x509 object. */
export type CertificateInput = string | BinaryInput | x509.X509Certificate;
/** A CRL as PEM text, base64, DER bytes or an already parsed @peculiar/x509 object. */
export type CrlInput = string | BinaryInput | x509.X509Crl;

const CERTIFICATE_PEM_TYPES = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const CRL_PEM_TYPES = new Set(['X509 CRL', 'CRL']);

function toDer(data: BinaryInput): Der {
  return new Uint8Array(data);
}

/**
 * Length in bytes of the DER element starting at `offset` (tag + length + content).
 * Throws on a truncated or indefinite-length header.
 */
export function derElementLength(bytes: Uint8Array, offset = 0): number {
  if (offset + 2 > bytes.length) throw new Error('truncated DER header');
  if ((bytes[offset] & 0x1f) === 0x1f) throw new Error('multi-byte DER tags are not expected here');
  const first = bytes[offset + 1];
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new Error('unsupported DER length');
  if (offset + 2 + count > bytes.length) throw new Error('truncated DER length');
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i];
  return 2 + count + length;
}

function splitDer(bytes: Der): Der[] {
  const items: Der[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = derElementLength(bytes, offset);
    if (offset + length > bytes.length) throw new Error('truncated DER element');
    items.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return items;
}

function looksLikeText(bytes: Uint8Array): boolean {
  // DER certificates and CRLs start with a SEQUENCE tag (0x30, which is also the character '0');
  // base64 of a SEQUENCE starts with 'M', so text starting with '0' is never ours.
  if (bytes[0] === 0x30) return false;
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart();
  return text.startsWith('-----BEGIN') || /^[A-Za-z0-9+/=\s]+$/.test(text);
}

function decodeText(text: string, pemTypes: ReadonlySet<string>, what: string): Der[] {
  if (text.includes('-----BEGIN')) {
    const blocks = x509.PemConverter.decodeWithHeaders(text).filter((block) => pemTypes.has(block.type));
    return blocks.map((block) => new Uint8Array(block.rawData));
  }
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error(`${what} is neither PEM, base64 nor DER`);
  return splitDer(new Uint8Array(Buffer.from(compact, 'base64')));
}

function decodeBlocks(input: string | BinaryInput, pemTypes: ReadonlySet<string>, what: string): Der[] {
  try {
    if (typeof input === 'string') return decodeText(input, pemTypes, what);
    const bytes = toDer(input);
    if (looksLikeText(bytes)) return decodeText(Buffer.from(bytes).toString('latin1'), pemTypes, what);
    return splitDer(bytes);
  } catch (error) {
    throw new CertificateValidationError('malformed', `${what} cannot be decoded: ${(error as Error).message}`);
  }
}

/** DER encodings of every certificate in the input (PEM may hold several, DER may be concatenated). */
export function certificateDers(input: CertificateInput): Der[] {
  if (input instanceof x509.X509Certificate) return [new Uint8Array(input.rawData)];
  return decodeBlocks(input, CERTIFICATE_PEM_TYPES, 'certificate data');
}

/** DER encodings of every CRL in the input. */
export function crlDers(input: CrlInput): Der[] {
  if (input instanceof x509.X509Crl) return [new Uint8Array(input.rawData)];
  return decodeBlocks(input, CRL_PEM_TYPES, 'CRL data');
}

/**
 * Loads every certificate from PEM text (several blocks allowed) or DER. Throws
 * CertificateValidationError('malformed') when the input holds no readable certificate.
 */
export function loadCertificates(input: CertificateInput): x509.X509Certificate[] {
  const ders = certificateDers(input);
  if (ders.length === 0) throw new CertificateValidationError('malformed', 'no certificate found in the input');
  return ders.map((der, index) => {
    try {
      return new x509.X509Certificate(der);
    } catch (error) {
      throw new CertificateValidationError('malformed', `certificate #${index + 1} cannot be parsed: ${(error as Error).message}`);
    }
  });
}

/** Loads every CRL from PEM text (several blocks allowed) or DER. */
export function loadCrls(input: CrlInput): CrlDocument[] {
  const ders = crlDers(input);
  if (ders.length === 0) throw new CertificateValidationError('malformed', 'no CRL found in the input');
  return ders.map((der, index) => {
    try {
      return parseCrlDer(der);
    } catch (error) {
      throw new CertificateValidationError('malformed', `CRL #${index + 1} cannot be parsed: ${(error as Error).message}`);
    }
  });
}
