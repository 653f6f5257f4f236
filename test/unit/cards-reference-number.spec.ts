import { generateReference, normalizeReference, REFERENCE_ALPHABET } from '../../src/modules/cards/lifecycle/reference-number';

describe('reservation reference numbers', () => {
  it("is 'R' + the Taiwan date + 6 characters picked by the random bytes", () => {
    const at = new Date('2026-11-23T17:00:00Z'); // already the 24th in Taipei
    expect(generateReference(at, Uint8Array.from([0, 1, 2, 31, 32, 255]))).toBe('R20261124234Z2Z');
  });

  it('uses a 32-character alphabet without the look-alikes 0, O, 1 and I', () => {
    expect(REFERENCE_ALPHABET).toHaveLength(32);
    expect(new Set(REFERENCE_ALPHABET).size).toBe(32);
    for (const c of '0O1I') expect(REFERENCE_ALPHABET).not.toContain(c);
    for (let i = 0; i < 200; i++) expect(generateReference()).toMatch(/^R\d{8}[2-9A-HJ-NP-Z]{6}$/);
  });

  it('is random: many references of one day are distinct', () => {
    const at = new Date();
    const refs = new Set(Array.from({ length: 2000 }, () => generateReference(at)));
    // 32^6 values a day: two of 2000 draws coincide in about 1 run of 540 (the birthday bound;
    // the table's unique key catches it and the service draws again), ten in practically none.
    expect(refs.size).toBeGreaterThan(1990);
  });

  it('refuses fewer than 6 random bytes', () => {
    expect(() => generateReference(new Date(), new Uint8Array(5))).toThrow(RangeError);
  });

  it('normalises what people type (case, spaces, hyphens) and refuses what cannot be a reference', () => {
    expect(normalizeReference(' r2026-1124 234z2z ')).toBe('R20261124234Z2Z');
    expect(normalizeReference('R20261124234ZO2')).toBeNull(); // O is not in the alphabet
    expect(normalizeReference('R2026112423')).toBeNull();
    expect(normalizeReference('')).toBeNull();
    expect(normalizeReference(undefined)).toBeNull();
  });
});
