import { createPublicKey } from 'node:crypto';
import { DER_TAG, readElement } from './der';
import { TokenError } from './errors';

/** Key types this layer generates on a token (P-384 is there for CA keys). */
export type KeyType = 'ec-p256' | 'ec-p384' | 'rsa-2048';

export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

/** The curves we know, by the DER of their OID (the value of CKA_EC_PARAMS). */
const CURVES: { curve: NamedCurve; params: Buffer; size: number }[] = [
  { curve: 'P-256', params: Buffer.from('06082a8648ce3d030107', 'hex'), size: 32 }, // prime256v1
  { curve: 'P-384', params: Buffer.from('06052b81040022', 'hex'), size: 48 }, // secp384r1
  { curve: 'P-521', params: Buffer.from('06052b81040023', 'hex'), size: 66 }, // secp521r1
];

/** CKA_EC_PARAMS for a curve (namedCurve OID, DER). */
export function ecParams(curve: NamedCurve): Buffer {
  return Buffer.from(CURVES.find((c) => c.curve === curve)!.params);
}

/** The curve named by a CKA_EC_PARAMS value. */
export function curveOfParams(params: Buffer): NamedCurve {
  const known = CURVES.find((c) => c.params.equals(params));
  if (!known) throw new TokenError('other', 'curveOfParams', undefined, undefined, 'unsupported elliptic curve parameters');
  return known.curve;
}

/** Length of one coordinate (and of r and s in a raw ECDSA signature) on a curve. */
export function curveSize(curve: NamedCurve): number {
  return CURVES.find((c) => c.curve === curve)!.size;
}

/**
 * SubjectPublicKeyInfo (DER) of an EC public key from CKA_EC_PARAMS and CKA_EC_POINT. The
 * point is normally wrapped in a DER OCTET STRING (PKCS#11 2.40 and SoftHSM2); some modules
 * return the bare uncompressed point, which is accepted too.
 */
export function ecSpki(params: Buffer, ecPoint: Buffer): Buffer {
  const curve = curveOfParams(params);
  const size = curveSize(curve);
  let point = ecPoint;
  if (point.length !== 1 + 2 * size && point[0] === DER_TAG.octetString) point = readElement(point).content;
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) {
    throw new TokenError('other', 'ecSpki', undefined, undefined, 'CKA_EC_POINT is not an uncompressed point on its curve');
  }
  const key = createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: curve,
      x: point.subarray(1, 1 + size).toString('base64url'),
      y: point.subarray(1 + size).toString('base64url'),
    },
  });
  return key.export({ type: 'spki', format: 'der' });
}

/** SubjectPublicKeyInfo (DER) of an RSA public key from CKA_MODULUS and CKA_PUBLIC_EXPONENT. */
export function rsaSpki(modulus: Buffer, publicExponent: Buffer): Buffer {
  const key = createPublicKey({
    format: 'jwk',
    key: { kty: 'RSA', n: modulus.toString('base64url'), e: publicExponent.toString('base64url') },
  });
  return key.export({ type: 'spki', format: 'der' });
}

export type HashName = 'sha256' | 'sha384' | 'sha512';

/**
 * How to sign: ECDSA over a digest the wrapper computes (CKM_ECDSA, raw r||s out), RSASSA-PKCS1
 * v1.5 or RSASSA-PSS (salt length = hash length) with the hash done on the token.
 */
export interface SignatureScheme {
  scheme: 'ecdsa' | 'rsa-pkcs1' | 'rsa-pss';
  hash: HashName;
}

export const HASH_LENGTH: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };
