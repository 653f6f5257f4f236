import { base32Decode, base32Encode, matchTotp, totpCode } from '../../src/modules/auth/totp';
import { generatePassword, hashSecret, verifySecret } from '../../src/common/crypto/secret-hash';

// RFC 6238 appendix B test vectors (SHA-1 secret "12345678901234567890"), last 6 digits.
const SECRET = base32Encode(Buffer.from('12345678901234567890'));

describe('TOTP (RFC 6238)', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('gives the RFC code at t=%i', (seconds, code) => {
    expect(totpCode(SECRET, Math.floor(seconds / 30))).toBe(code);
  });

  it('accepts one step of clock drift either way and nothing further', () => {
    const at = new Date(1111111111 * 1000);
    const step = Math.floor(1111111111 / 30);
    expect(matchTotp(SECRET, totpCode(SECRET, step - 1), at)).toBe(step - 1);
    expect(matchTotp(SECRET, totpCode(SECRET, step + 1), at)).toBe(step + 1);
    expect(matchTotp(SECRET, totpCode(SECRET, step + 2), at)).toBeNull();
    expect(matchTotp(SECRET, 'abcdef', at)).toBeNull();
  });

  it('round-trips base32', () => {
    const data = Buffer.from([0, 1, 2, 250, 255, 17, 99]);
    expect(base32Decode(base32Encode(data))).toEqual(data);
  });
});

describe('password hashing (scrypt)', () => {
  it('verifies the right secret only, with a fresh salt each time', async () => {
    const password = generatePassword();
    const a = await hashSecret(password);
    const b = await hashSecret(password);
    expect(a).not.toBe(b);
    expect(await verifySecret(password, a)).toBe(true);
    expect(await verifySecret(`${password}x`, a)).toBe(false);
    expect(await verifySecret(password, 'md5$abc')).toBe(false);
  });
});
