// Accepted signature algorithms and key types, and the validated-chain cache.
import { createValidator, DEFAULT_FAMILY_MAPPING } from '../../../src/modules/certificates/validation';
import { createCa, createLeaf, createRoot, days, KeyKind, NOW, personnelLeaf, simplePki } from '../../support/pki/builder';

const clientAuth = { at: NOW, purpose: 'client-auth' } as const;

describe('signature algorithms and keys', () => {
  it('validates an RSA-2048 chain (PKCS#1 v1.5 with SHA-256, SHA-384 and SHA-512)', async () => {
    const root = await createRoot({ subject: 'CN=RSA Root, C=TW', kind: 'RSA-2048' });
    const ca = await createCa(root, { subject: 'CN=RSA CA, C=TW', kind: 'RSA-2048', signingHash: 'SHA-384' });
    const validator = createValidator({ anchors: [root.pem], intermediates: [ca.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
    for (const signingHash of ['SHA-256', 'SHA-384', 'SHA-512']) {
      const leaf = await createLeaf(ca, { ...personnelLeaf(), kind: 'P-256', signingHash });
      expect(await validator.validate(leaf.pem, clientAuth)).toMatchObject({ valid: true, family: 'hca-personnel' });
    }
  });

  it('validates an RSA-PSS chain', async () => {
    const { root, intermediate, leaf } = await simplePki('RSA-PSS-2048');
    const validator = createValidator({ anchors: [root.pem], intermediates: [intermediate.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
    expect(await validator.validate(leaf.pem, clientAuth)).toMatchObject({ valid: true });
  });

  it.each<[KeyKind, string]>([
    ['P-384', 'SHA-384'],
    ['P-521', 'SHA-512'],
  ])('validates an ECDSA %s chain signed with %s', async (kind, signingHash) => {
    const root = await createRoot({ subject: `CN=${kind} Root, C=TW`, kind, signingHash });
    const ca = await createCa(root, { subject: `CN=${kind} CA, C=TW`, kind, signingHash });
    const leaf = await createLeaf(ca, { ...personnelLeaf(), kind, signingHash });
    const validator = createValidator({ anchors: [root.pem], intermediates: [ca.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
    expect(await validator.validate(leaf.pem, clientAuth)).toMatchObject({ valid: true });
  });

  it('refuses a SHA-1 signature', async () => {
    const { root, intermediate } = await simplePki();
    const leaf = await createLeaf(intermediate, { ...personnelLeaf(), signingHash: 'SHA-1' });
    const validator = createValidator({ anchors: [root.pem], intermediates: [intermediate.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
    const result = await validator.validate(leaf.pem, clientAuth);
    expect(result).toMatchObject({ valid: false, code: 'bad-signature', position: 0 });
    expect(result.message).toContain('not accepted');
  });
});

describe('validated-chain cache', () => {
  it('makes a repeat validation cost one signature check', async () => {
    const { root, intermediate, leaf } = await simplePki();
    const other = await createLeaf(intermediate, personnelLeaf('林小美', 'C223456780'));
    const validator = createValidator({ anchors: [root.pem], intermediates: [intermediate.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
    expect(await validator.validate(leaf.pem, clientAuth)).toMatchObject({ valid: true, chainCache: 'miss' });
    const before = validator.stats();
    expect(await validator.validate(other.pem, clientAuth)).toMatchObject({ valid: true, chainCache: 'hit' });
    const after = validator.stats();
    expect(after.signatureChecks - before.signatureChecks).toBe(1);
    expect(after).toMatchObject({ validations: 2, chainCacheHits: 1, chainCacheMisses: 1, cachedChains: 1 });
  });

  it('still checks the leaf signature on a cache hit', async () => {
    const { root, intermediate, leaf } = await simplePki();
    const validator = createValidator({ anchors: [root.pem], intermediates: [intermediate.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
    await validator.validate(leaf.pem, clientAuth);
    const der = new Uint8Array(leaf.cert.rawData);
    der[der.length - 1] ^= 0x01;
    expect(await validator.validate(der, clientAuth)).toMatchObject({ valid: false, code: 'bad-signature', position: 0 });
  });

  it('does not serve a cached chain outside the intermediates’ validity', async () => {
    const root = await createRoot({ subject: 'CN=Cache Root, C=TW', notBefore: days(-3000), notAfter: days(3000) });
    const ca = await createCa(root, { subject: 'CN=Short CA, C=TW', notBefore: days(-100), notAfter: days(30) });
    const leaf = await createLeaf(ca, { ...personnelLeaf(), notBefore: days(-10), notAfter: days(300) });
    const validator = createValidator({ anchors: [root.pem], intermediates: [ca.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
    expect(await validator.validate(leaf.pem, clientAuth)).toMatchObject({ valid: true });
    expect(await validator.validate(leaf.pem, { at: days(60), purpose: 'client-auth' })).toMatchObject({ valid: false, code: 'expired', position: 1 });
  });

  it('forgets cached chains when the anchors change', async () => {
    const { root, intermediate, leaf } = await simplePki();
    const validator = createValidator({ anchors: [root.pem], intermediates: [intermediate.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
    expect(await validator.validate(leaf.pem, clientAuth)).toMatchObject({ valid: true });
    const version = validator.anchorSetVersion;
    validator.setAnchors([{ certificate: root.pem, enabled: false }]);
    expect(validator.anchorSetVersion).toBe(version + 1);
    expect(await validator.validate(leaf.pem, clientAuth)).toMatchObject({ valid: false, code: 'untrusted' });
    validator.setAnchors([root.pem]);
    expect(await validator.validate(leaf.pem, clientAuth)).toMatchObject({ valid: true, chainCache: 'miss' });
  });

  it('uses the clock given to createValidator when no time is passed', async () => {
    const { root, intermediate, leaf } = await simplePki();
    const validator = createValidator({
      anchors: [root.pem],
      intermediates: [intermediate.pem],
      familyMapping: DEFAULT_FAMILY_MAPPING,
      revocation: 'off',
      now: () => days(500),
    });
    expect(await validator.validate(leaf.pem, { purpose: 'client-auth' })).toMatchObject({ valid: false, code: 'expired' });
  });
});
