// The OCSP responder (RFC 6960) of our CAs against real SoftHSM2, MariaDB and Redis, asked by the
// OpenSSL command line over HTTP: answers follow issued_certificate at once (no CRL in between),
// are signed by a delegated responder certificate whose key is on the HSM, and echo the nonce.
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import { AsnConvert } from '@peculiar/asn1-schema';
import { OCSPResponse, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { useSoftHsmTestStore } from '../support/softhsm';
import { bytes, openssl, pem } from '../support/pki/openssl';
import { createCa, createLeaf, createRoot, personnelLeaf } from '../support/pki/builder';
import { createTestApp, type TestApp } from '../support/app';
import { REDIS } from '../../src/core/core.module';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { CertificateIssuer, type IssuedResult } from '../../src/modules/certificates/certificate-issuer.service';
import { CaCertificate, IssuedCertificate } from '../../src/modules/certificates/certificates.entity';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { OCSP_RESPONDER_KIND } from '../../src/modules/certificates/ocsp/ocsp-responder.service';
import { OcspAnswerCache, ocspCacheCa } from '../../src/modules/certificates/ocsp/ocsp-answer-cache';
import { RevocationService } from '../../src/modules/certificates/revocation.service';

useSoftHsmTestStore();

const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const actor = { kind: 'test', id: 'pki-ocsp.spec' };




describe('pki: the OCSP responder', () => {
  let web: TestApp;
  let url: string;
  let tmp: string;
  let issuingFile: string;
  let chainFile: string;
  let issuingCa: CaCertificate;
  let leaf: IssuedResult;
  let leafFile: string;

  const file = (name: string, content: string | Uint8Array) => {
    const path = join(tmp, name);
    writeFileSync(path, content);
    return path;
  };

  async function issueLeaf(name: string): Promise<{ issued: IssuedResult; path: string }> {
    const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const spki = new Uint8Array(await subtle.exportKey('spki', keys.publicKey));
    const issued = await web.app
      .get(CertificateIssuer)
      .issue({ family: 'hca', subjectType: 'personnel', subject: { name: '王小明', nationalId: 'A123456789', organization: '臺北示範醫學中心' }, spki }, actor);
    return { issued, path: file(`${name}.pem`, issued.pem) };
  }

  /** `openssl ocsp` against the running app for one certificate of the HCA issuing CA. */
  const ask = (certPath: string, extra: string[] = []) => openssl(['ocsp', '-issuer', issuingFile, '-cert', certPath, '-url', url, '-CAfile', chainFile, ...extra]);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pki-ocsp-'));
    web = await createTestApp();
    await web.app.get(DevPkiService).init({ actor });
    await web.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(web.app.getHttpServer().address() as AddressInfo).port}/pki/ocsp`;
    const cas = web.dataSource.getRepository(CaCertificate);
    issuingCa = await cas.findOneByOrFail({ slug: 'hca-issuing-1' });
    const root = await cas.findOneByOrFail({ slug: 'hca-root' });
    issuingFile = file('issuing.pem', pem(issuingCa.der));
    chainFile = file('chain.pem', pem(issuingCa.der) + pem(root.der));
    ({ issued: leaf, path: leafFile } = await issueLeaf('leaf'));
  });

  afterAll(async () => {
    await web?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('answers good, signed by a delegated responder OpenSSL accepts, with the nonce echoed', async () => {
    const answer = await ask(leafFile);
    expect(answer.out).toContain('Response verify OK');
    expect(answer.out).toContain(`${leafFile}: good`);
    expect(answer.out).not.toMatch(/nonce/i); // openssl sends a nonce and complains when it is not echoed
    expect(answer.status).toBe(0);
  });

  it('follows holds, releases and revocations at once, without waiting for a CRL', async () => {
    const revocation = web.app.get(RevocationService);
    await revocation.hold(leaf.id, { actor });
    let answer = await ask(leafFile);
    expect(answer.out).toContain(`${leafFile}: revoked`);
    expect(answer.out).toContain('Reason: certificateHold');
    expect(answer.out).toContain('Response verify OK');

    await revocation.release(leaf.id, { actor });
    expect((await ask(leafFile)).out).toContain(`${leafFile}: good`);

    const { issued: other, path } = await issueLeaf('compromised');
    await revocation.revoke(other.id, 'keyCompromise', { actor });
    answer = await ask(path);
    expect(answer.out).toContain(`${path}: revoked`);
    expect(answer.out).toContain('Reason: keyCompromise');
    expect(answer.out).toMatch(/Revocation Time: \w{3} +\d+ \d\d:\d\d:\d\d \d{4} GMT/);
  });

  it('answers unknown for a serial this CA never issued, and several CertIDs in one request', async () => {
    const answer = await openssl(['ocsp', '-issuer', issuingFile, '-serial', '0x1234567890ABCDEF', '-cert', leafFile, '-url', url, '-CAfile', chainFile]);
    expect(answer.out).toContain('0x1234567890ABCDEF: unknown');
    expect(answer.out).toContain(`${leafFile}: good`);
    expect(answer.out).toContain('Response verify OK');
  });

  it('issues one responder certificate per CA (OCSPSigning, nocheck, key on the HSM), audited, and reuses it', async () => {
    const responders = await web.dataSource.getRepository(IssuedCertificate).findBy({ issuerId: issuingCa.id, subjectKind: OCSP_RESPONDER_KIND });
    expect(responders).toHaveLength(1);
    const [responder] = responders;
    expect(responder.holderRef).toMatch(/^ocsp-key:ocsp-hca-issuing-1-[0-9a-f]{8}$/);
    const text = (await openssl(['x509', '-noout', '-text', '-in', file('responder.pem', pem(responder.der))])).out;
    expect(text).toContain('Subject: CN = HCA Issuing CA 1 (DEV) OCSP Responder');
    expect(text).toMatch(/Extended Key Usage:\s+OCSP Signing/);
    expect(text).toContain('OCSP No Check');
    expect(responder.notAfter.getTime() - responder.notBefore.getTime()).toBeLessThanOrEqual(web.config.ocsp.responderDays * 24 * 3600_000);
    const audited = await web.dataSource.getRepository(AuditEvent).findBy({ action: 'pki.ocsp-responder.issue', targetId: String(responder.id) });
    expect(audited).toHaveLength(1);
    expect(audited[0].actorKind).toBe('system');
  });

  it('writes its address into the certificates we issue (authorityInfoAccess)', async () => {
    const text = (await openssl(['x509', '-noout', '-text', '-in', leafFile])).out;
    expect(text).toContain(`OCSP - URI:${web.config.publicOrigin}/pki/ocsp`);
  });

  /** A GET of /pki/ocsp/{base64 of the request} on one of the apps; the body as bytes. */
  const getOcsp = (app: TestApp, request: Buffer, headers: Record<string, string> = {}) =>
    app
      .agent()
      .get(`/pki/ocsp/${encodeURIComponent(request.toString('base64'))}`)
      .set(headers)
      .buffer(true)
      .parse(bytes);

  /** A request without a nonce (RFC 5019, what HTTP caches send) for one certificate. */
  async function nonceLessRequest(name: string, certPath: string): Promise<{ path: string; der: Buffer }> {
    const path = join(tmp, `${name}.req`);
    await openssl(['ocsp', '-issuer', issuingFile, '-cert', certPath, '-no_nonce', '-reqout', path]);
    return { path, der: readFileSync(path) };
  }

  /** What OpenSSL reads in an answer to `requestPath`, checked against the chain. */
  const readAnswer = async (name: string, body: Buffer, requestPath: string) =>
    (await openssl(['ocsp', '-respin', file(`${name}.resp`, body), '-reqin', requestPath, '-CAfile', chainFile, '-resp_text'])).out;

  it('answers GET with a nonce signed afresh and not cacheable', async () => {
    const requestFile = join(tmp, 'get.req');
    await openssl(['ocsp', '-issuer', issuingFile, '-cert', leafFile, '-reqout', requestFile]);
    const request = readFileSync(requestFile);
    const res = await getOcsp(web, request);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/ocsp-response');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['last-modified']).toBeUndefined();
    // Checked against the request it answers (nonce included): -issuer/-cert would make a new one.
    const answer = await readAnswer('get', res.body as Buffer, requestFile);
    expect(answer).toContain('Response verify OK');
    expect(answer).toContain(`Serial Number: ${leaf.serialHex}`);
    expect(answer).toContain('Cert Status: good');
    expect(answer).not.toMatch(/Nonce Verify error|no nonce/i);
    // A second one is signed again: another producedAt or, within the same second, another ECDSA signature.
    const again = await getOcsp(web, request);
    expect((again.body as Buffer).equals(res.body as Buffer)).toBe(false);
  });

  it('answers GET without a nonce from the pre-signed answer, with Cache-Control max-age, ETag, Last-Modified and 304', async () => {
    const { issued, path } = await issueLeaf('cached');
    const request = await nonceLessRequest('cached', path);
    const first = await getOcsp(web, request.der);
    expect(first.status).toBe(200);
    const answer = await readAnswer('cached', first.body as Buffer, request.path);
    expect(answer).toContain('Response verify OK');
    expect(answer).toContain(`Serial Number: ${issued.serialHex}`);
    expect(answer).toContain('Cert Status: good');
    const nextUpdate = new Date(/Next Update: (.+)/.exec(answer)![1]);
    const producedAt = new Date(/Produced At: (.+)/.exec(answer)![1]);

    const maxAge = Number(/^public, max-age=(\d+), no-transform, must-revalidate$/.exec(first.headers['cache-control'])![1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual((nextUpdate.getTime() - producedAt.getTime()) / 1000);
    expect(first.headers['last-modified']).toBe(producedAt.toUTCString());
    expect(first.headers.expires).toBe(nextUpdate.toUTCString());
    expect(first.headers.etag).toMatch(/^"[\w-]{27}"$/);

    // The same bytes again (not signed afresh), from the front ahead of the page pipeline (no
    // request id), with the same headers, and 304 for a cache that holds them.
    expect(first.headers['x-request-id']).toBeDefined();
    const second = await getOcsp(web, request.der);
    expect((second.body as Buffer).equals(first.body as Buffer)).toBe(true);
    expect(second.headers['x-request-id']).toBeUndefined();
    expect(second.headers['content-type']).toBe('application/ocsp-response');
    expect(second.headers['last-modified']).toBe(first.headers['last-modified']);
    expect(second.headers.expires).toBe(first.headers.expires);
    expect(second.headers['cache-control']).toMatch(/^public, max-age=\d+, no-transform, must-revalidate$/);
    expect(second.headers.etag).toBe(first.headers.etag);
    const notModified = await getOcsp(web, request.der, { 'If-None-Match': first.headers.etag });
    expect(notModified.status).toBe(304);
    // A POST without a nonce gets the same pre-signed answer, not for HTTP caches.
    const posted = await web.agent().post('/pki/ocsp').set('Content-Type', 'application/ocsp-request').send(request.der).buffer(true).parse(bytes);
    expect((posted.body as Buffer).equals(first.body as Buffer)).toBe(true);
    expect(posted.headers['cache-control']).toBe('no-store');
  });

  it('re-signs a pre-signed answer past its refresh time in the background, serving the cached one meanwhile', async () => {
    const { issued, path } = await issueLeaf('refreshed');
    const request = await nonceLessRequest('refreshed', path);
    const first = (await getOcsp(web, request.der)).body as Buffer;
    const cache = web.app.get(OcspAnswerCache);
    const key = { ca: ocspCacheCa(issuingCa), serialHex: issued.serialHex, hash: 'SHA-1' };
    const cached = await cache.lookup(key);
    expect(cached.answer?.der.equals(first)).toBe(true);
    // As if half its validity had passed: still valid, due for re-signing. Another web process
    // (no copy of its own of the answer as it was) reads it from Redis.
    expect(await cache.store(key, { ...cached.answer!, refreshAt: new Date(Date.now() - 1000) }, cached.stamp)).toBe(true);
    const other = await createTestApp();
    try {
      expect(((await getOcsp(other, request.der)).body as Buffer).equals(first)).toBe(true); // served while re-signed
      const deadline = Date.now() + 30_000;
      let replaced = (await cache.lookup(key)).answer;
      while (replaced?.der.equals(first) && Date.now() < deadline) {
        await new Promise((resolve) => setImmediate(resolve));
        replaced = (await cache.lookup(key)).answer;
      }
      expect(replaced && !replaced.der.equals(first)).toBe(true);
      expect(replaced!.refreshAt.getTime()).toBeGreaterThan(Date.now());
      const next = (await getOcsp(other, request.der)).body as Buffer;
      expect(next.equals(replaced!.der)).toBe(true);
      const text = await readAnswer('refreshed', next, request.path);
      expect(text).toContain('Response verify OK');
      expect(text).toContain('Cert Status: good');
    } finally {
      await other.close();
    }
  });

  it("keeps a web process's own copy of a pre-signed answer (no Redis read on a hit) until any process changes the certificate", async () => {
    const other = await createTestApp();
    try {
      const { issued, path } = await issueLeaf('copied');
      const request = await nonceLessRequest('copied', path);
      const redis = web.app.get<Redis>(REDIS);
      const answerKeys = async () => redis.keys(`ocsp:a:${ocspCacheCa(issuingCa)}:${issued.serialHex}:*`);
      const first = (await getOcsp(web, request.der)).body as Buffer;
      expect(((await getOcsp(web, request.der)).body as Buffer).equals(first)).toBe(true); // now a copy in web
      // Gone from Redis: web still answers with its copy (signatures are randomised: a new answer has other bytes).
      await redis.del(...(await answerKeys()));
      expect(((await getOcsp(web, request.der)).body as Buffer).equals(first)).toBe(true);
      // Another process holds the certificate: web drops its copy and answers the new state.
      await other.app.get(RevocationService).hold(issued.id, { actor });
      const text = await readAnswer('copied', (await getOcsp(web, request.der)).body as Buffer, request.path);
      expect(text).toContain('Cert Status: revoked');
    } finally {
      await other.close();
    }
  });

  it('changes the cached answer at once in every web process on hold, release and revocation, and not for a change that rolled back', async () => {
    const other = await createTestApp(); // a second web process: its own memory, the same Redis and database
    try {
      const { issued, path } = await issueLeaf('shared');
      const request = await nonceLessRequest('shared', path);
      const status = async (app: TestApp, name: string) => {
        const text = await readAnswer(name, (await getOcsp(app, request.der)).body as Buffer, request.path);
        expect(text).toContain('Response verify OK');
        return /Cert Status: (\w+)/.exec(text)![1] + (/Reason: (\w+)/.exec(text)?.[1] ? ` ${/Reason: (\w+)/.exec(text)![1]}` : '');
      };
      expect(await status(web, 'shared-1')).toBe('good');
      expect(await status(other, 'shared-2')).toBe('good'); // both processes serve the cached answer now

      const revocation = web.app.get(RevocationService);
      await revocation.hold(issued.id, { actor });
      expect(await status(other, 'shared-3')).toBe('revoked certificateHold');
      expect(await status(web, 'shared-4')).toBe('revoked certificateHold');

      await revocation.release(issued.id, { actor });
      expect(await status(other, 'shared-5')).toBe('good');

      // A change inside a transaction that rolls back leaves the answer as it was.
      await expect(
        web.dataSource.transaction(async (manager) => {
          await revocation.revoke(issued.id, 'keyCompromise', { actor, manager });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await status(other, 'shared-6')).toBe('good');
      expect(await status(web, 'shared-7')).toBe('good');

      // Inside the caller's transaction (as the card flows do): the answer changes when it commits.
      // An answer made meanwhile, from the state before the commit, is not served after it.
      await web.dataSource.transaction(async (manager) => {
        await revocation.revoke(issued.id, 'keyCompromise', { actor, manager });
        expect(await status(other, 'shared-before-commit')).toBe('good');
      });
      expect(await status(other, 'shared-8')).toBe('revoked keyCompromise');
      expect(await status(web, 'shared-9')).toBe('revoked keyCompromise');
    } finally {
      await other.close();
    }
  });

  it("refuses what is not its own: another CA's certificate is unauthorized, garbage is a malformed request", async () => {
    const root = await createRoot({ subject: 'CN=Other Root, C=TW' });
    const ca = await createCa(root, { subject: 'CN=Other CA, C=TW' });
    const other = await createLeaf(ca, personnelLeaf());
    const answer = await openssl(['ocsp', '-issuer', file('other-ca.pem', ca.cert.toString('pem')), '-cert', file('other-leaf.pem', other.cert.toString('pem')), '-url', url]);
    expect(answer.out).toContain('Responder Error: unauthorized');

    const statusOf = async (body: Buffer, type: string) => {
      const res = await web
        .agent()
        .post('/pki/ocsp')
        .set('Content-Type', type)
        .send(body)
        .buffer(true)
        .parse(bytes);
      expect(res.status).toBe(200);
      return AsnConvert.parse(res.body as Buffer, OCSPResponse).responseStatus;
    };
    const requestFile = join(tmp, 'post.req');
    await openssl(['ocsp', '-issuer', issuingFile, '-cert', leafFile, '-reqout', requestFile]);
    expect(await statusOf(Buffer.from('not DER at all'), 'application/ocsp-request')).toBe(OCSPResponseStatus.malformedRequest);
    expect(await statusOf(readFileSync(requestFile), 'application/octet-stream')).toBe(OCSPResponseStatus.malformedRequest);
    // No CSRF token, no cookie: a protocol endpoint.
    expect(await statusOf(readFileSync(requestFile), 'application/ocsp-request')).toBe(OCSPResponseStatus.successful);
  });
});
