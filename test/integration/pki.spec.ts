// The CA side against real SoftHSM2, MariaDB and Redis: the development PKI, issuing, CRLs
// signed in the HSM and served over HTTP, revocation through the outbox and the worker, the
// trust store's validator, and other CAs' CRLs fetched over HTTP. OpenSSL checks what we make.
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { spawnSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { uniqueLabel, useSoftHsmTestStore } from '../support/softhsm';
import { createCrl, createRoot, type Issued } from '../support/pki/builder';
import { createTestApp, type TestApp } from '../support/app';
import { setAsideOtherFilesJobs } from '../support/worker';
import { WorkerModule } from '../../src/app/worker.module';
import { loadConfig } from '../../src/config/app-config';
import { redisOptions } from '../../src/core/core.module';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { SUBJECT_KIND_PROFILES, type SubjectKind } from '../../src/modules/certificates/ca-profiles';
import { CertificateIssuer, IssueInputError, type IssueRequest, type IssuedResult } from '../../src/modules/certificates/certificate-issuer.service';
import { CaCertificate, CrlRecord, IssuedCertificate } from '../../src/modules/certificates/certificates.entity';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { HsmService } from '../../src/modules/certificates/hsm.service';
import type { LeafSubject } from '../../src/modules/certificates/leaf-subject';
import { CRL_REFRESH_SCHEDULER, PKI_QUEUE } from '../../src/modules/certificates/pki-queue';
import { RevocationService } from '../../src/modules/certificates/revocation.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { verifyFromFiles } from '../../src/modules/certificates/validation';
import { x509 } from '../../src/modules/certificates/validation/x509-runtime';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';

useSoftHsmTestStore();

const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const HOUR = 60 * 60 * 1000;
const actor = { kind: 'test', id: 'pki.spec' };

/** A holder key pair made in software (the card tests make them on tokens). */
async function holderKey(): Promise<Uint8Array> {
  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return new Uint8Array(await subtle.exportKey('spki', keys.publicKey));
}

const SUBJECTS: Record<SubjectKind, LeafSubject> = {
  personnel: { name: '王小明', nationalId: 'A123456789', organization: '臺北示範醫學中心' },
  institution: { name: '臺北示範醫學中心', institutionCode: '0190010011' },
  citizen: { name: '陳美玲', nationalId: 'B223456782' },
  agency: { name: '示範市政府衛生局', organization: '示範市政府', agencyOid: '2.16.886.101.99999.1' },
  organization: { name: '示範健康促進協會', agencyOid: '2.16.886.1.100.99.1' },
  company: { name: '示範醫療器材股份有限公司', businessNumber: '04595252' },
  'nhi-card': { name: '王小明', cardNumber: '000099000001' },
};

function openssl(args: string[], input?: Buffer) {
  const result = spawnSync('openssl', args, { input, encoding: 'utf8' });
  if (result.error) throw result.error;
  return result;
}

const pem = (der: Uint8Array, type: 'CERTIFICATE' | 'X509 CRL') => `${x509.PemConverter.encode(new Uint8Array(der).buffer as ArrayBuffer, type)}\n`;

describe('pki: the development CA, issuing, CRLs and the trust store', () => {
  let web: TestApp;
  let hsm: HsmService;
  let issuer: CertificateIssuer;
  let crls: CrlService;
  let revocation: RevocationService;
  let trustStore: TrustStoreService;
  let tmp: string;

  const cas = () => web.dataSource.getRepository(CaCertificate);
  const ca = async (slug: string) => (await cas().findOneByOrFail({ slug })) as CaCertificate;
  const latestCrl = async (slug: string) => web.dataSource.getRepository(CrlRecord).findOneOrFail({ where: { issuerId: (await ca(slug)).id }, order: { id: 'DESC' } });
  const issue = (request: Partial<IssueRequest> & { subjectType: SubjectKind }, spki?: Uint8Array): Promise<IssuedResult> =>
    holderKey().then((key) =>
      issuer.issue({ family: SUBJECT_KIND_PROFILES[request.subjectType].caFamily, subject: SUBJECTS[request.subjectType], spki: spki ?? key, ...request }, actor),
    );
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(tmp, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pki-spec-'));
    web = await createTestApp();
    hsm = web.app.get(HsmService);
    issuer = web.app.get(CertificateIssuer);
    crls = web.app.get(CrlService);
    revocation = web.app.get(RevocationService);
    trustStore = web.app.get(TrustStoreService);
    await web.app.get(DevPkiService).init({ actor });
  });

  afterAll(async () => {
    await web?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('pki dev-init', () => {
    it('makes a root and an issuing CA per family, keys on the token, and changes nothing when run again', async () => {
      const createdBefore = await web.dataSource.getRepository(AuditEvent).countBy({ action: 'pki.ca.create' });
      const again = await web.app.get(DevPkiService).init({ actor });
      expect(again.token.status).toBe('present');
      expect(again.cas.map((c) => c.status)).toEqual(Array(12).fill('present'));
      expect(await web.dataSource.getRepository(AuditEvent).countBy({ action: 'pki.ca.create' })).toBe(createdBefore);

      const dev = await cas().find({ where: { source: 'dev', enabled: true }, order: { id: 'ASC' } });
      expect(dev.filter((row) => row.role === 'root').map((row) => row.family).sort()).toEqual(['gca', 'hca', 'moeaca', 'moica', 'nhi', 'xca']);
      expect(dev.filter((row) => row.role === 'issuing').map((row) => row.family).sort()).toEqual(['gca', 'hca', 'moeaca', 'moica', 'nhi', 'xca']);
      const labels = hsm.keyLabels();
      for (const row of dev) expect(labels).toContain(row.hsmKeyLabel);
      expect(createdBefore).toBeGreaterThanOrEqual(10);
    });

    it('gives the CAs realistic profiles: roots self-signed, issuing CAs with pathLen 0, policies, CRL and AIA addresses', async () => {
      const root = new x509.X509Certificate(new Uint8Array((await ca('hca-root')).der));
      const issuing = new x509.X509Certificate(new Uint8Array((await ca('hca-issuing-1')).der));
      expect(root.subject).toBe('CN=HCA Root CA (DEV), O=NHI Services Development, C=TW');
      expect(issuing.subject).toBe('CN=HCA Issuing CA 1 (DEV), O=NHI Services Development, C=TW');
      expect(await root.verify({ signatureOnly: true })).toBe(true);
      expect(await issuing.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);

      const rootBasic = root.getExtension(x509.BasicConstraintsExtension)!;
      expect([rootBasic.ca, rootBasic.critical, rootBasic.pathLength]).toEqual([true, true, undefined]);
      const basic = issuing.getExtension(x509.BasicConstraintsExtension)!;
      expect([basic.ca, basic.critical, basic.pathLength]).toEqual([true, true, 0]);
      for (const cert of [root, issuing]) {
        const usage = cert.getExtension(x509.KeyUsagesExtension)!;
        expect(usage.critical).toBe(true);
        expect(usage.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      }
      const rootSki = root.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
      expect(issuing.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(rootSki);
      expect(issuing.getExtension(x509.CertificatePolicyExtension)!.policies).toEqual(['2.16.886.1.100.3.1.7', '2.16.886.1.100.3.2.21']);
      // the origin the CAs were made with (PUBLIC_ORIGIN of whichever test app of this worker made them first)
      const origin = new URL((await ca('hca-root')).crlUrl!).origin;
      const text = openssl(['x509', '-inform', 'DER', '-noout', '-text'], Buffer.from(issuing.rawData)).stdout;
      expect(text).toContain(`URI:${origin}/pki/crl/hca-root.crl`);
      expect(text).toContain(`CA Issuers - URI:${origin}/pki/ca/hca-root.crt`);
      expect((await ca('hca-issuing-1')).crlUrl).toBe(`${origin}/pki/crl/hca-issuing-1.crl`);
    });
  });

  describe('issuing', () => {
    it.each(Object.keys(SUBJECTS) as SubjectKind[])('issues %s certificates that pki verify accepts with the family and attributes', async (kind) => {
      const leaf = await issue({ subjectType: kind });
      const family = SUBJECT_KIND_PROFILES[kind].caFamily;
      const root = await ca(`${family}-root`);
      const issuing = await ca(`${family}-issuing-1`);
      const crlPems = [pem((await latestCrl(`${family}-issuing-1`)).der, 'X509 CRL'), pem((await latestCrl(`${family}-root`)).der, 'X509 CRL')].join('');
      const result = await verifyFromFiles({
        trustPem: pem(root.der, 'CERTIFICATE'),
        chainPem: leaf.pem + pem(issuing.der, 'CERTIFICATE'),
        crlPem: crlPems,
      });
      expect(result).toMatchObject({ valid: true, code: 'ok', revocation: 'good', serialNumber: leaf.serialHex });
      if (!result.valid) return;
      const expected: Record<SubjectKind, [string, Record<string, string>]> = {
        personnel: ['hca-personnel', { subjectType: '2.16.886.1.100.3.1.7', cardType: 'main' }],
        institution: ['hca-institution', { subjectType: '2.16.886.1.100.3.2.21', cardType: 'main' }],
        citizen: ['moica-citizen', { subjectType: '2.16.886.1.100.3.1.1', nationalIdLast4: '6782' }],
        agency: ['gca-agency', { agencyOid: '2.16.886.101.99999.1' }],
        organization: ['xca-organization', { subjectType: '2.16.886.1.100.3.2.4', agencyOid: '2.16.886.1.100.99.1' }],
        company: ['moeaca-company', { subjectType: '2.16.886.1.100.3.2.2.1.1', businessNumber: '04595252' }],
        'nhi-card': ['nhi-card', { subjectType: '2.16.886.1.100.3.9.1' }],
      };
      expect(result.family).toBe(expected[kind][0]);
      expect(result.directoryAttributes).toMatchObject(expected[kind][1]);
      expect(result.path.map((p) => p.subject).slice(1)).toEqual([issuing.subjectDn, root.subjectDn]);

      const row = await web.dataSource.getRepository(IssuedCertificate).findOneByOrFail({ id: leaf.id });
      expect(row).toMatchObject({ serialHex: leaf.serialHex, status: 'good', subjectKind: kind, family });
      expect(Buffer.from(row.der).equals(leaf.der)).toBe(true);
    });

    it('lays out subjects per DOMAIN.md, masks the national ID in what it stores, and uses positive 16-octet serials', async () => {
      const leaf = await issue({ subjectType: 'personnel', holderRef: 'test:personnel' });
      const cert = new x509.X509Certificate(new Uint8Array(leaf.der));
      const name = new x509.Name(cert.subjectName.toArrayBuffer(), { serialNumber: '2.5.4.5' });
      expect(name.toString()).toBe('CN=王小明, serialNumber=A123456789, O=臺北示範醫學中心, C=TW');
      expect(leaf.subjectDn).toBe('CN=王小明, serialNumber=A12****789, O=臺北示範醫學中心, C=TW');
      const stored = await web.dataSource.getRepository(IssuedCertificate).findOneByOrFail({ id: leaf.id });
      expect(stored.subjectDn).not.toContain('A123456789');
      expect(stored.holderRef).toBe('test:personnel');
      expect(cert.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
      const usage = cert.getExtension(x509.KeyUsagesExtension)!;
      expect(usage.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation);
      expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4']);
      const audit = await web.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'pki.certificate.issue', targetId: String(leaf.id) });
      expect(JSON.stringify(audit.summary)).not.toContain('A123456789');
    });

    it('refuses bad input before signing anything', async () => {
      await expect(issue({ subjectType: 'personnel', subject: { name: '王小明', nationalId: 'A123456788' } })).rejects.toThrow(IssueInputError);
      await expect(issue({ subjectType: 'citizen', family: 'hca' })).rejects.toThrow(/HCA issues personnel, institution/);
      await expect(issue({ subjectType: 'company', subject: { name: 'X', businessNumber: '12345678' } })).rejects.toThrow(/businessNumber/);
      await expect(issue({ subjectType: 'personnel' }, new Uint8Array([1, 2, 3]))).rejects.toThrow(/spki/);
    });

    it('is accepted by openssl verify with the root as CA file and the issuing CA as untrusted', async () => {
      const leaf = await issue({ subjectType: 'institution' });
      const rootPem = file('root.pem', pem((await ca('hca-root')).der, 'CERTIFICATE'));
      const issuingPem = file('issuing.pem', pem((await ca('hca-issuing-1')).der, 'CERTIFICATE'));
      const leafPem = file('leaf.pem', leaf.pem);
      const ok = openssl(['verify', '-CAfile', rootPem, '-untrusted', issuingPem, leafPem]);
      expect(ok.stdout.trim()).toBe(`${leafPem}: OK`);
      expect(ok.status).toBe(0);
      // The same leaf without its issuing CA does not chain: openssl is really checking.
      expect(openssl(['verify', '-CAfile', rootPem, leafPem]).status).not.toBe(0);
    });

    it('makes the deliberately bad certificates the login tests need, each refused for its reason', async () => {
      const now = Date.now();
      const cases: Array<[Partial<IssueRequest>, string]> = [
        [{ validity: { notBefore: new Date(now - 800 * 24 * HOUR), notAfter: new Date(now - 24 * HOUR) } }, 'expired'],
        [{ validity: { notBefore: new Date(now + 24 * HOUR), notAfter: new Date(now + 400 * 24 * HOUR) } }, 'not-yet-valid'],
        [{ keyUsage: x509.KeyUsageFlags.nonRepudiation }, 'wrong-purpose'],
        [{ extKeyUsage: ['1.3.6.1.5.5.7.3.4'] }, 'wrong-purpose'],
        [{ subjectTypeOid: '2.16.886.1.100.3.9.99' }, 'unknown-family'],
      ];
      for (const [options, code] of cases) {
        const leaf = await issue({ subjectType: 'personnel', ...options });
        expect([options, (await trustStore.validate(leaf.der, { purpose: 'client-auth' })).code]).toEqual([options, code]);
      }
    });
  });

  describe('revocation and CRLs', () => {
    const served = async (path: string) =>
      web
        .agent()
        .get(path)
        .buffer(true)
        .parse((res, callback) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => callback(null, Buffer.concat(chunks)));
        });

    it('holds, releases and revokes with audit rows and a crl-refresh job in the outbox; the validator follows the CRL', async () => {
      const leaf = await issue({ subjectType: 'personnel' });
      const validate = () => trustStore.validate(leaf.der, { purpose: 'client-auth' });
      const refresh = () => crls.refresh({ issuerId: leaf.issuer.id });
      expect((await validate()).code).toBe('ok');

      const outboxBefore = await web.dataSource.getRepository(OutboxMessage).countBy({ queue: PKI_QUEUE });
      const held = await revocation.hold(leaf.id, { actor });
      expect(held).toMatchObject({ status: 'on-hold', revocationReason: 'certificateHold', version: 2 });
      const jobs = await web.dataSource.getRepository(OutboxMessage).find({ where: { queue: PKI_QUEUE }, order: { id: 'DESC' } });
      expect(jobs).toHaveLength(outboxBefore + 1);
      expect([jobs[0].jobName, JSON.parse(jobs[0].payload)]).toEqual(['crl-refresh', { issuerId: leaf.issuer.id }]);
      // Until the CRL is re-signed the old one still says good.
      expect((await validate()).code).toBe('ok');
      await refresh();
      expect((await validate()).code).toBe('on-hold');

      await revocation.release(leaf.id, { actor });
      await refresh();
      expect((await validate()).code).toBe('ok');

      await revocation.revoke(leaf.id, 'keyCompromise', { actor });
      await refresh();
      expect(await validate()).toMatchObject({ valid: false, code: 'revoked', position: 0 });

      const audits = await web.dataSource.getRepository(AuditEvent).find({ where: { targetType: 'issued_certificate', targetId: String(leaf.id) }, order: { id: 'ASC' } });
      expect(audits.map((a) => a.action)).toEqual(['pki.certificate.issue', 'pki.certificate.hold', 'pki.certificate.release', 'pki.certificate.revoke']);
      expect(audits.every((a) => a.actorKind === 'test')).toBe(true);
    });

    it('refuses a change made from a stale version or from the wrong state, changing nothing', async () => {
      const leaf = await issue({ subjectType: 'citizen' });
      await revocation.hold(leaf.id, { actor });
      await expect(revocation.revoke(leaf.id, 'superseded', { expectedVersion: 1, actor })).rejects.toMatchObject({ code: 'certificate-changed' });
      await expect(revocation.hold(leaf.id, { actor })).rejects.toMatchObject({ code: 'certificate-state' });
      await expect(revocation.release(999_999, { actor })).rejects.toMatchObject({ code: 'certificate-not-found' });
      const row = await web.dataSource.getRepository(IssuedCertificate).findOneByOrFail({ id: leaf.id });
      expect(row).toMatchObject({ status: 'on-hold', version: 2 });
    });

    it('serves the CRL (DER, application/pkix-crl) that openssl verifies and that lists a revoked serial with its reason', async () => {
      const leaf = await issue({ subjectType: 'personnel' });
      await revocation.revoke(leaf.id, 'affiliationChanged', { actor });
      const published = await crls.publish(leaf.issuer.id);
      expect(published.crlNumber).toBeGreaterThan(1);

      const res = await served('/pki/crl/hca-issuing-1.crl');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/pkix-crl/);
      const der = res.body as Buffer;
      const crlFile = file('issuing.crl', der);
      const bundle = file('bundle.pem', pem((await ca('hca-issuing-1')).der, 'CERTIFICATE') + pem((await ca('hca-root')).der, 'CERTIFICATE'));
      const checked = openssl(['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', bundle, '-noout']);
      expect(checked.stderr.trim()).toBe('verify OK');
      const text = openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']).stdout;
      expect(text).toMatch(new RegExp(`Serial Number: ${leaf.serialHex}\\s+Revocation Date: .*\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Affiliation Changed`));
      expect(text).toMatch(new RegExp(`X509v3 CRL Number:\\s+${published.crlNumber}\\s`));
      const crl = new x509.X509Crl(new Uint8Array(der));
      expect(crl.nextUpdate!.getTime() - crl.thisUpdate.getTime()).toBe(web.config.crlValidityHours * HOUR);

      // A second CRL gets the next number.
      expect((await crls.publish(leaf.issuer.id)).crlNumber).toBe(published.crlNumber + 1);
    });

    it('serves the CA certificates (application/pkix-cert) and 404 for unknown names', async () => {
      const res = await served('/pki/ca/moica-root.crt');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/pkix-cert/);
      expect((res.body as Buffer).equals(Buffer.from((await ca('moica-root')).der))).toBe(true);
      expect((await web.agent().get('/pki/ca/no-such-ca.crt')).status).toBe(404);
      expect((await web.agent().get('/pki/crl/no-such-ca.crl')).status).toBe(404);
    });

    it('fails closed on a stale CRL: revocation-unknown', async () => {
      const leaf = await issue({ subjectType: 'company' });
      const afterNextUpdate = new Date(Date.now() + (web.config.crlValidityHours + 1) * HOUR);
      expect((await trustStore.validate(leaf.der, { purpose: 'client-auth' })).code).toBe('ok');
      expect(await trustStore.validate(leaf.der, { purpose: 'client-auth', at: afterNextUpdate })).toMatchObject({ valid: false, code: 'revocation-unknown' });
    });
  });

  describe('the trust store', () => {
    it('stops trusting a disabled issuing CA, and trusts it again once re-enabled', async () => {
      const leaf = await issue({ subjectType: 'organization' });
      expect((await trustStore.validate(leaf.der, { purpose: 'client-auth' })).code).toBe('ok');
      const issuing = await ca('xca-issuing-1');
      await trustStore.disable(issuing.fingerprint, actor);
      try {
        expect((await trustStore.validate(leaf.der, { purpose: 'client-auth' })).code).toBe('untrusted');
        const audit = await web.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'pki.trust.disable', targetId: String(issuing.id) });
        expect(audit.summary).toMatchObject({ slug: 'xca-issuing-1' });
      } finally {
        await cas().update({ id: issuing.id }, { enabled: true, updatedAt: new Date() });
        trustStore.invalidate();
      }
      expect((await trustStore.validate(leaf.der, { purpose: 'client-auth' })).code).toBe('ok');
    });

    it("fetches another CA's CRL from its crl_url, keeps it when newer and signed by that CA, and refuses a forged one", async () => {
      const external: Issued = await createRoot({ subject: `CN=External Root ${uniqueLabel('')}, O=Elsewhere, C=TW`, notBefore: new Date(Date.now() - 24 * HOUR), notAfter: new Date(Date.now() + 3650 * 24 * HOUR) });
      const impostor: Issued = await createRoot({ subject: external.cert.subject, notBefore: new Date(Date.now() - 24 * HOUR), notAfter: new Date(Date.now() + 3650 * 24 * HOUR) });
      let body: Buffer = Buffer.alloc(0);
      const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/external.crl`;
      const crlAt = async (issuedBy: Issued, thisUpdate: Date) =>
        Buffer.from((await createCrl(external, { thisUpdate, nextUpdate: new Date(thisUpdate.getTime() + 24 * HOUR), signingKeys: issuedBy.keys })).rawData);
      try {
        const row = await trustStore.add({ certificate: external.pem, family: 'gca', crlUrl: url }, actor);
        expect(row).toMatchObject({ role: 'root', source: 'imported', enabled: true, crlUrl: url });
        body = await crlAt(external, new Date(Date.now() - HOUR));
        expect((await crls.refresh({ issuerId: row.id })).fetched).toEqual([expect.objectContaining({ outcome: 'stored' })]);
        expect((await crls.refresh({ issuerId: row.id })).fetched).toEqual([expect.objectContaining({ outcome: 'unchanged' })]);
        body = await crlAt(impostor, new Date());
        expect((await crls.refresh({ issuerId: row.id })).fetched).toEqual([expect.objectContaining({ outcome: 'failed', detail: 'the signature does not verify with the issuer key' })]);
        const stored = await web.dataSource.getRepository(CrlRecord).findBy({ issuerId: row.id });
        expect(stored.map((crl) => crl.fetchedFrom)).toEqual([url]);
        await trustStore.disable(String(row.id), actor);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('the worker', () => {
    let worker: INestApplicationContext;
    let queue: Queue;
    let events: QueueEvents;

    beforeAll(async () => {
      const config = loadConfig(process.env);
      await setAsideOtherFilesJobs(web.dataSource, config.redisUrl);
      worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, DEV_SMTP_LISTENER: 'false' })), { logger: false });
      await worker.init();
      const connection = { ...redisOptions(config), maxRetriesPerRequest: null };
      queue = new Queue(PKI_QUEUE, { connection });
      events = new QueueEvents(PKI_QUEUE, { connection });
      await events.waitUntilReady();
    });

    afterAll(async () => {
      await events?.close();
      await queue?.close();
      await worker?.close();
    });

    it('schedules crl-refresh every CRL_REFRESH_MINUTES', async () => {
      const deadline = Date.now() + 10_000;
      let schedulers = await queue.getJobSchedulers();
      while (!schedulers.some((s) => s.key === CRL_REFRESH_SCHEDULER) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        schedulers = await queue.getJobSchedulers();
      }
      const scheduler = schedulers.find((s) => s.key === CRL_REFRESH_SCHEDULER);
      expect([scheduler?.name, Number(scheduler?.every)]).toEqual(['crl-refresh', web.config.crlRefreshMinutes * 60_000]);
    });

    it('re-signs the CRL after a revocation, from the outbox through the pki queue', async () => {
      const leaf = await issue({ subjectType: 'agency' });
      const before = (await latestCrl('gca-issuing-1')).crlNumber;
      await revocation.revoke(leaf.id, 'cessationOfOperation', { actor });
      // The job this revocation queued (the newest with its payload), then a CRL that lists the serial:
      // the schedule or other files' jobs may publish CRLs of this CA meanwhile.
      const [job] = await web.dataSource.getRepository(OutboxMessage).find({ where: { queue: PKI_QUEUE, payload: JSON.stringify({ issuerId: leaf.issuer.id }) }, order: { id: 'DESC' }, take: 1 });
      const listed = (crl: { der: Buffer }) => new x509.X509Crl(new Uint8Array(crl.der)).findRevoked(leaf.serialHex);
      const deadline = Date.now() + 20_000;
      let latest = await latestCrl('gca-issuing-1');
      while (!listed(latest) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        latest = await latestCrl('gca-issuing-1');
      }
      expect(latest.crlNumber).toBeGreaterThan(before);
      expect(listed(latest)?.reason).toBe(x509.X509CrlReason.cessationOfOperation);
      const dispatched = await web.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id: job.id });
      expect(dispatched.dispatchedAt).not.toBeNull();
    });

    it('runs a crl-refresh job added to the queue and returns what it published', async () => {
      const issuing = await ca('moica-issuing-1');
      const job = await queue.add('crl-refresh', { issuerId: issuing.id });
      const result = await job.waitUntilFinished(events, 20_000);
      expect(result.published).toEqual([expect.objectContaining({ slug: 'moica-issuing-1' })]);
      expect((await latestCrl('moica-issuing-1')).crlNumber).toBe(result.published[0].crlNumber);
    });
  });
});
