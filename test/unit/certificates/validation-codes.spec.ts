// One test per result code of the certificate validator.
import {
  createValidator,
  CrlRevocationSource,
  DEFAULT_FAMILY_MAPPING,
  RevocationPolicy,
  VALIDATION_CODES,
  ValidationResult,
} from '../../../src/modules/certificates/validation';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';
import {
  createCa,
  createCrl,
  createLeaf,
  createRoot,
  days,
  EKU,
  Issued,
  KU,
  NOW,
  personnelLeaf,
  resign,
  secp256k1PublicKey,
  simplePki,
} from '../../support/pki/builder';

type Pki = Awaited<ReturnType<typeof simplePki>>;

function validatorFor(pki: { root: Issued; intermediate: Issued }, revocation: RevocationPolicy = 'off') {
  return createValidator({
    anchors: [pki.root.pem],
    intermediates: [pki.intermediate.pem],
    familyMapping: DEFAULT_FAMILY_MAPPING,
    revocation,
  });
}

function expectFailure(result: ValidationResult, code: string, position?: number) {
  expect(result).toMatchObject({ valid: false, code });
  if (position !== undefined) expect(result).toMatchObject({ position });
  expect(result.message.length).toBeGreaterThan(10);
}

describe('certificate validator result codes', () => {
  let pki: Pki;

  beforeAll(async () => {
    pki = await simplePki();
  });

  it('exports every code as a constant list', () => {
    expect(VALIDATION_CODES).toEqual([
      'ok',
      'expired',
      'not-yet-valid',
      'untrusted',
      'bad-signature',
      'revoked',
      'on-hold',
      'revocation-unknown',
      'wrong-purpose',
      'unknown-family',
      'malformed',
      'not-a-ca',
      'path-length-exceeded',
      'name-constraints-violated',
      'unknown-critical-extension',
      'weak-key',
      'eku-empty',
      'key-cert-sign-not-ca',
      'name-constraints-in-end-entity',
      'name-constraints-empty',
      'ca-subject-empty',
      'ca-as-end-entity',
    ]);
  });

  it('ok: a personnel card chaining to an enabled anchor, with its details', async () => {
    const result = await validatorFor(pki).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    if (!result.valid) throw new Error(result.message);
    expect(result.code).toBe('ok');
    expect(result.family).toBe('hca-personnel');
    expect(result.subject.commonName).toBe('王小明');
    expect(result.subject.serialNumber).toBe('A123456789');
    expect(result.serialNumber).toBe(pki.leaf.cert.serialNumber.toUpperCase());
    expect(result.issuer).toBe('CN=Test Issuing CA, O=Test PKI, C=TW');
    expect(result.notAfter).toEqual(pki.leaf.cert.notAfter);
    expect(result.path.map((entry) => entry.subject)).toEqual([
      'CN=王小明, serialNumber=A123456789, C=TW',
      'CN=Test Issuing CA, O=Test PKI, C=TW',
      'CN=Test Root CA, O=Test PKI, C=TW',
    ]);
    expect(result.path[2].trustAnchor).toBe(true);
    expect(result.revocation).toBe('not-checked');
  });

  it('expired: a leaf past its notAfter', async () => {
    const leaf = await createLeaf(pki.intermediate, { ...personnelLeaf(), notBefore: days(-400), notAfter: days(-1) });
    expectFailure(await validatorFor(pki).validate(leaf.pem, { at: NOW, purpose: 'client-auth' }), 'expired', 0);
  });

  it('not-yet-valid: a leaf before its notBefore', async () => {
    const leaf = await createLeaf(pki.intermediate, { ...personnelLeaf(), notBefore: days(1), notAfter: days(400) });
    expectFailure(await validatorFor(pki).validate(leaf.pem, { at: NOW, purpose: 'client-auth' }), 'not-yet-valid', 0);
  });

  it('untrusted: a leaf from a CA that chains to no anchor', async () => {
    const stranger = await simplePki();
    expectFailure(await validatorFor(pki).validate(stranger.leaf.pem, { at: NOW, purpose: 'client-auth' }), 'untrusted', 0);
  });

  it('bad-signature: a leaf whose signature was altered', async () => {
    const der = new Uint8Array(pki.leaf.cert.rawData);
    der[der.length - 1] ^= 0x01;
    expectFailure(await validatorFor(pki).validate(der, { at: NOW, purpose: 'client-auth' }), 'bad-signature', 0);
  });

  it('revoked: a leaf listed on a fresh CRL of its issuer', async () => {
    const crl = await createCrl(pki.intermediate, {
      entries: [{ serialNumber: pki.leaf.cert.serialNumber, reason: x509.X509CrlReason.keyCompromise, revocationDate: days(-3) }],
    });
    const root = await createCrl(pki.root);
    const source = new CrlRevocationSource({ crls: [crl.toString('pem'), root.toString('pem')] });
    const result = await validatorFor(pki, { source }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'revoked', 0);
    expect(result.message).toContain('keyCompromise');
  });

  it('on-hold: a leaf suspended with reason certificateHold', async () => {
    const crl = await createCrl(pki.intermediate, {
      entries: [{ serialNumber: pki.leaf.cert.serialNumber, reason: x509.X509CrlReason.certificateHold }],
    });
    const source = new CrlRevocationSource({ crls: [crl.toString('pem'), (await createCrl(pki.root)).toString('pem')] });
    expectFailure(await validatorFor(pki, { source }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' }), 'on-hold', 0);
  });

  it('revocation-unknown: revocation is required and no CRL is available (fail closed)', async () => {
    const source = new CrlRevocationSource();
    const result = await validatorFor(pki, { source }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'revocation-unknown', 1);
    expect(result.message).toContain('no CRL');
  });

  it('wrong-purpose: an EKU without clientAuth, accepted only for purpose any', async () => {
    const leaf = await createLeaf(pki.intermediate, { ...personnelLeaf(), extKeyUsage: [EKU.emailProtection] });
    const validator = validatorFor(pki);
    expectFailure(await validator.validate(leaf.pem, { at: NOW, purpose: 'client-auth' }), 'wrong-purpose', 0);
    expect(await validator.validate(leaf.pem, { at: NOW, purpose: 'any' })).toMatchObject({ valid: true, code: 'ok' });
  });

  it('wrong-purpose: a keyUsage without digitalSignature (an encryption certificate) cannot sign in; purpose any is the path alone (RFC 5280 section 6)', async () => {
    const leaf = await createLeaf(pki.intermediate, { ...personnelLeaf(), keyUsage: KU.keyEncipherment });
    expectFailure(await validatorFor(pki).validate(leaf.pem, { at: NOW, purpose: 'client-auth' }), 'wrong-purpose', 0);
    expect(await validatorFor(pki).validate(leaf.pem, { at: NOW, purpose: 'any' })).toMatchObject({ valid: true });
  });

  it('unknown-family: a valid certificate no family mapping recognises', async () => {
    const leaf = await createLeaf(pki.intermediate, { subject: 'CN=Somebody, C=TW', policies: ['1.2.3.4.5'] });
    const result = await validatorFor(pki).validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'unknown-family', 0);
    expect(result.message).toContain('1.2.3.4.5');
  });

  it('malformed: bytes that are not a certificate', async () => {
    const result = await validatorFor(pki).validate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'malformed', 0);
  });

  it('malformed: a negative serial number', async () => {
    const leaf = await resign(pki.leaf.cert, pki.intermediate, (tbs) => {
      tbs.serialNumber = new Uint8Array([0xff, 0x12]).buffer;
    });
    const result = await validatorFor(pki).validate(leaf.rawData, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'malformed', 0);
    expect(result.message).toContain('negative');
  });

  it('malformed: a serial number longer than 20 octets', async () => {
    const leaf = await resign(pki.leaf.cert, pki.intermediate, (tbs) => {
      tbs.serialNumber = new Uint8Array(21).fill(0x11).buffer;
    });
    const result = await validatorFor(pki).validate(leaf.rawData, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'malformed', 0);
    expect(result.message).toContain('21 octets');
  });

  it('not-a-ca: an issuer whose basicConstraints say it is not a CA', async () => {
    const notCa = await createCa(pki.root, { subject: 'CN=Not A CA, O=Test PKI, C=TW', basicConstraints: { ca: false } });
    const leaf = await createLeaf(notCa, personnelLeaf());
    const validator = validatorFor({ root: pki.root, intermediate: notCa });
    expectFailure(await validator.validate(leaf.pem, { at: NOW, purpose: 'client-auth' }), 'not-a-ca', 1);
  });

  it('not-a-ca: an issuer whose keyUsage lacks keyCertSign', async () => {
    const noCertSign = await createCa(pki.root, { subject: 'CN=CRL Signer Only, O=Test PKI, C=TW', keyUsage: KU.cRLSign });
    const leaf = await createLeaf(noCertSign, personnelLeaf());
    const result = await validatorFor({ root: pki.root, intermediate: noCertSign }).validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'not-a-ca', 1);
    expect(result.message).toContain('keyCertSign');
  });

  it('path-length-exceeded: an intermediate below a root with pathLenConstraint 0', async () => {
    const root = await createRoot({ subject: 'CN=Strict Root, C=TW', basicConstraints: { ca: true, pathLength: 0 } });
    const intermediate = await createCa(root, { subject: 'CN=Too Deep CA, C=TW' });
    const leaf = await createLeaf(intermediate, personnelLeaf());
    const result = await validatorFor({ root, intermediate }).validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'path-length-exceeded', 2);
  });

  it('name-constraints-violated: a subordinate CA in an excluded directoryName subtree', async () => {
    const root = await createRoot({ subject: 'C=TW, O=Constrained Root', nameConstraints: { excluded: ['C=TW, O=Blocked'] } });
    const intermediate = await createCa(root, { subject: 'C=TW, O=Blocked, CN=Blocked Issuing CA' });
    const leaf = await createLeaf(intermediate, personnelLeaf());
    const result = await validatorFor({ root, intermediate }).validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'name-constraints-violated', 1);
    expect(result.message).toContain('excluded');
  });

  it('unknown-critical-extension: a critical extension the validator does not process', async () => {
    const leaf = await createLeaf(pki.intermediate, {
      ...personnelLeaf(),
      extraExtensions: [new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([0x05, 0x00]))],
    });
    const result = await validatorFor(pki).validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'unknown-critical-extension', 0);
    expect(result.message).toContain('1.3.6.1.4.1.99999.1');
  });

  it('weak-key: an RSA-1024 leaf', async () => {
    const leaf = await createLeaf(pki.intermediate, { ...personnelLeaf(), kind: 'RSA-1024' });
    const result = await validatorFor(pki).validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'weak-key', 0);
    expect(result.message).toContain('1024 bits');
  });

  it('weak-key: an EC key on a curve other than P-256/P-384/P-521 (secp256k1)', async () => {
    const leaf = await createLeaf(pki.intermediate, { ...personnelLeaf(), foreignPublicKey: secp256k1PublicKey() });
    const result = await validatorFor(pki).validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'weak-key', 0);
    expect(result.message).toContain('1.3.132.0.10');
  });

  it('weak-key: an RSA-1024 intermediate is reported at its position', async () => {
    const weakCa = await createCa(pki.root, { subject: 'CN=Weak CA, C=TW', kind: 'RSA-1024' });
    const leaf = await createLeaf(weakCa, personnelLeaf());
    const result = await validatorFor({ root: pki.root, intermediate: weakCa }).validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
    expectFailure(result, 'weak-key', 1);
  });

  it('bad-signature: a leaf whose signed part was altered (national ID changed)', async () => {
    const der = Buffer.from(pki.leaf.cert.rawData);
    const at = der.indexOf(Buffer.from('A123456789'));
    der[at + 9] = '8'.charCodeAt(0);
    expect(new x509.X509Certificate(der).subject).toContain('A123456788');
    expectFailure(await validatorFor(pki).validate(new Uint8Array(der), { at: NOW, purpose: 'client-auth' }), 'bad-signature', 0);
  });
});
