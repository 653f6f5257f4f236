// The validator's OCSP client (OcspRevocationSource) against `openssl ocsp` run as a responder on
// loopback (a free port picked at run time), with the CRLs as the fallback: good, revoked with a
// reason, unknown, unreachable, a responder certificate without id-kp-OCSPSigning, a stale answer,
// the policies per anchor (ocsp-first, crl-only, both) and the cache; and through the validator,
// the codes the sign-in sees.
import { spawn, type ChildProcess } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { createCa, createCrl, createLeaf, createRoot, personnelLeaf, type Issued } from '../../support/pki/builder';
import { HttpOcspFetcher } from '../../../src/modules/certificates/ocsp/ocsp-http-fetcher';
import { CrlRevocationSource, createValidator, DEFAULT_FAMILY_MAPPING, type RevocationSource } from '../../../src/modules/certificates/validation';
import { OcspRevocationSource, type OcspSettings } from '../../../src/modules/certificates/validation/ocsp-revocation-source';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';
import { freePort } from '../../support/polling';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const HOUR = 3600_000;
const now = () => new Date();
const around = (hours: number) => new Date(Date.now() + hours * HOUR);

/** Resolves once `openssl ocsp` says it accepts connections (a probe connection would hold its only thread). */
function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    const hear = (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('ACCEPT')) resolve();
    };
    child.stdout?.on('data', hear);
    child.stderr?.on('data', hear);
    child.once('exit', (code) => reject(new Error(`openssl ocsp exited with ${code}: ${said}`)));
  });
}

function aia(url: string): x509.Extension {
  const value = new asn1X509.AuthorityInfoAccessSyntax([
    new asn1X509.AccessDescription({ accessMethod: asn1X509.id_ad_ocsp, accessLocation: new asn1X509.GeneralName({ uniformResourceIdentifier: url }) }),
  ]);
  return new x509.Extension(asn1X509.id_pe_authorityInfoAccess, false, AsnConvert.serialize(value));
}

const opensslTime = (date: Date) => date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
const serialOf = (issued: Issued) => issued.cert.serialNumber.toUpperCase();
const keyPem = async (keys: CryptoKeyPair) => x509.PemConverter.encode(await subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');

describe('OCSP client (validator revocation source) against openssl ocsp', () => {
  let tmp: string;
  let responders: ChildProcess[] = [];
  let root: Issued;
  let issuing: Issued;
  let good: Issued;
  let revoked: Issued;
  let notListed: Issued;
  let noAia: Issued;
  let url: string;
  let badResponderUrl: string;
  let deadUrl: string;
  let emptyCrls: CrlRevocationSource;

  const file = (name: string, content: string) => {
    const path = join(tmp, name);
    writeFileSync(path, content);
    return path;
  };

  /** `openssl ocsp` answering for the issuing CA, signed by `signer`: good and noAia valid, revoked revoked, notListed absent. */
  async function startResponder(name: string, signer: Issued, port?: number): Promise<string> {
    port ??= await freePort();
    const index = [good, noAia].map((cert) => `V\t${opensslTime(cert.cert.notAfter)}\t\t${serialOf(cert)}\tunknown\t/CN=${serialOf(cert)}`);
    index.push(`R\t${opensslTime(revoked.cert.notAfter)}\t${opensslTime(around(-1))},keyCompromise\t${serialOf(revoked)}\tunknown\t/CN=${serialOf(revoked)}`);
    const args = ['ocsp', '-index', file(`${name}-index.txt`, `${index.join('\n')}\n`), '-port', String(port), '-rsigner', file(`${name}.pem`, signer.pem), '-rkey', file(`${name}.key`, await keyPem(signer.keys))];
    args.push('-CA', file('issuing.pem', issuing.pem), '-nmin', '5', '-ignore_err');
    const child = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    responders.push(child);
    await listening(child);
    return `http://127.0.0.1:${port}/`;
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ocsp-client-'));
    root = await createRoot({ subject: 'CN=OCSP Client Test Root, O=Test PKI, C=TW', notBefore: around(-48), notAfter: around(24 * 365) });
    issuing = await createCa(root, { subject: 'CN=OCSP Client Test CA, O=Test PKI, C=TW', basicConstraints: { ca: true, pathLength: 0 }, notBefore: around(-48), notAfter: around(24 * 300) });
    const port = await freePort(); // the responder's address goes into the certificates
    url = `http://127.0.0.1:${port}/`;
    const leaf = (name: string, extra: x509.Extension[]) => createLeaf(issuing, { ...personnelLeaf(name), notBefore: around(-24), notAfter: around(24 * 30), extraExtensions: extra });
    [good, revoked, notListed] = await Promise.all([leaf('王小明', [aia(url)]), leaf('陳大文', [aia(url)]), leaf('林美玲', [aia(url)])]);
    noAia = await leaf('張志豪', []);
    const responder = await createLeaf(issuing, { subject: 'CN=OCSP Client Test Responder, C=TW', keyUsage: x509.KeyUsageFlags.digitalSignature, extKeyUsage: ['1.3.6.1.5.5.7.3.9'], notBefore: around(-24), notAfter: around(24 * 30) });
    const notAResponder = await createLeaf(issuing, { subject: 'CN=Not An OCSP Responder, C=TW', keyUsage: x509.KeyUsageFlags.digitalSignature, notBefore: around(-24), notAfter: around(24 * 30) });

    await startResponder('responder', responder, port); // at the address in the certificates
    badResponderUrl = await startResponder('bad', notAResponder);
    deadUrl = `http://127.0.0.1:${await freePort()}/`;
    emptyCrls = new CrlRevocationSource({ crls: [new Uint8Array((await createCrl(issuing, { thisUpdate: around(-1), nextUpdate: around(24) })).rawData)] });
  });

  afterAll(() => {
    for (const child of responders) child.kill();
    responders = [];
    rmSync(tmp, { recursive: true, force: true });
  });

  const source = (crls: RevocationSource, settings?: OcspSettings) =>
    new OcspRevocationSource({ fetcher: new HttpOcspFetcher(), crls, settingsFor: settings ? () => settings : undefined, timeoutMs: 5000 });
  const noCrls = new CrlRevocationSource({ crls: [] });

  it('asks the address in authorityInfoAccess: good, then from its cache until nextUpdate', async () => {
    const ocsp = source(noCrls);
    expect(await ocsp.status(good.cert, issuing.cert, now())).toEqual({ status: 'good' });
    expect(await ocsp.status(good.cert, issuing.cert, now())).toEqual({ status: 'good' });
    expect(ocsp.requests).toBe(1);
  });

  it('reads a revocation with its reason and time', async () => {
    const answer = await source(noCrls).status(revoked.cert, issuing.cert, now());
    expect(answer).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(Math.abs((answer.revokedAt as Date).getTime() - around(-1).getTime())).toBeLessThan(5 * 60_000);
  });

  it('leaves an unknown certificate, an unreachable responder and an unusable answer to the CRLs, and fails closed without them', async () => {
    expect(await source(emptyCrls).status(notListed.cert, issuing.cert, now())).toEqual({ status: 'good' });
    const unknown = await source(noCrls).status(notListed.cert, issuing.cert, now());
    expect(unknown.status).toBe('unknown');
    expect(unknown.detail).toContain('does not know the certificate');

    const dead = await source(noCrls, { policy: 'ocsp-first', ocspUrl: deadUrl }).status(good.cert, issuing.cert, now());
    expect(dead.status).toBe('unknown');
    expect(dead.detail).toMatch(/did not answer/);
    expect(await source(emptyCrls, { policy: 'ocsp-first', ocspUrl: deadUrl }).status(good.cert, issuing.cert, now())).toEqual({ status: 'good' });

    const unauthorised = await source(noCrls, { policy: 'ocsp-first', ocspUrl: badResponderUrl }).status(good.cert, issuing.cert, now());
    expect(unauthorised.status).toBe('unknown');
    expect(unauthorised.detail).toContain('lacks id-kp-OCSPSigning');

    // Two hours on, the answer (nextUpdate in 5 minutes) is stale, whatever the skew of 5 minutes.
    const stale = await source(noCrls).status(good.cert, issuing.cert, around(2));
    expect(stale.detail).toContain('stale');
  });

  it('follows the policy of the anchor: an override address, crl-only, both', async () => {
    expect(await source(noCrls, { policy: 'ocsp-first', ocspUrl: url }).status(noAia.cert, issuing.cert, now())).toEqual({ status: 'good' });
    const noAddress = await source(noCrls).status(noAia.cert, issuing.cert, now());
    expect(noAddress.detail).toContain('no OCSP address');

    const crlOnly = source(emptyCrls, { policy: 'crl-only' });
    expect(await crlOnly.status(revoked.cert, issuing.cert, now())).toEqual({ status: 'good' }); // the CRL does not list it
    expect(crlOnly.requests).toBe(0);

    const listing = new CrlRevocationSource({
      crls: [new Uint8Array((await createCrl(issuing, { thisUpdate: around(-1), nextUpdate: around(24), entries: [{ serialNumber: good.cert.serialNumber, reason: x509.X509CrlReason.superseded, revocationDate: around(-2) }] })).rawData)],
    });
    expect(await source(listing, { policy: 'both' }).status(good.cert, issuing.cert, now())).toMatchObject({ status: 'revoked', reason: 'superseded' });
    expect(await source(listing, { policy: 'ocsp-first' }).status(good.cert, issuing.cert, now())).toEqual({ status: 'good' });
  });

  it('gives the sign-in its codes through the validator: revoked, and revocation-unknown when both fail', async () => {
    const validator = (revocation: RevocationSource) => createValidator({ anchors: [root.pem], intermediates: [issuing.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: { source: revocation, mode: 'require' } });
    const rootCrl = new Uint8Array((await createCrl(root, { thisUpdate: around(-1), nextUpdate: around(24) })).rawData);
    const crls = new CrlRevocationSource({ crls: [rootCrl] }); // the intermediate by CRL (no AIA), the leaves by OCSP
    const withOcsp = validator(source(crls));
    expect((await withOcsp.validate(good.pem, { purpose: 'any' })).code).toBe('ok');
    expect((await withOcsp.validate(revoked.pem, { purpose: 'any' })).code).toBe('revoked');
    const unreachable = validator(source(crls, { policy: 'ocsp-first', ocspUrl: deadUrl }));
    expect((await unreachable.validate(good.pem, { purpose: 'any' })).code).toBe('revocation-unknown');
  });
});
