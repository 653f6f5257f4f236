import { constants, createHash, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { signedData, WEB_EID_ALGORITHMS, type WebEidAuthToken } from '../../shared/web-eid';
import { LruMap } from '../../common/collections/lru-map';

/** Parsing a certificate for its key costs several signature checks: keep the keys of recent cards. */
const keys = new LruMap<string, KeyObject>(2000);

function certificateKey(der: Buffer): KeyObject {
  const id = createHash('sha256').update(der).digest('hex');
  let key = keys.get(id);
  if (!key) {
    key = new X509Certificate(der).publicKey;
    keys.set(id, key);
  }
  return key;
}

export type WebEidSignatureCheck = 'ok' | 'certificate-malformed' | 'signature-invalid';

/**
 * Whether the card signed hash(origin) || hash(challenge) with the key of the certificate it
 * presented (`der`, the token's unverifiedCertificate decoded). Says nothing about whether the
 * certificate is trusted: that is the validator's work. Shared by the certificate sign-in and the
 * card services that need the card itself present (open, renew).
 */
export function checkWebEidSignature(token: WebEidAuthToken, der: Buffer, origin: string, challenge: string): WebEidSignatureCheck {
  let key: KeyObject;
  try {
    key = certificateKey(der);
  } catch {
    return 'certificate-malformed';
  }
  const { scheme, hash } = WEB_EID_ALGORITHMS[token.algorithm];
  const data = signedData(origin, challenge, token.algorithm);
  const signature = Buffer.from(token.signature, 'base64');
  try {
    const ok =
      scheme === 'ecdsa'
        ? verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
        : scheme === 'rsa-pss'
          ? verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)
          : verify(hash, data, key, signature);
    return ok ? 'ok' : 'signature-invalid';
  } catch {
    return 'signature-invalid';
  }
}
