import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 1;

/**
 * Authenticated encryption (AES-256-GCM) of small secrets at rest, under a key derived with HKDF
 * from DATA_KEY for one named purpose, so each kind of secret has its own key. Output is
 * base64url(version || 12-byte IV || ciphertext || 16-byte tag); the purpose is bound as AAD.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(
    masterKey: Buffer,
    private readonly purpose: string,
  ) {
    if (masterKey.length !== 32) throw new Error('DATA_KEY must be exactly 32 bytes (base64)');
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `nhi-services:${purpose}`, 32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(this.purpose));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 1 + 12 + 16 || raw[0] !== VERSION) throw new Error(`Not a sealed ${this.purpose} value`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(1, 13));
    decipher.setAAD(Buffer.from(this.purpose));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(13, raw.length - 16)), decipher.final()]).toString('utf8');
  }
}
