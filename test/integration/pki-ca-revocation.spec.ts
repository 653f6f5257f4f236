// `pki ca revoke` and `pki ocsp-responder rotate` through the real CLI (another process) against
// a hierarchy this file makes for itself (a root and an issuing CA, keys on SoftHSM2), with the
// web app running: the parent's CRL (read by OpenSSL) and OCSP answer (asked by `openssl ocsp`)
// say the CA is revoked, the sign-in's validator refuses what it issued with 'revoked', and a
// rotated responder signs every answer from then on.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../support/app';
import { query, runCli } from '../support/cli';
import { useSoftHsmTestStore } from '../support/softhsm';
import { bytes, openssl, pem } from '../support/pki/openssl';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { CertificateIssuer, type IssuedResult } from '../../src/modules/certificates/certificate-issuer.service';
import { ownDevHierarchy } from '../support/pki/dev-hierarchy';
import { CaCertificate, IssuedCertificate } from '../../src/modules/certificates/certificates.entity';
import { OCSP_RESPONDER_KIND } from '../../src/modules/certificates/ocsp/ocsp-responder.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';

useSoftHsmTestStore();
// Each CLI command is a process of its own that boots the application context: seconds on a busy machine.
jest.setTimeout(180_000);

const actor = { kind: 'test', id: 'pki-ca-revocation.spec' };



/** Runs a CLI command with --json: its exit status and JSON. */
function cli(...args: string[]): { status: number | null; json: Record<string, any> } {
  const result = runCli([...args, '--json']);
  try {
    return { status: result.status, json: JSON.parse(result.stdout) };
  } catch {
    throw new Error(`${args.join(' ')} printed no JSON (exit ${result.status}): ${result.stdout}${result.stderr}`);
  }
}

describe('pki ca revoke and pki ocsp-responder rotate', () => {
  let web: TestApp;
  let url: string;
  let tmp: string;
  let root: CaCertificate;
  let issuing: CaCertificate;
  let leaf: IssuedResult;
  let dispose: () => Promise<void>;
  const tag = randomBytes(3).toString('hex');
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(tmp, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pki-ca-revocation-'));
    web = await createTestApp();
    await web.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(web.app.getHttpServer().address() as AddressInfo).port}/pki/ocsp`;
    ({ root, issuing, leaf, dispose } = await ownDevHierarchy(web.app, 'Revocation Test', actor));
  });

  afterAll(async () => {
    await dispose?.();
    await web?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const validate = async () => {
    const trustStore = web.app.get(TrustStoreService);
    trustStore.invalidate(); // another process changed the CRLs; this one would notice within seconds
    return trustStore.validate(leaf.pem, { purpose: 'client-auth' });
  };

  it('refuses bad input and a root, and --dry-run changes nothing', async () => {
    expect(leaf.issuer.id).toBe(issuing.id);
    const noReason = cli('pki', 'ca', 'revoke', issuing.slug);
    expect(noReason.status).toBe(2);
    expect(noReason.json.errors).toEqual([expect.stringMatching(/^reason: one of .*cACompromise/)]);
    const unknown = cli('pki', 'ca', 'revoke', `no-such-ca-${tag}`, '--reason', 'cACompromise');
    expect(unknown.json.errors).toEqual([`ca: no CA certificate "no-such-ca-${tag}" (give its id, slug or SHA-256 fingerprint)`]);
    const ofRoot = cli('pki', 'ca', 'revoke', root.slug, '--reason', 'cACompromise');
    expect([ofRoot.status, ofRoot.json.errors[0]]).toEqual([2, expect.stringMatching(/^ca-not-revocable/)]);

    const dry = cli('pki', 'ca', 'revoke', issuing.slug, '--reason', 'cACompromise', '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.json).toMatchObject({ dryRun: true, wouldRevoke: { slug: issuing.slug, reason: 'cACompromise', parent: root.slug } });
    expect(await web.dataSource.getRepository(IssuedCertificate).findBy({ issuerId: root.id, subjectKind: 'ca' })).toEqual([]);
    expect((await validate()).code).toBe('ok');
  });

  it("revokes an issuing CA: the parent's CRL and OCSP say so, sign-ins under it fail with 'revoked', audited, and it issues nothing more", async () => {
    const rootFile = file('root.pem', pem(root.der));
    const issuingFile = file('issuing.pem', pem(issuing.der));
    // Before: the parent's responder answers good (and caches it: the revocation must replace it).
    const before = await openssl(['ocsp', '-issuer', rootFile, '-cert', issuingFile, '-url', url, '-CAfile', rootFile, '-no_nonce']);
    expect(before.out).toContain(`${issuingFile}: good`);

    const revoked = cli('pki', 'ca', 'revoke', issuing.slug, '--reason', 'cACompromise');
    expect(revoked.status).toBe(0);
    expect(revoked.json.revoked).toMatchObject({ slug: issuing.slug, reason: 'cACompromise', parent: root.slug });
    expect(revoked.json.crl).toMatchObject({ slug: root.slug, entries: 1 });

    // OCSP, from the web process, at once (the cached 'good' is not served).
    const answer = await openssl(['ocsp', '-issuer', rootFile, '-cert', issuingFile, '-url', url, '-CAfile', rootFile, '-no_nonce']);
    expect(answer.out).toContain('Response verify OK');
    expect(answer.out).toContain(`${issuingFile}: revoked`);
    expect(answer.out).toContain('Reason: cACompromise');

    // The parent's CRL, as OpenSSL reads it, and the chain as `openssl verify -crl_check_all` sees it.
    const [crl] = await query<{ der: Buffer }>('SELECT der FROM crl WHERE issuer_id = ? ORDER BY id DESC LIMIT 1', [root.id]);
    const [issuingCrl] = await query<{ der: Buffer }>('SELECT der FROM crl WHERE issuer_id = ? ORDER BY id DESC LIMIT 1', [issuing.id]);
    const crlText = (await openssl(['crl', '-inform', 'DER', '-in', file('root.crl', crl.der), '-noout', '-text'])).out;
    expect(crlText.replace(/\s/g, '')).toContain(`SerialNumber:${issuing.serialHex.replace(/^0+/, '')}`);
    expect(crlText).toContain('CA Compromise');
    const crls = file('all.crl', pem(crl.der, 'X509 CRL') + pem(issuingCrl.der, 'X509 CRL'));
    const verified = await openssl(['verify', '-crl_check_all', '-CAfile', rootFile, '-untrusted', issuingFile, '-CRLfile', crls, file('leaf.pem', leaf.pem)]);
    expect(verified.status).not.toBe(0);
    expect(verified.out).toContain('certificate revoked');

    // The sign-in's validator.
    const result = await validate();
    expect(result.code).toBe('revoked');

    const audits = await web.dataSource.getRepository(AuditEvent).findBy({ action: 'pki.ca.revoke', targetId: String(issuing.id) });
    expect(audits).toHaveLength(1);
    expect(audits[0].actorKind).toBe('cli');
    const recorded = await web.dataSource.getRepository(IssuedCertificate).findOneByOrFail({ issuerId: root.id, subjectKind: 'ca' });
    expect(await web.dataSource.getRepository(AuditEvent).countBy({ action: 'pki.certificate.revoke', targetId: String(recorded.id) })).toBe(1);

    expect((await web.app.get(CertificateIssuer).issuingCa('hca')).id).not.toBe(issuing.id);
    const again = cli('pki', 'ca', 'revoke', issuing.slug, '--reason', 'keyCompromise');
    expect([again.status, again.json.errors[0]]).toEqual([2, expect.stringMatching(/^ca-already-revoked/)]);
  });

  it('rotates the responder certificate: dry run, then a new one signs every answer at once, audited', async () => {
    const rootFile = file('root.pem', pem(root.der));
    const issuingFile = file('issuing.pem', pem(issuing.der));
    const requestFile = join(tmp, 'rotate.req');
    await openssl(['ocsp', '-issuer', rootFile, '-cert', issuingFile, '-no_nonce', '-reqout', requestFile]);
    const get = async () => {
      const der = (await openssl(['base64', '-A', '-in', requestFile])).out.trim();
      const res = await web.agent().get(`/pki/ocsp/${encodeURIComponent(der)}`).buffer(true).parse(bytes);
      return res.body as Buffer;
    };
    const responders = () => web.dataSource.getRepository(IssuedCertificate).find({ where: { issuerId: root.id, subjectKind: OCSP_RESPONDER_KIND }, order: { id: 'ASC' } });
    const cached = await get(); // cached under the current responder
    const [old] = await responders();
    expect(cached.includes(old.der)).toBe(true);

    const dry = cli('pki', 'ocsp-responder', 'rotate', '--ca', root.slug, '--dry-run');
    expect(dry.json).toEqual({ dryRun: true, wouldRotate: [{ ca: root.slug, current: old.serialHex }] });
    expect(await responders()).toHaveLength(1);

    const rotated = cli('pki', 'ocsp-responder', 'rotate', '--ca', root.slug);
    expect(rotated.status).toBe(0);
    const after = await responders();
    expect(after).toHaveLength(2);
    expect(rotated.json.rotated).toEqual([{ ca: root.slug, previous: old.serialHex, current: after[1].serialHex, notAfter: after[1].notAfter.toISOString() }]);
    const audit = await web.dataSource.getRepository(AuditEvent).findBy({ action: 'pki.ocsp-responder.rotate', targetId: String(after[1].id) });
    expect(audit).toHaveLength(1);
    expect(audit[0].actorKind).toBe('cli');

    // The web process signs with the new responder at once, and no longer serves what the old one signed.
    const answer = await get();
    expect(answer.includes(after[1].der)).toBe(true);
    expect(answer.includes(old.der)).toBe(false);
    const checked = await openssl(['ocsp', '-respin', file('rotated.resp', answer), '-reqin', requestFile, '-CAfile', rootFile, '-resp_text']);
    expect(checked.out).toContain('Response verify OK');
    expect(checked.out).toContain('Cert Status: revoked');
  });
});
