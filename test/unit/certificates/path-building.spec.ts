// Path building through unordered pools, cross-certificates, anchors and RFC 5280 path rules.
import { createValidator, DEFAULT_FAMILY_MAPPING, TrustAnchorInput, ValidateOptions } from '../../../src/modules/certificates/validation';
import { createHash } from 'node:crypto';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';
import { createCa, createLeaf, createRoot, crossSign, days, Issued, NOW, personnelLeaf } from '../../support/pki/builder';

function fingerprint(issued: Issued): string {
  return createHash('sha256').update(new Uint8Array(issued.cert.rawData)).digest('hex').toUpperCase();
}

const clientAuth: ValidateOptions = { at: NOW, purpose: 'client-auth' };

function validator(anchors: TrustAnchorInput[], intermediates: Issued[] = []) {
  return createValidator({
    anchors,
    intermediates: intermediates.map((ca) => ca.pem),
    familyMapping: DEFAULT_FAMILY_MAPPING,
    revocation: 'off',
  });
}

function subjects(result: Awaited<ReturnType<ReturnType<typeof validator>['validate']>>): string[] {
  if (!result.valid) throw new Error(`${result.code}: ${result.message}`);
  return result.path.map((entry) => entry.subject);
}

describe('path building', () => {
  let root: Issued;
  let issuing: Issued;

  beforeAll(async () => {
    root = await createRoot({ subject: 'CN=Pool Root, C=TW', notBefore: days(-3000), notAfter: days(3000) });
    issuing = await createCa(root, { subject: 'CN=Pool Issuing CA, C=TW' });
  });

  it('finds the path through an unordered pool holding a same-name decoy and a loop of two cross-signed CAs', async () => {
    // The leaf carries no key identifiers, so only names link it to its issuer.
    const leaf = await createLeaf(issuing, { ...personnelLeaf(), noKeyIdentifiers: true });
    const loopA = await createRoot({ subject: 'CN=Loop A, C=TW' });
    const loopB = await createRoot({ subject: 'CN=Loop B, C=TW' });
    const aByB = await crossSign(loopA, loopB, { noKeyIdentifiers: true });
    const bByA = await crossSign(loopB, loopA, { noKeyIdentifiers: true });
    // Decoy 1: same subject name as the issuing CA, another key, under the loop.
    const decoyInLoop = await createCa(aByB, { subject: 'CN=Pool Issuing CA, C=TW', noKeyIdentifiers: true });
    // Decoy 2: same subject name, another key, even issued by the trusted root.
    const decoyUnderRoot = await createCa(root, { subject: 'CN=Pool Issuing CA, C=TW', noKeyIdentifiers: true });
    const v = validator([root.pem], [decoyInLoop, aByB, bByA, decoyUnderRoot, issuing]);
    const result = await v.validate(leaf.pem, clientAuth);
    expect(subjects(result)).toEqual(['CN=王小明, serialNumber=A123456789, C=TW', 'CN=Pool Issuing CA, C=TW', 'CN=Pool Root, C=TW']);
    if (result.valid) expect(result.path[1].fingerprint).toBe(fingerprint(issuing));
    // The decoy under the root was tried (its leaf signature failed) before the real issuer.
    expect(v.stats().signatureChecks).toBe(3);
  });

  it('gives up on a loop of cross-signed CAs that reaches no anchor', async () => {
    const loopA = await createRoot({ subject: 'CN=Loop A, C=TW' });
    const loopB = await createRoot({ subject: 'CN=Loop B, C=TW' });
    const aByB = await crossSign(loopA, loopB);
    const bByA = await crossSign(loopB, loopA);
    const leaf = await createLeaf(aByB, personnelLeaf());
    const result = await validator([root.pem], [aByB, bByA]).validate(leaf.pem, clientAuth);
    expect(result).toMatchObject({ valid: false, code: 'untrusted' });
  });

  it('bounds the work on a pool full of same-name decoys', async () => {
    const leaf = await createLeaf(issuing, { ...personnelLeaf(), noKeyIdentifiers: true });
    const decoys: Issued[] = [];
    for (let i = 0; i < 24; i++) decoys.push(await createCa(root, { subject: 'CN=Pool Issuing CA, C=TW', noKeyIdentifiers: true }));
    const v = validator([root.pem], decoys);
    const result = await v.validate(leaf.pem, clientAuth);
    expect(result).toMatchObject({ valid: false, code: 'bad-signature', position: 0 });
    expect(v.stats().signatureChecks).toBeLessThanOrEqual(16);
  });

  it('follows a cross-certificate to a second anchor', async () => {
    const oldRoot = await createRoot({ subject: 'CN=Old Root, C=TW' });
    const newRoot = await createRoot({ subject: 'CN=New Root, C=TW' });
    const oldByNew = await crossSign(oldRoot, newRoot);
    const ca = await createCa(oldRoot, { subject: 'CN=Cross Issuing CA, C=TW' });
    const leaf = await createLeaf(ca, personnelLeaf());

    const onlyNew = await validator([newRoot.pem], [ca, oldByNew]).validate(leaf.pem, clientAuth);
    expect(subjects(onlyNew)).toEqual(['CN=王小明, serialNumber=A123456789, C=TW', 'CN=Cross Issuing CA, C=TW', 'CN=Old Root, C=TW', 'CN=New Root, C=TW']);
    if (onlyNew.valid) expect(onlyNew.path[2].trustAnchor).toBe(false);

    const both = await validator([newRoot.pem, oldRoot.pem], [ca, oldByNew]).validate(leaf.pem, clientAuth);
    expect(subjects(both)).toEqual(['CN=王小明, serialNumber=A123456789, C=TW', 'CN=Cross Issuing CA, C=TW', 'CN=Old Root, C=TW']);
  });

  it('uses the cross-certificate when the first anchor is disabled', async () => {
    const oldRoot = await createRoot({ subject: 'CN=Old Root, C=TW' });
    const newRoot = await createRoot({ subject: 'CN=New Root, C=TW' });
    const oldByNew = await crossSign(oldRoot, newRoot);
    const ca = await createCa(oldRoot, { subject: 'CN=Cross Issuing CA, C=TW' });
    const leaf = await createLeaf(ca, personnelLeaf());
    const anchors = [{ certificate: oldRoot.pem, enabled: false }, { certificate: newRoot.pem }];
    const result = await validator(anchors, [ca, oldByNew]).validate(leaf.pem, clientAuth);
    expect(subjects(result).at(-1)).toBe('CN=New Root, C=TW');
  });

  it('treats a disabled anchor as untrusted, even when the root is sent along with the leaf', async () => {
    const leaf = await createLeaf(issuing, personnelLeaf());
    const v = validator([{ certificate: root.pem, enabled: false }], [issuing]);
    expect(await v.validate(leaf.pem, clientAuth)).toMatchObject({ valid: false, code: 'untrusted' });
    expect(await v.validate(leaf.pem, { ...clientAuth, extraIntermediates: [root.pem] })).toMatchObject({ valid: false, code: 'untrusted' });
  });

  it('accepts intermediates sent with the leaf (extraIntermediates or in the same PEM)', async () => {
    const leaf = await createLeaf(issuing, personnelLeaf());
    const v = validator([root.pem]);
    expect(await v.validate(leaf.pem, clientAuth)).toMatchObject({ valid: false, code: 'untrusted' });
    expect(await v.validate(leaf.pem, { ...clientAuth, extraIntermediates: [issuing.pem] })).toMatchObject({ valid: true });
    expect(await v.validate(leaf.pem + issuing.pem, clientAuth)).toMatchObject({ valid: true });
  });

  it('rejects an expired intermediate', async () => {
    const expired = await createCa(root, { subject: 'CN=Expired CA, C=TW', notBefore: days(-800), notAfter: days(-10) });
    const leaf = await createLeaf(expired, { ...personnelLeaf(), notBefore: days(-400), notAfter: days(400) });
    const result = await validator([root.pem], [expired]).validate(leaf.pem, clientAuth);
    expect(result).toMatchObject({ valid: false, code: 'expired', position: 1, subject: 'CN=Expired CA, C=TW' });
  });

  it('rejects an expired anchor', async () => {
    const oldRoot = await createRoot({ subject: 'CN=Expired Root, C=TW', notBefore: days(-3000), notAfter: days(-5) });
    const ca = await createCa(oldRoot, { subject: 'CN=Under Expired Root, C=TW' });
    const leaf = await createLeaf(ca, personnelLeaf());
    const result = await validator([oldRoot.pem], [ca]).validate(leaf.pem, clientAuth);
    expect(result).toMatchObject({ valid: false, code: 'expired', position: 2, subject: 'CN=Expired Root, C=TW' });
  });

  it('prefers a currently valid issuer over an expired one with the same name and key', async () => {
    const renewed = await crossSign(issuing, root, { notBefore: days(-10), notAfter: days(700) });
    const expired = await crossSign(issuing, root, { notBefore: days(-900), notAfter: days(-100) });
    const leaf = await createLeaf(issuing, personnelLeaf());
    const result = await validator([root.pem], [expired, renewed]).validate(leaf.pem, clientAuth);
    if (!result.valid) throw new Error(result.message);
    expect(result.path[1].notAfter).toEqual(renewed.cert.notAfter);
  });

  it('enforces pathLenConstraint on an intermediate and allows a path within it', async () => {
    const top = await createCa(root, { subject: 'CN=Policy CA, C=TW', basicConstraints: { ca: true, pathLength: 1 } });
    const middle = await createCa(top, { subject: 'CN=Regional CA, C=TW', basicConstraints: { ca: true, pathLength: 0 } });
    const bottom = await createCa(middle, { subject: 'CN=Branch CA, C=TW' });
    const allowed = await createLeaf(middle, personnelLeaf());
    const tooDeep = await createLeaf(bottom, personnelLeaf());
    const v = validator([root.pem], [top, middle, bottom]);
    expect(await v.validate(allowed.pem, clientAuth)).toMatchObject({ valid: true });
    expect(await v.validate(tooDeep.pem, clientAuth)).toMatchObject({ valid: false, code: 'path-length-exceeded', position: 2 });
  });

  it('stops at the maximum path length', async () => {
    let ca = root;
    const chain: Issued[] = [];
    for (let i = 0; i < 7; i++) {
      ca = await createCa(ca, { subject: `CN=Level ${i} CA, C=TW` });
      chain.push(ca);
    }
    const leaf = await createLeaf(ca, personnelLeaf());
    // leaf + 7 intermediates + anchor = 9 certificates, one more than the default limit of 8.
    expect(await validator([root.pem], chain).validate(leaf.pem, clientAuth)).toMatchObject({ valid: false, code: 'untrusted' });
    const relaxed = createValidator({
      anchors: [root.pem],
      intermediates: chain.map((c) => c.pem),
      familyMapping: DEFAULT_FAMILY_MAPPING,
      revocation: 'off',
      limits: { maxDepth: 9 },
    });
    expect(await relaxed.validate(leaf.pem, clientAuth)).toMatchObject({ valid: true });
  });

  describe('directoryName name constraints', () => {
    let constrainedRoot: Issued;

    beforeAll(async () => {
      constrainedRoot = await createRoot({
        subject: 'C=TW, O=Health Root',
        nameConstraints: { permitted: ['C=TW, O=Health'], excluded: ['C=TW, O=Health, OU=Revoked Units'] },
      });
    });

    it('accepts names inside the permitted subtree', async () => {
      const ca = await createCa(constrainedRoot, { subject: 'C=TW, O=Health, CN=Card CA' });
      const leaf = await createLeaf(ca, { ...personnelLeaf(), subject: 'C=TW, O=Health, OU=Doctors, CN=王小明' });
      expect(await validator([constrainedRoot.pem], [ca]).validate(leaf.pem, clientAuth)).toMatchObject({ valid: true });
    });

    it('rejects a leaf in an excluded subtree, at the leaf position', async () => {
      const ca = await createCa(constrainedRoot, { subject: 'C=TW, O=Health, CN=Card CA' });
      const leaf = await createLeaf(ca, { ...personnelLeaf(), subject: 'C=TW, O=Health, OU=Revoked Units, CN=Somebody' });
      const result = await validator([constrainedRoot.pem], [ca]).validate(leaf.pem, clientAuth);
      expect(result).toMatchObject({ valid: false, code: 'name-constraints-violated', position: 0 });
    });

    it('rejects a subordinate CA outside the permitted subtree', async () => {
      const ca = await createCa(constrainedRoot, { subject: 'C=TW, O=Finance, CN=Other CA' });
      const leaf = await createLeaf(ca, { ...personnelLeaf(), subject: 'C=TW, O=Finance, CN=Somebody' });
      const result = await validator([constrainedRoot.pem], [ca]).validate(leaf.pem, clientAuth);
      expect(result).toMatchObject({ valid: false, code: 'name-constraints-violated', position: 1 });
      expect(result.message).toContain('permitted');
    });

    it('compares names case-insensitively and across string types', async () => {
      const utf8Name = new x509.Name([{ C: [{ printableString: 'TW' }] }, { O: [{ utf8String: ' HEALTH ' }] }, { CN: [{ utf8String: 'Card CA' }] }]);
      const ca = await createCa(constrainedRoot, { subject: utf8Name });
      const leaf = await createLeaf(ca, { ...personnelLeaf(), subject: 'C=tw, O=health, CN=王小明' });
      expect(await validator([constrainedRoot.pem], [ca]).validate(leaf.pem, clientAuth)).toMatchObject({ valid: true });
    });
  });
});
