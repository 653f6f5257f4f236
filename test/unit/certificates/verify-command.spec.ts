// The pure function behind `pki verify`, and reading certificates from PEM bundles and DER.
import {
  loadCertificates,
  loadCrls,
  verifyExitCode,
  verifyFromFiles,
} from '../../../src/modules/certificates/validation';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';
import { createCrl, createLeaf, days, EKU, NOW, personnelLeaf, simplePki } from '../../support/pki/builder';

type Pki = Awaited<ReturnType<typeof simplePki>>;

describe('verifyFromFiles (pki verify)', () => {
  let pki: Pki;

  beforeAll(async () => {
    pki = await simplePki();
  });

  it('prints a JSON-ready success for a chain file with the leaf first and exits 0', async () => {
    const output = await verifyFromFiles({ trustPem: pki.root.pem, chainPem: pki.leaf.pem + pki.intermediate.pem, at: NOW.toISOString() });
    expect(output).toMatchObject({
      valid: true,
      code: 'ok',
      family: 'hca-personnel',
      serialNumber: pki.leaf.cert.serialNumber.toUpperCase(),
      issuer: 'CN=Test Issuing CA, O=Test PKI, C=TW',
      notAfter: pki.leaf.cert.notAfter.toISOString(),
      revocation: 'not-checked',
    });
    if (!output.valid) throw new Error(output.message);
    expect(output.path).toHaveLength(3);
    expect(output.path[0].notBefore).toBe(pki.leaf.cert.notBefore.toISOString());
    expect(JSON.parse(JSON.stringify(output))).toEqual(output);
    expect(verifyExitCode(output)).toBe(0);
  });

  it('returns the failure code and exits 1', async () => {
    const output = await verifyFromFiles({ trustPem: pki.root.pem, chainPem: pki.leaf.pem + pki.intermediate.pem, at: days(400).toISOString() });
    expect(output).toMatchObject({ valid: false, code: 'expired', position: 0 });
    expect(verifyExitCode(output)).toBe(1);
  });

  it('checks revocation only when CRLs are given', async () => {
    const crls = (await createCrl(pki.root)).toString('pem') + (await createCrl(pki.intermediate, { entries: [{ serialNumber: pki.leaf.cert.serialNumber }] })).toString('pem');
    const output = await verifyFromFiles({ trustPem: pki.root.pem, chainPem: pki.leaf.pem + pki.intermediate.pem, at: NOW.toISOString(), crlPem: crls });
    expect(output).toMatchObject({ valid: false, code: 'revoked', position: 0 });
  });

  it('honours --purpose any', async () => {
    const mailLeaf = await createLeaf(pki.intermediate, { ...personnelLeaf(), extKeyUsage: [EKU.emailProtection] });
    const chainPem = mailLeaf.pem + pki.intermediate.pem;
    expect(await verifyFromFiles({ trustPem: pki.root.pem, chainPem, at: NOW })).toMatchObject({ valid: false, code: 'wrong-purpose' });
    expect(await verifyFromFiles({ trustPem: pki.root.pem, chainPem, at: NOW, purpose: 'any' })).toMatchObject({ valid: true });
  });

  it('reports unreadable trust input as malformed and a bad --at as a usage error', async () => {
    expect(await verifyFromFiles({ trustPem: 'not a certificate!', chainPem: pki.leaf.pem, at: NOW })).toMatchObject({ valid: false, code: 'malformed' });
    await expect(verifyFromFiles({ trustPem: pki.root.pem, chainPem: pki.leaf.pem, at: 'yesterday' })).rejects.toThrow(RangeError);
  });
});

describe('loading certificates and CRLs', () => {
  let pki: Pki;

  beforeAll(async () => {
    pki = await simplePki();
  });

  it('reads every certificate of a PEM bundle, skipping other blocks', async () => {
    const crl = (await createCrl(pki.root)).toString('pem');
    const certs = loadCertificates(`# trust store\n${pki.root.pem}\n${crl}\n${pki.intermediate.pem}`);
    expect(certs.map((cert) => cert.subject)).toEqual([pki.root.cert.subject, pki.intermediate.cert.subject]);
  });

  it('reads DER, concatenated DER and bare base64', () => {
    const root = new Uint8Array(pki.root.cert.rawData);
    const intermediate = new Uint8Array(pki.intermediate.cert.rawData);
    expect(loadCertificates(root)).toHaveLength(1);
    expect(loadCertificates(Buffer.concat([root, intermediate])).map((cert) => cert.subject)).toEqual([pki.root.cert.subject, pki.intermediate.cert.subject]);
    expect(loadCertificates(Buffer.from(root).toString('base64'))[0].equal(pki.root.cert)).toBe(true);
    expect(loadCertificates(Buffer.from(pki.root.pem))[0].equal(pki.root.cert)).toBe(true);
  });

  it('throws malformed when there is no certificate', () => {
    expect(() => loadCertificates('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrow(expect.objectContaining({ code: 'malformed' }));
    expect(() => loadCertificates(new Uint8Array([0x30, 0x82, 0x10]))).toThrow(expect.objectContaining({ code: 'malformed' }));
  });

  it('reads CRLs from PEM and DER', async () => {
    const crl = await createCrl(pki.intermediate);
    const [fromPem] = loadCrls(crl.toString('pem'));
    expect(fromPem.rawData.equals(Buffer.from(crl.rawData))).toBe(true);
    expect(fromPem.issuerDer.equals(Buffer.from(crl.issuerName.toArrayBuffer()))).toBe(true);
    expect(loadCrls(crl.rawData)[0].thisUpdate).toEqual(crl.thisUpdate);
  });
});
