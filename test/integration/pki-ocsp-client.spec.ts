// Sign-in's revocation check with OCSP, against our own responder (the running app), through the
// same TrustStoreService.validate the login uses, for a hierarchy this file makes for itself:
// the anchor's policy (crl-only, ocsp-first, both) and OCSP address override set with
// `pki trust revocation` (audited), a hold seen by OCSP before any CRL says so, and the CRL as
// the fallback when the responder cannot be reached.
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { createTestApp, type TestApp } from '../support/app';
import { runCli } from '../support/cli';
import { useSoftHsmTestStore } from '../support/softhsm';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { CaCertificate } from '../../src/modules/certificates/certificates.entity';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { RevocationService } from '../../src/modules/certificates/revocation.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import type { IssuedResult } from '../../src/modules/certificates/certificate-issuer.service';
import { ownDevHierarchy } from '../support/pki/dev-hierarchy';

useSoftHsmTestStore();
// Each CLI command is a process of its own that boots the application context: seconds on a busy machine.
jest.setTimeout(180_000);

const actor = { kind: 'test', id: 'pki-ocsp-client.spec' };

/** A loopback address where nothing listens. */
function deadUrl(): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(`http://127.0.0.1:${port}/pki/ocsp`));
    });
  });
}

describe('sign-in revocation with OCSP (our own responder)', () => {
  let web: TestApp;
  let url: string;
  let root: CaCertificate;
  let issuing: CaCertificate;
  let leaf: IssuedResult;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    web = await createTestApp();
    await web.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(web.app.getHttpServer().address() as AddressInfo).port}/pki/ocsp`;
    ({ root, issuing, leaf, dispose } = await ownDevHierarchy(web.app, 'OCSP Sign-in Test', actor));
  });

  afterAll(async () => {
    await dispose?.();
    await web?.close();
  });

  const validate = () => web.app.get(TrustStoreService).validate(leaf.pem, { purpose: 'client-auth' });
  const setPolicy = (policy: 'ocsp-first' | 'crl-only' | 'both', ocspUrl: string | null) => web.app.get(TrustStoreService).setRevocation(String(root.id), { policy, ocspUrl }, actor);

  it('is set per anchor with pki trust revocation (dry run, then audited)', () => {
    expect(leaf.issuer.id).toBe(issuing.id);
    expect(root.revocationPolicy).toBe('crl-only'); // our own CAs: their CRLs are in our database
    const dry = runCli(['pki', 'trust', 'revocation', root.slug, '--policy', 'ocsp-first', '--ocsp-url', url, '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout)).toEqual({ dryRun: true, wouldSet: { slug: root.slug, revocationPolicy: 'ocsp-first', ocspUrl: url } });
    const bad = runCli(['pki', 'trust', 'revocation', root.slug, '--policy', 'sometimes', '--json']);
    expect([bad.status, JSON.parse(bad.stdout).errors]).toEqual([2, ['policy: one of ocsp-first, crl-only, both (--policy)']]);
    const set = runCli(['pki', 'trust', 'revocation', root.slug, '--policy', 'ocsp-first', '--ocsp-url', url, '--json']);
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout).updated).toMatchObject({ slug: root.slug, revocationPolicy: 'ocsp-first', ocspUrl: url });
  });

  it('asks OCSP first: a hold is refused at once, before any CRL lists it; crl-only does not see it yet', async () => {
    const audited = await web.dataSource.getRepository(AuditEvent).findBy({ action: 'pki.trust.revocation', targetId: String(root.id) });
    expect(audited.map((event) => event.actorKind)).toEqual(['cli']);
    web.app.get(TrustStoreService).invalidate(); // the CLI (another process) changed the anchor
    expect((await validate()).code).toBe('ok');

    await web.app.get(RevocationService).hold(leaf.id, { actor });
    await setPolicy('ocsp-first', url); // a fresh validator: no answer of before the hold is kept
    const held = await validate();
    expect(held.code).toBe('on-hold');

    await setPolicy('crl-only', null);
    expect((await validate()).code).toBe('ok'); // the CRL is re-signed by the worker, later
  });

  it('falls back to the CRL when the responder cannot be reached, and with both a revocation in either wins', async () => {
    await setPolicy('ocsp-first', await deadUrl());
    expect((await validate()).code).toBe('ok'); // the CRL, not yet re-signed, still says good
    await web.app.get(CrlService).refresh({ issuerId: issuing.id });
    await setPolicy('ocsp-first', await deadUrl());
    expect((await validate()).code).toBe('on-hold');

    await web.app.get(RevocationService).release(leaf.id, { actor });
    await setPolicy('both', url); // OCSP says good now; the CRL still lists the hold
    expect((await validate()).code).toBe('on-hold');
    await web.app.get(CrlService).refresh({ issuerId: issuing.id });
    await setPolicy('both', url);
    expect((await validate()).code).toBe('ok');
  });
});
