// Builds test PKIs in code: roots, intermediates, cross-certificates, leaves with the Taiwan
// Subject Directory Attributes, CRLs, and deliberately broken certificates. Everything is signed
// for real with WebCrypto keys (ECDSA P-256 by default, because it is fast to generate).
import { createHash, generateKeyPairSync, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

/** Fixed "now" for tests; certificates default to one year either side of it. */
export const NOW = new Date('2025-06-01T00:00:00Z');
export const DAY = 24 * 60 * 60 * 1000;
export const days = (n: number, from: Date = NOW) => new Date(from.getTime() + n * DAY);

export type KeyKind = 'P-256' | 'P-384' | 'P-521' | 'RSA-2048' | 'RSA-1024' | 'RSA-PSS-2048';

export const KU = x509.KeyUsageFlags;
export const EKU = { clientAuth: '1.3.6.1.5.5.7.3.2', emailProtection: '1.3.6.1.5.5.7.3.4', serverAuth: '1.3.6.1.5.5.7.3.1' };

export const TW = {
  subjectType: '2.16.886.1.100.2.1',
  cardType: '2.16.886.1.100.2.2',
  nationalIdLast4: '2.16.886.1.100.2.51',
  businessNumber: '2.16.886.1.100.2.101',
  agencyOid: '2.16.886.1.100.2.102',
  citizen: '2.16.886.1.100.3.1.1',
  personnel: '2.16.886.1.100.3.1.7',
  institution: '2.16.886.1.100.3.2.21',
  gcaAgency: '2.16.886.1.100.3.2.1.1',
  moeacaCompany: '2.16.886.1.100.3.2.2.1.1',
  xcaOrganization: '2.16.886.1.100.3.2.4',
};

export interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  kind: KeyKind;
  pem: string;
}

function keyAlgorithm(kind: KeyKind): RsaHashedKeyGenParams | EcKeyGenParams {
  const rsa = (name: string, modulusLength: number): RsaHashedKeyGenParams => ({
    name,
    modulusLength,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  });
  switch (kind) {
    case 'RSA-2048':
      return rsa('RSASSA-PKCS1-v1_5', 2048);
    case 'RSA-1024':
      return rsa('RSASSA-PKCS1-v1_5', 1024);
    case 'RSA-PSS-2048':
      return rsa('RSA-PSS', 2048);
    default:
      return { name: 'ECDSA', namedCurve: kind };
  }
}

export function generateKeys(kind: KeyKind = 'P-256'): Promise<CryptoKeyPair> {
  return subtle.generateKey(keyAlgorithm(kind), true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** The algorithm a key of this kind signs with (hash chosen by `hash`). */
export function signingAlgorithm(kind: KeyKind, hash = 'SHA-256'): Algorithm {
  if (kind === 'RSA-PSS-2048') return { name: 'RSA-PSS', hash, saltLength: 32 } as Algorithm;
  if (kind.startsWith('RSA')) return { name: 'RSASSA-PKCS1-v1_5', hash } as Algorithm;
  return { name: 'ECDSA', hash } as EcdsaParams;
}

type DirectoryValue = { oid: string } | { printable: string } | { utf8: string };

function encodeDirectoryValue(value: DirectoryValue): ArrayBuffer {
  if ('oid' in value) return new asn1js.ObjectIdentifier({ value: value.oid }).toBER();
  if ('printable' in value) return new asn1js.PrintableString({ value: value.printable }).toBER();
  return new asn1js.Utf8String({ value: value.utf8 }).toBER();
}

/** Subject Directory Attributes (2.5.29.9): SEQUENCE OF Attribute { type, SET OF value }. */
export function directoryAttributesExtension(attributes: Record<string, DirectoryValue>, critical = false): x509.Extension {
  const value = new asn1X509.SubjectDirectoryAttributes(
    Object.entries(attributes).map(([type, v]) => new asn1X509.Attribute({ type, values: [encodeDirectoryValue(v)] })),
  );
  return new x509.Extension('2.5.29.9', critical, AsnConvert.serialize(value));
}

/** Name constraints (2.5.29.30) with directoryName subtrees given as DN strings. */
export function nameConstraintsExtension(subtrees: { permitted?: string[]; excluded?: string[] }): x509.Extension {
  const toSubtrees = (names?: string[]) =>
    names && names.length > 0
      ? new asn1X509.GeneralSubtrees(
          names.map(
            (dn) =>
              new asn1X509.GeneralSubtree({
                base: new asn1X509.GeneralName({ directoryName: AsnConvert.parse(new x509.Name(dn).toArrayBuffer(), asn1X509.Name) }),
              }),
          ),
        )
      : undefined;
  const value = new asn1X509.NameConstraints({
    permittedSubtrees: toSubtrees(subtrees.permitted),
    excludedSubtrees: toSubtrees(subtrees.excluded),
  });
  return new x509.Extension('2.5.29.30', true, AsnConvert.serialize(value));
}

export interface CertOptions {
  /** Subject DN, e.g. 'CN=Test Root, O=Test, C=TW' (written order = encoded order), or a Name. */
  subject: string | x509.Name;
  kind?: KeyKind;
  keys?: CryptoKeyPair;
  /** A subject public key that is not a WebCrypto key (SPKI DER), e.g. a secp256k1 key. */
  foreignPublicKey?: ArrayBuffer;
  notBefore?: Date;
  notAfter?: Date;
  /** Hex serial (the generator makes it positive). */
  serialNumber?: string;
  /** basicConstraints; null leaves the extension out. Defaults: CAs { ca: true }, leaves { ca: false }. */
  basicConstraints?: { ca: boolean; pathLength?: number } | null;
  /** KeyUsage flags; null leaves the extension out. Defaults: CAs keyCertSign|cRLSign, leaves digitalSignature|nonRepudiation. */
  keyUsage?: number | null;
  extKeyUsage?: string[];
  nameConstraints?: { permitted?: string[]; excluded?: string[] };
  policies?: string[];
  /** Subject Directory Attributes. */
  directoryAttributes?: Record<string, DirectoryValue>;
  extraExtensions?: x509.Extension[];
  signingHash?: string;
  /** Leave out subject and authority key identifiers. */
  noKeyIdentifiers?: boolean;
}

async function issue(options: CertOptions, isCa: boolean, issuer?: Issued): Promise<Issued> {
  const kind = options.kind ?? 'P-256';
  const keys = options.keys ?? (await generateKeys(kind));
  const publicKey: x509.PublicKeyType = options.foreignPublicKey ?? keys.publicKey;
  const signer = issuer ?? { keys, kind };
  const extensions: x509.Extension[] = [];
  const basicConstraints = options.basicConstraints === undefined ? { ca: isCa } : options.basicConstraints;
  if (basicConstraints) extensions.push(new x509.BasicConstraintsExtension(basicConstraints.ca, basicConstraints.pathLength, true));
  const defaultUsage = isCa ? KU.keyCertSign | KU.cRLSign : KU.digitalSignature | KU.nonRepudiation;
  const keyUsage = options.keyUsage === undefined ? defaultUsage : options.keyUsage;
  if (keyUsage !== null) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
  if (options.extKeyUsage) extensions.push(new x509.ExtendedKeyUsageExtension(options.extKeyUsage, false));
  if (options.nameConstraints) extensions.push(nameConstraintsExtension(options.nameConstraints));
  if (options.policies) extensions.push(new x509.CertificatePolicyExtension(options.policies, false));
  if (options.directoryAttributes) extensions.push(directoryAttributesExtension(options.directoryAttributes));
  if (!options.noKeyIdentifiers) {
    extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.keys.publicKey));
  }
  extensions.push(...(options.extraExtensions ?? []));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? randomSerial(),
    subject: options.subject,
    issuer: issuer ? issuer.cert.subjectName : options.subject,
    notBefore: options.notBefore ?? days(-365),
    notAfter: options.notAfter ?? days(365),
    publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: signingAlgorithm(signer.kind, options.signingHash),
    extensions,
  });
  return { cert, keys, kind, pem: cert.toString('pem') };
}

let serialCounter = 0x1000;
function randomSerial(): string {
  serialCounter++;
  return `01${serialCounter.toString(16).padStart(6, '0')}${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16)}`;
}

export function createRoot(options: CertOptions): Promise<Issued> {
  return issue(options, true);
}

export function createCa(issuer: Issued, options: CertOptions): Promise<Issued> {
  return issue(options, true, issuer);
}

export function createLeaf(issuer: Issued, options: CertOptions): Promise<Issued> {
  return issue({ extKeyUsage: [EKU.clientAuth], ...options }, false, issuer);
}

/** A certificate for `subject`'s name and key, signed by `issuer` (a cross-certificate). */
export function crossSign(subject: Issued, issuer: Issued, options: Partial<CertOptions> = {}): Promise<Issued> {
  return issue({ subject: subject.cert.subjectName, keys: subject.keys, kind: subject.kind, ...options }, true, issuer);
}

/** Leaf options for an HCA medical personnel card with its subject type. */
export function personnelLeaf(name = '王小明', nationalId = 'A123456789'): CertOptions {
  return {
    subject: `CN=${name}, 2.5.4.5=${nationalId}, C=TW`,
    directoryAttributes: { [TW.subjectType]: { oid: TW.personnel }, [TW.cardType]: { printable: 'main' } },
  };
}

export interface CrlEntryOptions {
  serialNumber: string;
  reason?: x509.X509CrlReason;
  revocationDate?: Date;
}

export async function createCrl(
  issuer: Issued,
  options: { entries?: CrlEntryOptions[]; thisUpdate?: Date; nextUpdate?: Date | null; signingKeys?: CryptoKeyPair; extensions?: x509.Extension[] } = {},
): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: issuer.cert.subjectName,
    thisUpdate: options.thisUpdate ?? days(-1),
    nextUpdate: options.nextUpdate === null ? undefined : (options.nextUpdate ?? days(6)),
    entries: (options.entries ?? []).map((entry) => ({
      serialNumber: entry.serialNumber,
      revocationDate: entry.revocationDate ?? days(-2),
      reason: entry.reason,
    })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey), ...(options.extensions ?? [])],
    signingKey: (options.signingKeys ?? issuer.keys).privateKey,
    signingAlgorithm: signingAlgorithm(issuer.kind),
  });
}

/**
 * Re-signs `cert` after `mutate` changed its to-be-signed part: how tests make certificates the
 * generator refuses to make (negative or oversized serial numbers...).
 */
export async function resign(cert: x509.X509Certificate, issuer: Issued, mutate: (tbs: asn1X509.TBSCertificate) => void): Promise<x509.X509Certificate> {
  const asn = AsnConvert.parse(cert.rawData, asn1X509.Certificate);
  mutate(asn.tbsCertificate);
  const tbs = AsnConvert.serialize(asn.tbsCertificate);
  const algorithm = signingAlgorithm(issuer.kind);
  const signature = await subtle.sign(algorithm, issuer.keys.privateKey, tbs);
  const namedCurve = (issuer.keys.privateKey.algorithm as EcKeyAlgorithm).namedCurve;
  const asnSignature = namedCurve
    ? new x509.AsnEcSignatureFormatter().toAsnSignature({ ...algorithm, namedCurve } as Algorithm, signature)
    : signature;
  if (!asnSignature) throw new Error('cannot encode the signature');
  const signed = new asn1X509.Certificate({ tbsCertificate: asn.tbsCertificate, signatureAlgorithm: asn.signatureAlgorithm, signatureValue: asnSignature });
  return new x509.X509Certificate(AsnConvert.serialize(signed));
}

/** SPKI DER of a secp256k1 key, a curve the validator must refuse. */
export function secp256k1PublicKey(): ArrayBuffer {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
}

/** A small realistic PKI: root → intermediate → personnel leaf. */
export async function simplePki(kind: KeyKind = 'P-256') {
  const root = await createRoot({ subject: 'CN=Test Root CA, O=Test PKI, C=TW', kind, notBefore: days(-3650), notAfter: days(3650) });
  const intermediate = await createCa(root, { subject: 'CN=Test Issuing CA, O=Test PKI, C=TW', kind, basicConstraints: { ca: true, pathLength: 0 } });
  const leaf = await createLeaf(intermediate, { ...personnelLeaf(), kind });
  return { root, intermediate, leaf };
}
