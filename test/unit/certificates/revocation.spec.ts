// CRL-based revocation: freshness, signatures, holds, fail-closed and soft-fail policies.
import { createValidator, crlParseStats, CrlRevocationSource, DEFAULT_FAMILY_MAPPING, RevocationPolicy } from '../../../src/modules/certificates/validation';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';
import { createCa, createCrl, createLeaf, days, generateKeys, KU, NOW, personnelLeaf, simplePki } from '../../support/pki/builder';

type Pki = Awaited<ReturnType<typeof simplePki>>;

function validatorFor(pki: Pki, revocation: RevocationPolicy) {
  return createValidator({ anchors: [pki.root.pem], intermediates: [pki.intermediate.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation });
}

describe('CrlRevocationSource', () => {
  let pki: Pki;

  beforeAll(async () => {
    pki = await simplePki();
  });

  it('answers good, revoked (with reason and date) and on-hold from a fresh CRL', async () => {
    const revokedLeaf = await createLeaf(pki.intermediate, personnelLeaf());
    const heldLeaf = await createLeaf(pki.intermediate, personnelLeaf());
    const crl = await createCrl(pki.intermediate, {
      entries: [
        { serialNumber: revokedLeaf.cert.serialNumber, reason: x509.X509CrlReason.superseded, revocationDate: days(-3) },
        { serialNumber: heldLeaf.cert.serialNumber, reason: x509.X509CrlReason.certificateHold },
      ],
    });
    const source = new CrlRevocationSource({ crls: [crl.rawData] });
    expect(await source.status(pki.leaf.cert, pki.intermediate.cert, NOW)).toEqual({ status: 'good' });
    expect(await source.status(revokedLeaf.cert, pki.intermediate.cert, NOW)).toEqual({ status: 'revoked', reason: 'superseded', revokedAt: days(-3) });
    expect(await source.status(heldLeaf.cert, pki.intermediate.cert, NOW)).toMatchObject({ status: 'on-hold', reason: 'certificateHold' });
  });

  it('parses an unchanged CRL once per process: a new source (the trust store after a reload) takes it parsed, and answers the same', async () => {
    const revokedLeaf = await createLeaf(pki.intermediate, personnelLeaf());
    const crl = await createCrl(pki.intermediate, { entries: [{ serialNumber: revokedLeaf.cert.serialNumber, reason: x509.X509CrlReason.keyCompromise }] });
    const before = crlParseStats();
    const first = new CrlRevocationSource({ crls: [crl.rawData] });
    const afterFirst = crlParseStats();
    expect(afterFirst.parsed).toBe(before.parsed + 1);
    const reloaded = new CrlRevocationSource({ crls: [crl.toString('pem')] }); // same bytes, as PEM
    const afterReload = crlParseStats();
    expect(afterReload).toEqual({ parsed: afterFirst.parsed, reused: afterFirst.reused + 1 });
    for (const source of [first, reloaded]) {
      expect(await source.status(revokedLeaf.cert, pki.intermediate.cert, NOW)).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
      expect(await source.status(pki.leaf.cert, pki.intermediate.cert, NOW)).toEqual({ status: 'good' });
    }
    // a changed CRL is parsed anew
    new CrlRevocationSource({ crls: [(await createCrl(pki.intermediate)).rawData] });
    expect(crlParseStats().parsed).toBe(afterReload.parsed + 1);
  });

  it('reads a large CRL (more entries than asn1js parses by default) and finds a revoked serial in it', async () => {
    const revokedLeaf = await createLeaf(pki.intermediate, personnelLeaf());
    const filler = Array.from({ length: 1600 }, (_, i) => ({ serialNumber: (0x100000 + i).toString(16), reason: x509.X509CrlReason.keyCompromise }));
    const crl = await createCrl(pki.intermediate, { entries: [...filler, { serialNumber: revokedLeaf.cert.serialNumber, reason: x509.X509CrlReason.keyCompromise }] });
    const source = new CrlRevocationSource({ crls: [crl.rawData] });
    expect(await source.status(revokedLeaf.cert, pki.intermediate.cert, NOW)).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(await source.status(pki.leaf.cert, pki.intermediate.cert, NOW)).toEqual({ status: 'good' });
  });

  it('verifies a CRL signature once per issuer key', async () => {
    const source = new CrlRevocationSource({ crls: [(await createCrl(pki.intermediate)).toString('pem')] });
    for (let i = 0; i < 5; i++) expect(await source.status(pki.leaf.cert, pki.intermediate.cert, NOW)).toEqual({ status: 'good' });
    expect(source.signatureChecks).toBe(1);
  });

  it('rejects a CRL with the issuer name but a bad signature', async () => {
    const forger = await generateKeys('P-256');
    const forged = await createCrl(pki.intermediate, { signingKeys: forger });
    const source = new CrlRevocationSource({ crls: [forged.toString('pem')] });
    const answer = await source.status(pki.leaf.cert, pki.intermediate.cert, NOW);
    expect(answer.status).toBe('unknown');
    expect(answer.detail).toContain('signature');
  });

  it('treats a CRL past nextUpdate (plus grace) as stale', async () => {
    const crl = (await createCrl(pki.intermediate, { thisUpdate: days(-10), nextUpdate: days(-1) })).toString('pem');
    expect(await new CrlRevocationSource({ crls: [crl] }).status(pki.leaf.cert, pki.intermediate.cert, NOW)).toMatchObject({ status: 'unknown' });
    const lenient = new CrlRevocationSource({ crls: [crl], graceSeconds: 2 * 24 * 3600 });
    expect(await lenient.status(pki.leaf.cert, pki.intermediate.cert, NOW)).toEqual({ status: 'good' });
  });

  it('applies the maximum age bound, and needs it for CRLs without nextUpdate', async () => {
    const noNext = (await createCrl(pki.intermediate, { thisUpdate: days(-2), nextUpdate: null })).toString('pem');
    expect(await new CrlRevocationSource({ crls: [noNext] }).status(pki.leaf.cert, pki.intermediate.cert, NOW)).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('no nextUpdate'),
    });
    expect(await new CrlRevocationSource({ crls: [noNext], maxAgeSeconds: 3 * 24 * 3600 }).status(pki.leaf.cert, pki.intermediate.cert, NOW)).toEqual({
      status: 'good',
    });
    expect(await new CrlRevocationSource({ crls: [noNext], maxAgeSeconds: 24 * 3600 }).status(pki.leaf.cert, pki.intermediate.cert, NOW)).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('older than'),
    });
  });

  it('uses the newest usable CRL of an issuer', async () => {
    const older = await createCrl(pki.intermediate, { thisUpdate: days(-3) });
    const newer = await createCrl(pki.intermediate, {
      thisUpdate: days(-1),
      entries: [{ serialNumber: pki.leaf.cert.serialNumber, reason: x509.X509CrlReason.keyCompromise }],
    });
    const source = new CrlRevocationSource();
    source.add(older.toString('pem') + newer.toString('pem'));
    expect(await source.status(pki.leaf.cert, pki.intermediate.cert, NOW)).toMatchObject({ status: 'revoked' });
  });

  it('does not accept CRLs from an issuer whose keyUsage forbids CRL signing', async () => {
    const noCrlSign = await createCa(pki.root, { subject: 'CN=No CRL Sign CA, C=TW', keyUsage: KU.keyCertSign });
    const leaf = await createLeaf(noCrlSign, personnelLeaf());
    const source = new CrlRevocationSource({ crls: [(await createCrl(noCrlSign)).toString('pem')] });
    expect(await source.status(leaf.cert, noCrlSign.cert, NOW)).toMatchObject({ status: 'unknown', detail: expect.stringContaining('cRLSign') });
  });

  it('does not use a CRL with a critical extension it does not process (a partial CRL)', async () => {
    const partial = await createCrl(pki.intermediate, { extensions: [new x509.Extension('2.5.29.28', true, new Uint8Array([0x30, 0x03, 0x81, 0x01, 0xff]))] });
    const answer = await new CrlRevocationSource({ crls: [partial.toString('pem')] }).status(pki.leaf.cert, pki.intermediate.cert, NOW);
    expect(answer).toMatchObject({ status: 'unknown', detail: expect.stringContaining('2.5.29.28') });
  });

  it('ignores a CRL signed by another key of a CA with the same name', async () => {
    const rekeyed = await createCa(pki.root, { subject: pki.intermediate.cert.subjectName });
    const other = await createCrl(rekeyed, { entries: [{ serialNumber: pki.leaf.cert.serialNumber }] });
    const source = new CrlRevocationSource({ crls: [other.toString('pem')] });
    expect(await source.status(pki.leaf.cert, pki.intermediate.cert, NOW)).toMatchObject({ status: 'unknown', detail: expect.stringContaining('another key') });
  });

  it('throws malformed on unreadable CRL input', () => {
    expect(() => new CrlRevocationSource({ crls: ['-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n'] })).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    );
  });
});

describe('revocation in the validator', () => {
  let pki: Pki;
  let rootCrl: string;

  beforeAll(async () => {
    pki = await simplePki();
    rootCrl = (await createCrl(pki.root)).toString('pem');
  });

  it('fails closed on a stale CRL: revocation-unknown', async () => {
    const stale = await createCrl(pki.intermediate, { thisUpdate: days(-20), nextUpdate: days(-13) });
    const source = new CrlRevocationSource({ crls: [rootCrl, stale.toString('pem')] });
    const result = await validatorFor(pki, { source }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expect(result).toMatchObject({ valid: false, code: 'revocation-unknown', position: 0 });
    expect(result.message).toContain('stale');
  });

  it('accepts an unknown status under soft-fail and says so', async () => {
    const stale = await createCrl(pki.intermediate, { thisUpdate: days(-20), nextUpdate: days(-13) });
    const source = new CrlRevocationSource({ crls: [rootCrl, stale.toString('pem')] });
    const result = await validatorFor(pki, { source, mode: 'soft-fail' }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expect(result).toMatchObject({ valid: true, revocation: 'unknown' });
  });

  it('still rejects a revoked certificate under soft-fail', async () => {
    const crl = await createCrl(pki.intermediate, { entries: [{ serialNumber: pki.leaf.cert.serialNumber }] });
    const source = new CrlRevocationSource({ crls: [rootCrl, crl.toString('pem')] });
    const result = await validatorFor(pki, { source, mode: 'soft-fail' }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expect(result).toMatchObject({ valid: false, code: 'revoked', position: 0 });
    expect(result.message).toContain('unspecified');
  });

  it('rejects a CRL with a bad signature: the status stays unknown', async () => {
    const forged = await createCrl(pki.intermediate, { signingKeys: await generateKeys('P-256') });
    const source = new CrlRevocationSource({ crls: [rootCrl, forged.toString('pem')] });
    const result = await validatorFor(pki, { source }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expect(result).toMatchObject({ valid: false, code: 'revocation-unknown', position: 0 });
    expect(result.message).toContain('signature');
  });

  it('reports good revocation when every certificate below the anchor was checked', async () => {
    const source = new CrlRevocationSource({ crls: [rootCrl, (await createCrl(pki.intermediate)).toString('pem')] });
    const result = await validatorFor(pki, { source }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expect(result).toMatchObject({ valid: true, revocation: 'good' });
  });

  it('rejects a revoked intermediate, at its position', async () => {
    const revokedByRoot = await createCrl(pki.root, { entries: [{ serialNumber: pki.intermediate.cert.serialNumber, reason: x509.X509CrlReason.cACompromise }] });
    const source = new CrlRevocationSource({ crls: [revokedByRoot.toString('pem'), (await createCrl(pki.intermediate)).toString('pem')] });
    const result = await validatorFor(pki, { source }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expect(result).toMatchObject({ valid: false, code: 'revoked', position: 1 });
  });

  it('detects a revoked leaf on a chain-cache hit, and a revoked intermediate after it was cached', async () => {
    const source = new CrlRevocationSource({ crls: [rootCrl, (await createCrl(pki.intermediate)).toString('pem')] });
    const validator = validatorFor(pki, { source });
    expect(await validator.validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' })).toMatchObject({ valid: true, chainCache: 'miss' });

    const second = await createLeaf(pki.intermediate, personnelLeaf('李大華', 'B223456789'));
    source.add(
      (
        await createCrl(pki.intermediate, {
          thisUpdate: new Date(NOW.getTime() - 1000),
          entries: [{ serialNumber: second.cert.serialNumber, reason: x509.X509CrlReason.keyCompromise }],
        })
      ).toString('pem'),
    );
    const hitsBefore = validator.stats().chainCacheHits;
    const result = await validator.validate(second.pem, { at: NOW, purpose: 'client-auth' });
    expect(result).toMatchObject({ valid: false, code: 'revoked', position: 0 });
    expect(validator.stats().chainCacheHits).toBe(hitsBefore + 1);

    source.add(
      (
        await createCrl(pki.root, {
          thisUpdate: new Date(NOW.getTime() - 500),
          entries: [{ serialNumber: pki.intermediate.cert.serialNumber, reason: x509.X509CrlReason.cACompromise }],
        })
      ).toString('pem'),
    );
    expect(await validator.validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' })).toMatchObject({ valid: false, code: 'revoked', position: 1 });
  });

  it('reports a failing revocation source as unknown', async () => {
    const broken = { status: async () => Promise.reject(new Error('database unavailable')) };
    const result = await validatorFor(pki, { source: broken }).validate(pki.leaf.pem, { at: NOW, purpose: 'client-auth' });
    expect(result).toMatchObject({ valid: false, code: 'revocation-unknown' });
    expect(result.message).toContain('database unavailable');
  });
});
