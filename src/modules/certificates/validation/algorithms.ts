// Signature checking: which algorithms we accept, issuer public keys imported once as Node
// KeyObjects and cached, signatures checked with node:crypto's verify on the signed bytes
// (synchronous and about twice as fast as WebCrypto's verify, which runs on the thread pool), and
// a memo of CA-to-CA signatures already verified.
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import * as asn1Rsa from '@peculiar/asn1-rsa';
import { CertificateValidationError } from './errors';
import { LruMap } from '../../../common/collections/lru-map';
import { OID } from './oids';
import { located, ParsedCertificate } from './parse';
import { readElement } from '../../../shared/pkcs11/der';

type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES: Record<string, HashName> = { [OID.sha256]: 'SHA-256', [OID.sha384]: 'SHA-384', [OID.sha512]: 'SHA-512' };

type SignatureScheme =
  | { family: 'rsa-pkcs1'; hash: HashName }
  | { family: 'rsa-pss'; hash: HashName; saltLength: number }
  | { family: 'ecdsa'; hash: HashName };

const SIMPLE_SCHEMES: Record<string, SignatureScheme> = {
  [OID.sha256WithRsa]: { family: 'rsa-pkcs1', hash: 'SHA-256' },
  [OID.sha384WithRsa]: { family: 'rsa-pkcs1', hash: 'SHA-384' },
  [OID.sha512WithRsa]: { family: 'rsa-pkcs1', hash: 'SHA-512' },
  [OID.ecdsaWithSha256]: { family: 'ecdsa', hash: 'SHA-256' },
  [OID.ecdsaWithSha384]: { family: 'ecdsa', hash: 'SHA-384' },
  [OID.ecdsaWithSha512]: { family: 'ecdsa', hash: 'SHA-512' },
};

function pssScheme(parameters: ArrayBuffer | null | undefined): SignatureScheme | string {
  if (!parameters) return 'RSA-PSS without parameters (SHA-1 defaults) is not accepted';
  const params = AsnConvert.parse(parameters, asn1Rsa.RsaSaPssParams);
  const hash = HASHES[params.hashAlgorithm.algorithm];
  if (!hash) return `RSA-PSS with hash ${params.hashAlgorithm.algorithm} is not accepted`;
  const mgf = params.maskGenAlgorithm;
  const mgfHash = mgf.parameters ? AsnConvert.parse(mgf.parameters, asn1X509.AlgorithmIdentifier).algorithm : undefined;
  if (mgf.algorithm !== OID.mgf1 || mgfHash !== params.hashAlgorithm.algorithm) {
    return 'RSA-PSS must use MGF1 with the same hash as the message digest';
  }
  return { family: 'rsa-pss', hash, saltLength: params.saltLength };
}

/** The accepted signature scheme for an AlgorithmIdentifier, or why it is refused. */
function signatureScheme(algorithm: asn1X509.AlgorithmIdentifier): SignatureScheme | string {
  if (algorithm.algorithm === OID.rsassaPss) return pssScheme(algorithm.parameters);
  return SIMPLE_SCHEMES[algorithm.algorithm] ?? `signature algorithm ${algorithm.algorithm} is not accepted`;
}

function importParameters(scheme: SignatureScheme, issuer: ParsedCertificate): RsaHashedImportParams | EcKeyImportParams | string {
  const key = issuer.key;
  if (scheme.family === 'ecdsa') {
    if (key.kind !== 'ec' || !key.curve) return 'the issuer key is not a P-256/P-384/P-521 EC key but the signature is ECDSA';
    return { name: 'ECDSA', namedCurve: key.curve };
  }
  if (key.kind !== 'rsa') return 'the issuer key is not an RSA key but the signature is RSA';
  return { name: scheme.family === 'rsa-pss' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash: scheme.hash };
}

/** Something signed (a certificate, a CRL): its whole DER and its signature's octets. */
interface Signed {
  readonly rawData: ArrayBuffer | Uint8Array;
  readonly signature: ArrayBuffer | Uint8Array;
}

function view(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/** The signed part of a certificate or CRL: the first element inside its outer SEQUENCE, as encoded. */
function signedPart(der: Uint8Array): Uint8Array {
  const buffer = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  return readElement(buffer, readElement(buffer).start).raw;
}

const NODE_HASH: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export interface SignatureVerifierOptions {
  /** Imported issuer keys kept (default 2000). */
  maxKeys?: number;
  /** CA-to-CA signatures remembered as verified (default 5000). */
  maxRememberedSignatures?: number;
}

export class SignatureVerifier {
  private readonly keys: LruMap<string, KeyObject>;
  private readonly verified: LruMap<string, true>;
  /** Number of signature verifications actually computed (memo hits not counted). */
  checks = 0;

  constructor(options: SignatureVerifierOptions = {}) {
    this.keys = new LruMap(options.maxKeys ?? 2000);
    this.verified = new LruMap(options.maxRememberedSignatures ?? 5000);
  }

  /**
   * Why `issuer`'s key does not verify the signature on `signed`, or undefined when it does.
   * `algorithm` is the signed object's signature AlgorithmIdentifier.
   */
  async signatureProblem(signed: Signed, algorithm: asn1X509.AlgorithmIdentifier, issuer: ParsedCertificate): Promise<string | undefined> {
    let scheme: SignatureScheme | string;
    try {
      scheme = signatureScheme(algorithm);
    } catch (error) {
      return `the signature algorithm parameters cannot be decoded (${(error as Error).message})`;
    }
    if (typeof scheme === 'string') return scheme;
    const parameters = importParameters(scheme, issuer);
    if (typeof parameters === 'string') return parameters;
    let ok: boolean;
    try {
      const key = this.issuerKey(issuer);
      const data = signedPart(view(signed.rawData));
      const signature = view(signed.signature);
      const hash = NODE_HASH[scheme.hash];
      this.checks++;
      ok =
        scheme.family === 'ecdsa'
          ? verify(hash, data, { key, dsaEncoding: 'der' }, signature)
          : scheme.family === 'rsa-pss'
            ? verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature)
            : verify(hash, data, key, signature);
    } catch (error) {
      return `the signature cannot be checked (${(error as Error).message})`;
    }
    return ok ? undefined : 'the signature does not verify with the issuer key';
  }

  /**
   * Throws 'bad-signature' at `position` unless `issuer` signed `subject`. With `remember`, a
   * verified pair is remembered (used for CA certificates, which repeat across validations).
   */
  async verifyCertificate(subject: ParsedCertificate, issuer: ParsedCertificate, position: number, remember: boolean): Promise<void> {
    const memoKey = `${subject.fingerprint}>${issuer.keyFingerprint}`;
    if (remember && this.verified.get(memoKey)) return;
    const problem = await this.signatureProblem(subject.x509, subject.asn.signatureAlgorithm, issuer);
    if (problem) {
      throw new CertificateValidationError('bad-signature', `Signature of "${subject.subjectDn}" by "${issuer.subjectDn}": ${problem}.`, located(subject, position));
    }
    if (remember) this.verified.set(memoKey, true);
  }

  /** The issuer's public key as a KeyObject, imported once per key. */
  private issuerKey(issuer: ParsedCertificate): KeyObject {
    let key = this.keys.get(issuer.keyFingerprint);
    if (!key) {
      key = createPublicKey({ key: Buffer.from(issuer.x509.publicKey.rawData), format: 'der', type: 'spki' });
      this.keys.set(issuer.keyFingerprint, key);
    }
    return key;
  }
}
