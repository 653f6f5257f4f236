// Protected personal identifiers (national IDs): stored encrypted, found through a blind index.
//
//   DATA_KEY (32 random bytes, base64) ──HKDF-SHA256──┬─ "encryption" key → AES-256-GCM
//                                                     └─ "blind index" key → HMAC-SHA256
//
// protect(id) → cipher: base64url(version byte ‖ 12-byte IV ‖ ciphertext ‖ 16-byte GCM tag),
//               index:  hex HMAC-SHA256 of the normalised id (deterministic, for WHERE ... = ?).
// The version byte is also authenticated (GCM additional data), so a future key or algorithm
// rotation can tell old ciphers from new ones. Node crypto only.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_SALT = 'protected-id';
const ENCRYPTION_INFO = 'protected-id/v1/aes-256-gcm';
const INDEX_INFO = 'protected-id/v1/hmac-sha256-blind-index';

/** DATA_KEY is missing or is not exactly 32 bytes of standard base64. */
export class DataKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataKeyError';
  }
}

/** A cipher could not be revealed: malformed, tampered with, or protected under another key. */
export class ProtectedIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtectedIdError';
  }
}

export interface ProtectedId {
  /** base64url(version ‖ IV ‖ ciphertext ‖ tag); 52 characters for a 10-character national ID */
  cipher: string;
  /** 64 hex characters */
  index: string;
}

/** The form identifiers are protected and indexed in: trimmed and uppercased. */
export function normalizeProtectedId(id: string): string {
  return id.trim().toUpperCase();
}

/** Decodes and checks a DATA_KEY value: standard base64 of exactly 32 bytes. */
export function parseDataKey(base64: string | undefined): Buffer {
  const text = (base64 ?? '').trim();
  if (text === '') {
    throw new DataKeyError('DATA_KEY is not set: it must be 32 random bytes in base64 (generate one with `openssl rand -base64 32`).');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new DataKeyError('DATA_KEY is not valid base64: it must be 32 random bytes in base64 (generate one with `openssl rand -base64 32`).');
  }
  return checkKeyLength(Buffer.from(text, 'base64'));
}

function checkKeyLength(key: Uint8Array): Buffer {
  if (key.length !== KEY_BYTES) {
    throw new DataKeyError(`DATA_KEY must decode to exactly ${KEY_BYTES} bytes, but it decodes to ${key.length} bytes (generate one with \`openssl rand -base64 32\`).`);
  }
  return Buffer.from(key);
}

/** A fresh random DATA_KEY value (base64), for setup scripts and tests. */
export function generateDataKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export class ProtectedIdCodec {
  private readonly encryptionKey: Buffer;
  private readonly indexKey: Buffer;

  /** @param key the DATA_KEY value (base64 string) or the 32 raw key bytes */
  constructor(key: string | Uint8Array) {
    const master = typeof key === 'string' ? parseDataKey(key) : checkKeyLength(key);
    this.encryptionKey = Buffer.from(hkdfSync('sha256', master, HKDF_SALT, ENCRYPTION_INFO, KEY_BYTES));
    this.indexKey = Buffer.from(hkdfSync('sha256', master, HKDF_SALT, INDEX_INFO, KEY_BYTES));
  }

  /** Builds the codec from the DATA_KEY environment variable. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): ProtectedIdCodec {
    return new ProtectedIdCodec(parseDataKey(env.DATA_KEY));
  }

  /** Encrypts the normalised id (fresh random IV each time) and computes its blind index. */
  protect(id: string): ProtectedId {
    const plaintext = this.normalizeNonEmpty(id);
    const iv = randomBytes(IV_BYTES);
    const header = Buffer.from([VERSION]);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(header);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const packed = Buffer.concat([header, iv, ciphertext, cipher.getAuthTag()]);
    return { cipher: packed.toString('base64url'), index: this.computeIndex(plaintext) };
  }

  /** Decrypts a cipher made by `protect`; throws ProtectedIdError if it is malformed, tampered or under another key. */
  reveal(cipher: string): string {
    const packed = Buffer.from(cipher, 'base64url');
    if (!/^[A-Za-z0-9_-]+$/.test(cipher) || packed.length < 1 + IV_BYTES + TAG_BYTES + 1) {
      throw new ProtectedIdError('Protected identifier is malformed: not a cipher produced by ProtectedIdCodec.protect().');
    }
    if (packed[0] !== VERSION) {
      throw new ProtectedIdError(`Protected identifier has unknown version ${packed[0]} (expected ${VERSION}).`);
    }
    const iv = packed.subarray(1, 1 + IV_BYTES);
    const tag = packed.subarray(packed.length - TAG_BYTES);
    const ciphertext = packed.subarray(1 + IV_BYTES, packed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(packed.subarray(0, 1));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new ProtectedIdError('Protected identifier failed authentication: it was tampered with or was protected under a different DATA_KEY.');
    }
  }

  /** The blind index of an id, for lookups: WHERE national_id_index = ? */
  index(id: string): string {
    return this.computeIndex(this.normalizeNonEmpty(id));
  }

  private computeIndex(normalized: string): string {
    return createHmac('sha256', this.indexKey).update(normalized, 'utf8').digest('hex');
  }

  private normalizeNonEmpty(id: string): string {
    const normalized = normalizeProtectedId(id);
    if (normalized === '') throw new ProtectedIdError('Cannot protect an empty identifier.');
    return normalized;
  }
}
