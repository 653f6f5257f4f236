// The CRL reader and writer (validation/crl-der.ts) against two other implementations: the CRLs
// @peculiar/x509 makes and reads, and the OpenSSL command line.
import { execFileSync, spawnSync } from 'node:child_process';
import { KeyObject, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { CRLReasons } from '@peculiar/asn1-x509';
import { createCrl, simplePki, type Issued } from '../../support/pki/builder';
import { CrlFormatError, encodeCertificateList, encodeTbsCertList, parseCrlDer, type CrlEntry } from '../../../src/modules/certificates/validation';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';

const ECDSA_WITH_SHA256 = Buffer.from('300a06082a8648ce3d040302', 'hex');
const ECDSA_WITH_SHA384 = Buffer.from('300a06082a8648ce3d040303', 'hex');

let pki: Awaited<ReturnType<typeof simplePki>>;
let dir: string;

beforeAll(async () => {
  pki = await simplePki('P-256');
  dir = mkdtempSync(join(tmpdir(), 'crl-der-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/** A CRL of `ca` written by encodeTbsCertList and signed with its software key. */
function writeCrl(ca: Issued, entries: CrlEntry[], times: { thisUpdate?: Date; nextUpdate?: Date } = {}): Buffer {
  const tbs = encodeTbsCertList({
    signatureAlgorithm: ECDSA_WITH_SHA256,
    issuer: new Uint8Array(ca.cert.subjectName.toArrayBuffer()),
    thisUpdate: times.thisUpdate ?? new Date('2026-11-01T08:00:00.456Z'),
    nextUpdate: times.nextUpdate ?? new Date('2026-11-02T08:00:00Z'),
    entries,
    extensions: [],
  });
  const signature = sign('sha256', tbs, { key: KeyObject.from(ca.keys.privateKey as unknown as globalThis.CryptoKey), dsaEncoding: 'der' });
  return encodeCertificateList(tbs, ECDSA_WITH_SHA256, signature);
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const ENTRIES: CrlEntry[] = [
  { serialHex: '0A', revokedAt: new Date('2026-10-01T00:00:00Z'), reason: CRLReasons.keyCompromise },
  // A high first bit (needs a leading zero octet) and the hold reason.
  { serialHex: 'F1E2D3C4B5A6978877665544332211', revokedAt: new Date('2026-10-02T12:34:56Z'), reason: CRLReasons.certificateHold },
  // Unspecified: no reasonCode extension at all.
  { serialHex: '4000000000000000000000000000000001', revokedAt: new Date('2026-10-03T00:00:00Z'), reason: CRLReasons.unspecified },
  { serialHex: '7F', revokedAt: new Date('2026-10-04T00:00:00Z') },
];

describe('CRL DER writer', () => {
  it('writes a v2 CRL that @peculiar/x509 and OpenSSL read and verify, entry by entry', async () => {
    const der = writeCrl(pki.intermediate, ENTRIES);
    const crl = new x509.X509Crl(new Uint8Array(der));
    expect(await crl.verify({ publicKey: pki.intermediate.cert.publicKey })).toBe(true);
    expect(crl.version).toBe(1);
    expect(crl.thisUpdate).toEqual(new Date('2026-11-01T08:00:00Z')); // whole seconds
    expect(crl.entries.map((entry) => [entry.serialNumber.replace(/^(00)+/, '').toUpperCase(), entry.revocationDate.toISOString(), entry.reason])).toEqual([
      ['0A', '2026-10-01T00:00:00.000Z', CRLReasons.keyCompromise],
      ['F1E2D3C4B5A6978877665544332211', '2026-10-02T12:34:56.000Z', CRLReasons.certificateHold],
      ['4000000000000000000000000000000001', '2026-10-03T00:00:00.000Z', undefined],
      ['7F', '2026-10-04T00:00:00.000Z', undefined],
    ]);

    const crlFile = join(dir, 'written.crl');
    const caFile = join(dir, 'chain.pem');
    writeFileSync(crlFile, der);
    writeFileSync(caFile, pem(pki.intermediate.cert) + pem(pki.root.cert));
    const verified = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', caFile, '-noout'], { encoding: 'utf8' });
    expect([verified.status, verified.stderr.trim()]).toEqual([0, 'verify OK']);
    // The same CRL checked against another CA's key fails.
    writeFileSync(caFile, pem(pki.root.cert));
    expect(spawnSync('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', caFile, '-noout'], { encoding: 'utf8' }).stderr).not.toContain('verify OK');
    const text = openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']);
    expect(text).toContain('Serial Number: F1E2D3C4B5A6978877665544332211');
    expect(text).toContain('Certificate Hold');
    expect(text).toContain('Key Compromise');
  });

  it('leaves out an empty revokedCertificates and writes GeneralizedTime from 2050', () => {
    const der = writeCrl(pki.intermediate, [], { thisUpdate: new Date('2049-12-31T23:59:59Z'), nextUpdate: new Date('2050-01-01T00:00:00Z') });
    const crl = new x509.X509Crl(new Uint8Array(der));
    expect(crl.entries).toHaveLength(0);
    expect(der.includes(Buffer.from('491231235959Z'))).toBe(true); // UTCTime
    expect(der.includes(Buffer.from('20500101000000Z'))).toBe(true); // GeneralizedTime
    expect(crl.nextUpdate).toEqual(new Date('2050-01-01T00:00:00Z'));
  });

  it('refuses serial numbers that are not hex or longer than 20 octets', () => {
    expect(() => writeCrl(pki.intermediate, [{ serialHex: 'XYZ', revokedAt: new Date() }])).toThrow(CrlFormatError);
    expect(() => writeCrl(pki.intermediate, [{ serialHex: '7F'.repeat(21), revokedAt: new Date() }])).toThrow('longer than 20 octets');
  });
});

describe('CRL DER reader', () => {
  it('reads what @peculiar/x509 generates: issuer, times, extensions, entries and reasons', async () => {
    const crl = await createCrl(pki.intermediate, {
      entries: [
        { serialNumber: '0123', reason: x509.X509CrlReason.superseded },
        { serialNumber: '00FF01', reason: x509.X509CrlReason.certificateHold },
        { serialNumber: '42' },
      ],
    });
    const parsed = parseCrlDer(new Uint8Array(crl.rawData));
    expect(parsed.issuerDer.equals(Buffer.from(crl.issuerName.toArrayBuffer()))).toBe(true);
    expect(parsed.thisUpdate).toEqual(crl.thisUpdate);
    expect(parsed.nextUpdate).toEqual(crl.nextUpdate);
    expect(parsed.extensions.map((e) => e.extnID)).toEqual(crl.extensions.map((e) => e.type));
    expect(parsed.entries).toEqual([
      { serialHex: '0123', revokedAt: crl.entries[0].revocationDate, reason: CRLReasons.superseded },
      { serialHex: 'FF01', revokedAt: crl.entries[1].revocationDate, reason: CRLReasons.certificateHold },
      { serialHex: '42', revokedAt: crl.entries[2].revocationDate },
    ]);
    expect(parsed.signature.equals(Buffer.from(crl.signature))).toBe(true);
    expect(parsed.unknownCriticalEntryExtensions).toEqual([]);
  });

  it('round-trips what the writer wrote, including a CRL without nextUpdate read from another CA', async () => {
    expect(parseCrlDer(writeCrl(pki.intermediate, ENTRIES)).entries).toEqual(
      ENTRIES.map((entry) => (entry.reason === undefined || entry.reason === CRLReasons.unspecified ? { serialHex: entry.serialHex, revokedAt: entry.revokedAt } : entry)),
    );
    const withoutNext = await createCrl(pki.intermediate, { nextUpdate: null });
    expect(parseCrlDer(new Uint8Array(withoutNext.rawData)).nextUpdate).toBeUndefined();
  });

  it('reports critical entry extensions it does not understand', () => {
    // An entry with a critical certificateIssuer extension (indirect CRLs are not supported).
    const algorithm = new asn1X509.AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' });
    const tbs = new asn1X509.TBSCertList({
      version: asn1X509.Version.v2,
      signature: algorithm,
      issuer: AsnConvert.parse(pki.intermediate.cert.subjectName.toArrayBuffer(), asn1X509.Name),
      thisUpdate: new asn1X509.Time(new Date('2026-11-01T00:00:00Z')),
      revokedCertificates: [
        new asn1X509.RevokedCertificate({
          userCertificate: new Uint8Array([0x01]).buffer,
          revocationDate: new asn1X509.Time(new Date('2026-10-01T00:00:00Z')),
          crlEntryExtensions: [new asn1X509.Extension({ extnID: '2.5.29.29', critical: true, extnValue: new OctetString(new Uint8Array([0x30, 0x00])) })],
        }),
      ],
    });
    const der = AsnConvert.serialize(new asn1X509.CertificateList({ tbsCertList: tbs, signatureAlgorithm: algorithm, signature: new Uint8Array(8).buffer }));
    const parsed = parseCrlDer(new Uint8Array(der));
    expect(parsed.unknownCriticalEntryExtensions).toEqual(['2.5.29.29']);
    expect(parsed.entries).toEqual([{ serialHex: '01', revokedAt: new Date('2026-10-01T00:00:00Z') }]);
  });

  it('refuses what is not a well-formed CRL, with a reason', () => {
    const good = writeCrl(pki.intermediate, ENTRIES);
    expect(() => parseCrlDer(good.subarray(0, good.length - 5))).toThrow(CrlFormatError);
    expect(() => parseCrlDer(Buffer.concat([good, Buffer.from([0])]))).toThrow('unexpected data after the CRL');
    expect(() => parseCrlDer(Buffer.from(pki.leaf.cert.rawData))).toThrow(CrlFormatError);
    const tbs = parseCrlDer(good).tbs;
    expect(() => parseCrlDer(encodeCertificateList(tbs, ECDSA_WITH_SHA384, Buffer.from('3006020101020101', 'hex')))).toThrow('differs from the outer one');
    const badTime = Buffer.from(good);
    const at = badTime.indexOf(Buffer.from('261001000000Z'));
    badTime.write('26100100000aZ', at, 'latin1');
    expect(() => parseCrlDer(badTime)).toThrow('invalid time');
  });
});
