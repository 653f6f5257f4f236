// The shared Web eID contract: the bytes the card signs, and the shape check of a token coming
// back from a browser.
import { generateKeyPairSync, sign as nodeSign, webcrypto } from 'node:crypto';
import {
  HELPER_CARD_ERRORS,
  helperCardErrorByCode,
  isAcceptableChallenge,
  parseWebEidToken,
  signedData,
  WebEidTokenFormatError,
} from '../../src/shared/web-eid';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

/** signedData computed independently, with WebCrypto's digest. */
async function expectedSignedData(origin: string, challenge: string, hash: 'SHA-256' | 'SHA-384' | 'SHA-512'): Promise<Buffer> {
  const encode = (text: string) => new TextEncoder().encode(text);
  const originHash = Buffer.from(await subtle.digest(hash, encode(origin)));
  const challengeHash = Buffer.from(await subtle.digest(hash, encode(challenge)));
  return Buffer.concat([originHash, challengeHash]);
}

describe('signedData', () => {
  const challenge = Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString('base64');

  it('is SHA-256(origin) || SHA-256(challenge text) by default, as WebCrypto computes it', async () => {
    const data = signedData('http://127.0.0.1:3000', challenge);
    expect(data).toHaveLength(64);
    expect(data.equals(await expectedSignedData('http://127.0.0.1:3000', challenge, 'SHA-256'))).toBe(true);
  });

  it('uses the hash of the algorithm: SHA-384 for ES384/RS384/PS384, SHA-512 for *512', async () => {
    for (const algorithm of ['ES384', 'RS384', 'PS384'] as const) {
      expect(signedData('https://nhi.example', challenge, algorithm).equals(await expectedSignedData('https://nhi.example', challenge, 'SHA-384'))).toBe(true);
    }
    expect(signedData('https://nhi.example', challenge, 'ES512').equals(await expectedSignedData('https://nhi.example', challenge, 'SHA-512'))).toBe(true);
    expect(signedData('https://nhi.example', challenge, 'PS256').equals(signedData('https://nhi.example', challenge))).toBe(true);
  });

  it('matches known answers computed with openssl dgst', () => {
    // printf %s 'https://ria.ee' | openssl dgst -sha256 -binary; printf %s '1234…1234' | openssl dgst -sha256 -binary
    expect(signedData('https://ria.ee', '12345678901234567890123456789012345678901234').toString('hex')).toBe(
      '3a0de594ddc5e6d2db6ac36788ccd4102b7eb272e4d610ea8956317ccf616f92' + '96d58110d3c31077970ae1197cf51a3b5152dbb2417c79de9a59bf2f62b6d43c',
    );
    expect(signedData('http://127.0.0.1:3000', 'q3W+0Zg9s4bY1x8B7r2mLk5JvT6NfHcPaUeD/wQhRiM=', 'ES384').toString('hex')).toBe(
      '84cd3a5a58b966199a4ca71a60b89a99de22e355274f8b0dc7040dfa385e14bc028c5e1bb1ce0035eace730a7fb521' +
        '632f3605cb49221af406bcb02afca885a3ee4af42175df23116bb6e92c4004986e15e8e112eb8ec0a9cdbd2820c03bc7ad',
    );
  });

  it('hashes the challenge as text, not its decoded bytes, and binds the exact origin', () => {
    const decodedHash = Buffer.from(challenge, 'base64');
    expect(signedData('https://a.example', challenge).subarray(32).equals(signedData('https://a.example', decodedHash.toString('latin1')).subarray(32))).toBe(false);
    expect(signedData('https://a.example', challenge).equals(signedData('https://a.example/', challenge))).toBe(false);
    expect(signedData('https://a.example', challenge).subarray(0, 32).equals(signedData('https://b.example', challenge).subarray(0, 32))).toBe(false);
  });
});

describe('isAcceptableChallenge', () => {
  it('accepts base64 or base64url text of 44 to 256 characters only', () => {
    expect(isAcceptableChallenge(Buffer.alloc(32, 7).toString('base64'))).toBe(true);
    expect(isAcceptableChallenge(Buffer.alloc(48, 250).toString('base64url'))).toBe(true);
    expect(isAcceptableChallenge(Buffer.alloc(16).toString('base64'))).toBe(false);
    expect(isAcceptableChallenge('A'.repeat(257))).toBe(false);
    expect(isAcceptableChallenge('A'.repeat(43) + '!')).toBe(false);
    expect(isAcceptableChallenge(42)).toBe(false);
  });
});

describe('parseWebEidToken', () => {
  const certificate = Buffer.from('3082010a028201010001', 'hex').toString('base64');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const es256Signature = nodeSign('sha256', Buffer.from('x'), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64');
  const valid = { format: 'web-eid:1.0', unverifiedCertificate: certificate, algorithm: 'ES256', signature: es256Signature, appVersion: 'nhi-reader-helper/1.0.0' };

  function reason(value: unknown): string {
    try {
      parseWebEidToken(value);
    } catch (error) {
      expect(error).toBeInstanceOf(WebEidTokenFormatError);
      return (error as Error).message;
    }
    throw new Error('the token was accepted');
  }

  it('accepts a well-formed token and keeps only the known fields', () => {
    expect(parseWebEidToken({ ...valid, extra: 'ignored' })).toEqual(valid);
    expect(parseWebEidToken({ ...valid, algorithm: 'RS256', signature: Buffer.alloc(256, 1).toString('base64') }).algorithm).toBe('RS256');
  });

  it('refuses anything that is not an object', () => {
    for (const value of [null, 'token', 42, [valid]]) expect(reason(value)).toContain('not a JSON object');
  });

  it('refuses another format', () => {
    expect(reason({ ...valid, format: 'web-eid:2' })).toContain('format');
    expect(reason({ ...valid, format: undefined })).toContain('format');
  });

  it('refuses a certificate or signature that is not canonical base64', () => {
    expect(reason({ ...valid, unverifiedCertificate: '' })).toContain('unverifiedCertificate');
    expect(reason({ ...valid, unverifiedCertificate: 'not base64!' })).toContain('unverifiedCertificate');
    expect(certificate.endsWith('==')).toBe(true);
    expect(reason({ ...valid, unverifiedCertificate: certificate.replace(/=+$/, '') })).toContain('unverifiedCertificate');
    expect(reason({ ...valid, signature: es256Signature.replace(/\+/g, '-').replace(/\//g, '_') + '%' })).toContain('signature');
    expect(reason({ ...valid, signature: 12 })).toContain('signature');
  });

  it('refuses an algorithm outside the Web eID list', () => {
    for (const algorithm of ['HS256', 'none', 'es256', undefined]) expect(reason({ ...valid, algorithm })).toContain('algorithm');
  });

  it('refuses an ECDSA signature that is not raw r||s of the curve size', () => {
    const der = nodeSign('sha256', Buffer.from('x'), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    expect(reason({ ...valid, signature: der })).toContain('64 bytes');
    expect(reason({ ...valid, algorithm: 'ES384' })).toContain('96 bytes');
  });

  it('refuses a missing or empty appVersion', () => {
    expect(reason({ ...valid, appVersion: '' })).toContain('appVersion');
    expect(reason({ ...valid, appVersion: undefined })).toContain('appVersion');
  });
});

describe('helper error codes', () => {
  it('gives every card error the code users know from the seeds, each code once', () => {
    const codes = Object.fromEntries(Object.entries(HELPER_CARD_ERRORS).map(([name, info]) => [name, info.code]));
    expect(codes).toEqual({
      'card-not-present': 9056,
      'card-unreadable': 9057,
      'pin-length': 9041,
      'pin-incorrect': 9039,
      'pin-locked': 9043,
      'card-not-opened': 9046,
      'helper-unreachable': 61006,
      'certificate-not-valid-now': 66501,
    });
    expect(helperCardErrorByCode(9043)).toBe('pin-locked');
    expect(helperCardErrorByCode(1234)).toBeUndefined();
    for (const info of Object.values(HELPER_CARD_ERRORS)) {
      expect(info.zhTW.length).toBeGreaterThan(0);
      expect(info.fixZhTW.length).toBeGreaterThan(0);
      expect(info.en.length).toBeGreaterThan(0);
      expect(info.fixEn.length).toBeGreaterThan(0);
    }
  });
});
