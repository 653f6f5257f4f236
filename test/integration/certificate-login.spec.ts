import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { signedData, WEB_EID_FORMAT, type WebEidAuthToken } from '../../src/shared/web-eid';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { StaffService } from '../../src/modules/auth/staff.service';
import { CertificateIssuer, type IssueRequest } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { RevocationService } from '../../src/modules/certificates/revocation.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { x509 } from '../../src/modules/certificates/validation/x509-runtime';
import { REDIS } from '../../src/core/core.module';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { useSoftHsmTestStore } from '../support/softhsm';
import { createStaff } from '../support/staff';

useSoftHsmTestStore();

const person = DEMO_FIXTURES.physicianAtInitialReviewHospital;
const hospital = DEMO_FIXTURES.initialReviewHospital;

interface Card {
  key: KeyObject;
  der: Buffer;
  id: number;
}

describe('certificate sign-in (Web eID token through the certificate strategy)', () => {
  let t: TestApp;
  let origin: string;

  async function card(request: Partial<IssueRequest> & Pick<IssueRequest, 'family' | 'subjectType' | 'subject'>): Promise<Card> {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await t.app.get(CertificateIssuer).issue({ ...request, spki: publicKey.export({ type: 'spki', format: 'der' }) });
    return { key: privateKey, der: issued.der, id: issued.id };
  }

  const personnelCard = (extra: Partial<IssueRequest> = {}) =>
    card({ family: 'hca', subjectType: 'personnel', subject: { name: person.nameZh, nationalId: person.nationalId, organization: hospital.nameZh }, ...extra });

  /** What the reader helper does: sign hash(origin) || hash(challenge) with the card's key. */
  function tokenFor(c: Card, challenge: string, signedOrigin = origin): WebEidAuthToken {
    return {
      format: WEB_EID_FORMAT,
      unverifiedCertificate: c.der.toString('base64'),
      algorithm: 'ES256',
      signature: sign('sha256', signedData(signedOrigin, challenge, 'ES256'), { key: c.key, dsaEncoding: 'ieee-p1363' }).toString('base64'),
      appVersion: 'test-helper/1.0',
    };
  }

  /** A browser: opens the login page, gets a challenge. */
  async function browser(app: TestApp = t) {
    const agent = app.agent();
    const page = await agent.get('/login').expect(200);
    const challengeRes = await agent.post('/auth/challenge').set('X-CSRF-Token', csrfFrom(page.text)).set('Accept', 'application/json').expect(200);
    // the challenge begins the session: from then on the page's script sends the token it answers with
    return { agent, csrf: challengeRes.body.csrfToken as string, challenge: challengeRes.body.challenge as string };
  }

  async function submit(b: Awaited<ReturnType<typeof browser>>, token: unknown, cardType = 'personnel', challenge = b.challenge, headerOrigin = origin) {
    return b.agent
      .post('/auth/certificate')
      .set('X-CSRF-Token', b.csrf)
      .set('Origin', headerOrigin)
      .set('Accept', 'application/json')
      .send({ challenge, token, cardType, returnTo: '/' });
  }

  async function refusedWith(code: string, res: { status: number; body: { code?: string } }) {
    expect(res.body.code).toBe(code);
    expect(res.status).toBeGreaterThanOrEqual(400);
  }

  async function publishCrls() {
    const issuing = await t.app.get(CertificateIssuer).issuingCa('hca');
    await t.app.get(CrlService).publish(issuing.id);
    t.app.get(TrustStoreService).invalidate();
  }

  beforeAll(async () => {
    t = await createTestApp();
    origin = t.config.publicOrigin;
    await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    await publishCrls();
  });
  afterAll(() => t.close());

  it('signs a medical professional in with their personnel card, rotates the session and audits it', async () => {
    const c = await personnelCard();
    const b = await browser();
    const res = await submit(b, tokenFor(c, b.challenge));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, redirect: '/', role: 'personnel', displayName: person.nameZh });
    const home = await b.agent.get('/').expect(200);
    expect(home.text).toContain(person.nameZh);
    const audit = await t.dataSource.getRepository(AuditEvent).findOneOrFail({ where: { action: 'auth.certificate-login', outcome: 'success', actorName: person.nameZh }, order: { id: 'DESC' } });
    expect(audit.credential).toMatch(/^[0-9A-F]+@/);
  });

  it('signs an institution in with its institution card', async () => {
    const c = await card({ family: 'hca', subjectType: 'institution', subject: { name: hospital.nameZh, institutionCode: hospital.code } });
    const b = await browser();
    const res = await submit(b, tokenFor(c, b.challenge), 'institution');
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('institution');
  });

  it('signs staff in with the citizen certificate bound to their account, and no one else', async () => {
    const c = await card({ family: 'moica', subjectType: 'citizen', subject: { name: '林小華', nationalId: 'A123456789' } });
    const b1 = await browser();
    await refusedWith('no-account', await submit(b1, tokenFor(c, b1.challenge), 'citizen'));

    const creds = await createStaff(t, 'ministry_staff');
    const validated = await t.app.get(TrustStoreService).validate(c.der, { purpose: 'client-auth' });
    if (!validated.valid) throw new Error(validated.code);
    await t.app.get(StaffService).bindCertificate(creds.account.username, validated.serialNumber, validated.issuer, { kind: 'test' });
    const b2 = await browser();
    const res = await submit(b2, tokenFor(c, b2.challenge), 'citizen');
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('ministry_staff');
    await b2.agent.get('/admin/audit').expect(200);
  });

  it('keeps concurrent sign-ins apart: each browser is signed in as its own card holder', async () => {
    const other = DEMO_FIXTURES.physicianAtClinic;
    const cards = [await personnelCard(), await card({ family: 'hca', subjectType: 'personnel', subject: { name: other.nameZh, nationalId: other.nationalId } })];
    for (let round = 0; round < 5; round++) {
      const browsers = await Promise.all(cards.map(() => browser()));
      const results = await Promise.all(cards.map((c, i) => submit(browsers[i], tokenFor(c, browsers[i].challenge))));
      expect(results.map((r) => [r.status, r.body.displayName])).toEqual([
        [200, person.nameZh],
        [200, other.nameZh],
      ]);
    }
  });

  it('refuses a replayed challenge', async () => {
    const c = await personnelCard();
    const b = await browser();
    const token = tokenFor(c, b.challenge);
    expect((await submit(b, token)).status).toBe(200);
    const again = await browser();
    await refusedWith('challenge-replayed', await submit(again, token, 'personnel', b.challenge));
  });

  it('refuses a challenge issued to another browser session', async () => {
    const c = await personnelCard();
    const victim = await browser();
    const attacker = await browser();
    await refusedWith('challenge-other-session', await submit(attacker, tokenFor(c, victim.challenge), 'personnel', victim.challenge));
  });

  it('refuses an expired challenge', async () => {
    const short = await createTestApp({ CHALLENGE_TTL_SECONDS: '1' });
    try {
      const c = await personnelCard();
      const b = await browser(short);
      await new Promise((r) => setTimeout(r, 1300));
      const res = await b.agent.post('/auth/certificate').set('X-CSRF-Token', b.csrf).set('Origin', origin).set('Accept', 'application/json').send({ challenge: b.challenge, token: tokenFor(c, b.challenge), cardType: 'personnel' });
      await refusedWith('challenge-expired', res);
    } finally {
      await short.close();
    }
  });

  it('refuses a request from another origin, and a token signed for another origin', async () => {
    const c = await personnelCard();
    const b = await browser();
    await refusedWith('origin-mismatch', await submit(b, tokenFor(c, b.challenge), 'personnel', b.challenge, 'https://evil.example'));
    const b2 = await browser();
    await refusedWith('signature-invalid', await submit(b2, tokenFor(c, b2.challenge, 'https://evil.example')));
  });

  it('refuses a tampered signature and a malformed token', async () => {
    const c = await personnelCard();
    const b = await browser();
    const token = tokenFor(c, b.challenge);
    const sig = Buffer.from(token.signature, 'base64');
    sig[10] ^= 0xff;
    await refusedWith('signature-invalid', await submit(b, { ...token, signature: sig.toString('base64') }));
    const b2 = await browser();
    await refusedWith('token-malformed', await submit(b2, { format: 'something-else' }));
  });

  it.each([
    ['certificate-expired', { validity: { notBefore: new Date(Date.now() - 400 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) } }],
    ['certificate-not-yet-valid', { validity: { notBefore: new Date(Date.now() + 86_400_000), days: 30 } }],
    ['certificate-wrong-purpose', { keyUsage: x509.KeyUsageFlags.keyEncipherment }],
    ['certificate-wrong-purpose', { extKeyUsage: ['1.3.6.1.5.5.7.3.4'] }],
    ['certificate-unknown-family', { subjectTypeOid: '2.16.886.1.100.3.9.99' }],
  ] as Array<[string, Partial<IssueRequest>]>)('refuses with %s', async (code, extra) => {
    const c = await personnelCard(extra);
    const b = await browser();
    await refusedWith(code, await submit(b, tokenFor(c, b.challenge)));
  });

  it('refuses a certificate from an untrusted root', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const self = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=${person.nameZh}, 2.5.4.5=${person.nationalId}, C=TW`,
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
    });
    const key = createPrivateKey({ key: Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' });
    const c = { key, der: Buffer.from(self.rawData), id: 0 };
    const b = await browser();
    await refusedWith('certificate-untrusted', await submit(b, tokenFor(c, b.challenge)));
  });

  it('refuses a suspended card, takes it back when resumed, and refuses it for good once revoked', async () => {
    const c = await personnelCard();
    const revocation = t.app.get(RevocationService);
    await revocation.hold(c.id, { actor: { kind: 'test' } });
    await publishCrls();
    let b = await browser();
    await refusedWith('certificate-on-hold', await submit(b, tokenFor(c, b.challenge)));

    await revocation.release(c.id, { actor: { kind: 'test' } });
    await publishCrls();
    b = await browser();
    expect((await submit(b, tokenFor(c, b.challenge))).status).toBe(200);

    await revocation.revoke(c.id, 'keyCompromise', { actor: { kind: 'test' } });
    await publishCrls();
    b = await browser();
    await refusedWith('certificate-revoked', await submit(b, tokenFor(c, b.challenge)));
  });

  it('refuses a card of another type than the one chosen, and a valid card with no account', async () => {
    const c = await personnelCard();
    const b = await browser();
    await refusedWith('card-type-mismatch', await submit(b, tokenFor(c, b.challenge), 'institution'));
    const stranger = await card({ family: 'hca', subjectType: 'personnel', subject: { name: '陳無名', nationalId: 'B123456780' } });
    const b2 = await browser();
    await refusedWith('no-account', await submit(b2, tokenFor(stranger, b2.challenge)));
  });

  it('audits every refusal with its code and rate-limits failures per client', async () => {
    const limited = await createTestApp({ LOGIN_RATE_PER_CLIENT: '2' });
    const redis = limited.app.get<import('ioredis').default>(REDIS);
    const counters = await redis.keys('auth:login-failures:*');
    if (counters.length) await redis.del(...counters);
    try {
      await limited.app.get(DevPkiService).init({ actor: { kind: 'test' } });
      const before = await limited.dataSource.getRepository(AuditEvent).countBy({ action: 'auth.certificate-login', outcome: 'failure' });
      for (let i = 0; i < 2; i++) {
        const b = await browser(limited);
        await refusedWith('token-malformed', await submit(b, { nope: true }));
      }
      const b = await browser(limited);
      const res = await submit(b, { nope: true });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('rate-limited');
      const after = await limited.dataSource.getRepository(AuditEvent).countBy({ action: 'auth.certificate-login', outcome: 'failure' });
      expect(after - before).toBe(3);
    } finally {
      await limited.close();
    }
  });
});
