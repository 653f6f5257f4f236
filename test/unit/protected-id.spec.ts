import { createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import {
  DataKeyError,
  ProtectedIdCodec,
  ProtectedIdError,
  generateDataKey,
  parseDataKey,
} from '../../src/common/crypto/protected-id';

const KEY = Buffer.alloc(32, 7).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 8).toString('base64');

/** Flips one bit of the byte at `position` of a base64url cipher. */
function flipBit(cipher: string, position: number): string {
  const bytes = Buffer.from(cipher, 'base64url');
  bytes[position] ^= 0x01;
  return bytes.toString('base64url');
}

describe('ProtectedIdCodec', () => {
  const codec = new ProtectedIdCodec(KEY);

  it('reveals what it protected (normalised: trimmed, uppercased)', () => {
    const { cipher } = codec.protect(' a123456789 ');
    expect(codec.reveal(cipher)).toBe('A123456789');
  });

  it('packs version 1 + 12-byte IV + ciphertext + 16-byte tag as base64url', () => {
    const { cipher } = codec.protect('A123456789');
    expect(cipher).toMatch(/^[A-Za-z0-9_-]+$/);
    const bytes = Buffer.from(cipher, 'base64url');
    expect(bytes[0]).toBe(1);
    expect(bytes.length).toBe(1 + 12 + 10 + 16);
    expect(cipher.length).toBe(52);
  });

  it('encrypts with a fresh IV each time but indexes deterministically', () => {
    const first = codec.protect('A123456789');
    const second = codec.protect('a123456789');
    expect(first.cipher).not.toBe(second.cipher);
    expect(first.index).toBe(second.index);
    expect(first.index).toMatch(/^[0-9a-f]{64}$/);
    expect(codec.index(' a123456789')).toBe(first.index);
    expect(codec.index('A800000014')).not.toBe(first.index);
  });

  it('gives the same index for the same key material, whether passed as base64 or bytes', () => {
    const fromBytes = new ProtectedIdCodec(Buffer.from(KEY, 'base64'));
    expect(fromBytes.index('A123456789')).toBe(codec.index('A123456789'));
    expect(fromBytes.reveal(codec.protect('A123456789').cipher)).toBe('A123456789');
  });

  it('indexes with HMAC-SHA256 under an HKDF-derived sub-key, never under the master key itself', () => {
    // Stored indexes depend on this derivation staying exactly as documented in protected-id.ts.
    const master = Buffer.from(KEY, 'base64');
    const indexKey = Buffer.from(hkdfSync('sha256', master, 'protected-id', 'protected-id/v1/hmac-sha256-blind-index', 32));
    const expected = createHmac('sha256', indexKey).update('A123456789').digest('hex');
    expect(codec.index('A123456789')).toBe(expected);
    expect(codec.index('A123456789')).not.toBe(createHmac('sha256', master).update('A123456789').digest('hex'));
    expect(new ProtectedIdCodec(OTHER_KEY).index('A123456789')).not.toBe(expected);
  });

  it('encrypts with AES-256-GCM under its own HKDF-derived sub-key, the version byte as additional data', () => {
    const master = Buffer.from(KEY, 'base64');
    const encryptionKey = Buffer.from(hkdfSync('sha256', master, 'protected-id', 'protected-id/v1/aes-256-gcm', 32));
    const bytes = Buffer.from(codec.protect('A123456789').cipher, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, bytes.subarray(1, 13));
    decipher.setAAD(bytes.subarray(0, 1));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(13, bytes.length - 16)), decipher.final()]);
    expect(plaintext.toString('utf8')).toBe('A123456789');
  });

  it.each([
    ['the version byte', 0],
    ['the IV', 5],
    ['the ciphertext', 15],
    ['the tag', 30],
  ])('rejects a cipher with one bit of %s flipped', (_part, position) => {
    const tampered = flipBit(codec.protect('A123456789').cipher, position);
    expect(() => codec.reveal(tampered)).toThrow(ProtectedIdError);
  });

  it('says why a tampered cipher is rejected', () => {
    const tampered = flipBit(codec.protect('A123456789').cipher, 15);
    expect(() => codec.reveal(tampered)).toThrow(/tampered with or was protected under a different DATA_KEY/);
  });

  it('rejects a cipher protected under another key', () => {
    const cipher = new ProtectedIdCodec(OTHER_KEY).protect('A123456789').cipher;
    expect(() => codec.reveal(cipher)).toThrow(ProtectedIdError);
  });

  it('rejects malformed and truncated ciphers', () => {
    const cipher = codec.protect('A123456789').cipher;
    expect(() => codec.reveal('')).toThrow(/malformed/);
    expect(() => codec.reveal('not base64url!')).toThrow(/malformed/);
    expect(() => codec.reveal(cipher.slice(0, 30))).toThrow(/malformed/);
    expect(() => codec.reveal(cipher.slice(0, -4))).toThrow(ProtectedIdError);
  });

  it('refuses to protect or index an empty identifier', () => {
    expect(() => codec.protect('  ')).toThrow(ProtectedIdError);
    expect(() => codec.index('')).toThrow(ProtectedIdError);
  });
});

describe('DATA_KEY validation', () => {
  it('accepts exactly 32 bytes of base64', () => {
    expect(parseDataKey(KEY)).toEqual(Buffer.alloc(32, 7));
    expect(parseDataKey(`  ${KEY}\n`)).toEqual(Buffer.alloc(32, 7));
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['64 bytes', randomBytes(64).toString('base64')],
  ])('rejects a key of %s, naming DATA_KEY and the length', (_label, key) => {
    expect(() => new ProtectedIdCodec(key)).toThrow(DataKeyError);
    expect(() => new ProtectedIdCodec(key)).toThrow(/DATA_KEY must decode to exactly 32 bytes/);
  });

  it('rejects raw key bytes of the wrong length', () => {
    expect(() => new ProtectedIdCodec(randomBytes(16))).toThrow(/DATA_KEY must decode to exactly 32 bytes, but it decodes to 16 bytes/);
  });

  it('rejects text that is not base64', () => {
    expect(() => new ProtectedIdCodec('this is not a key!')).toThrow(/DATA_KEY is not valid base64/);
    expect(() => new ProtectedIdCodec(KEY.replace(/=$/, ''))).toThrow(/DATA_KEY is not valid base64/);
  });

  it('reads DATA_KEY from the environment and says when it is missing', () => {
    expect(ProtectedIdCodec.fromEnv({ DATA_KEY: KEY }).index('A123456789')).toBe(new ProtectedIdCodec(KEY).index('A123456789'));
    expect(() => ProtectedIdCodec.fromEnv({})).toThrow(/DATA_KEY is not set/);
    expect(() => ProtectedIdCodec.fromEnv({ DATA_KEY: '' })).toThrow(DataKeyError);
  });

  it('generates valid random keys', () => {
    const key = generateDataKey();
    expect(parseDataKey(key)).toHaveLength(32);
    expect(generateDataKey()).not.toBe(key);
  });
});
