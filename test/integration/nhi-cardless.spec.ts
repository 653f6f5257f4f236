import type Redis from 'ioredis';
import type supertest from 'supertest';
import { translate } from '../../src/common/i18n/i18n';
import { REDIS } from '../../src/core/core.module';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { SmsMessage } from '../../src/modules/notifications/sms-message.entity';
import { ProtectedIdCodec } from '../../src/common/crypto/protected-id';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { createInsured, type TestInsured } from '../support/nhi-card';
import { signInAsStaff } from '../support/staff';

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/=/g, '&#x3D;');
const zh = (key: string) => html(translate('zh-TW', key));

describe('card-less NHI sign-in (national ID → SMS code → card number)', () => {
  let t: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    t = await createTestApp();
    redis = t.app.get<Redis>(REDIS);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    // Every test comes from 127.0.0.1: the per-client counts of earlier tests are not this test's.
    const keys = await redis.keys('nhi:cardless-failures:*');
    if (keys.length) await redis.del(...keys);
  });

  const index = (p: TestInsured) => new ProtectedIdCodec(t.config.dataKey).index(p.nationalId);
  /** The codes texted to a person's mobile, newest first (the loopback SMS sink). */
  async function codesTo(p: TestInsured): Promise<string[]> {
    const rows = await t.dataSource.getRepository(SmsMessage).find({ where: { toNumber: p.mobile.replace(/\D/g, '') }, order: { id: 'DESC' } });
    return rows.map((r) => /\d{6}/.exec(r.text)![0]);
  }
  const endCooldown = (p: TestInsured) => redis.del(`nhi:sms-cooldown:${index(p)}`);

  async function post(agent: supertest.Agent, path: string, fields: Record<string, string>, from = path) {
    const page = await agent.get(from);
    return agent.post(path).set('Origin', t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
  }

  async function start(p: TestInsured) {
    const agent = t.agent();
    const res = await post(agent, '/login/nhi-cardless', { nationalId: p.nationalId.toLowerCase() });
    expect([res.status, res.headers.location]).toEqual([303, '/login/nhi-cardless/code']);
    return agent;
  }

  it('says plainly it is the weakest option and offers the card sign-ins', async () => {
    const page = await t.agent().get('/login/nhi-cardless').expect(200);
    expect(page.text).toContain(zh('nhiCard.cardless.weakest'));
    expect(page.text).toContain('href="/login"');
    expect((await t.agent().get('/login').expect(200)).text).toContain('href="/login/nhi-cardless"');
  });

  it('signs a clinician in: the code texted to the registry mobile, then the card number; audited', async () => {
    const p = await createInsured(t, { professional: true });
    const agent = await start(p);
    const [code] = await codesTo(p);
    expect(code).toMatch(/^\d{6}$/);
    await post(agent, '/login/nhi-cardless/code', { code }, '/login/nhi-cardless/code').then((r) => expect(r.headers.location).toBe('/login/nhi-cardless/card'));
    const wrongCard = await post(agent, '/login/nhi-cardless/card', { cardNumber: '000000000000' }, '/login/nhi-cardless/card');
    expect(wrongCard.status).toBe(422);
    expect(wrongCard.text).toContain(zh('nhiCard.cardless.errors.card-number-wrong'));
    const done = await post(agent, '/login/nhi-cardless/card', { cardNumber: p.cardNumber.replace(/(\d{4})/g, '$1 ').trim() }, '/login/nhi-cardless/card');
    expect([done.status, done.headers.location]).toEqual([303, '/']);
    expect((await agent.get('/').expect(200)).text).toContain(p.nameZh);
    const audit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'auth.nhi-cardless-login', outcome: 'success', targetId: String(p.professionalId) });
    expect(audit.credential).toBe(`nhi-sms:${p.cardNumber.slice(0, 4)}****${p.cardNumber.slice(-4)}`);
  });

  it('refuses a wrong, an expired and an old (superseded) code, and a code tried five times', async () => {
    const p = await createInsured(t, { professional: true });
    const agent = await start(p);
    const [first] = await codesTo(p);
    const wrong = await post(agent, '/login/nhi-cardless/code', { code: first === '000000' ? '000001' : '000000' }, '/login/nhi-cardless/code');
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain(zh('nhiCard.cardless.errors.code-wrong'));

    // A resend within 60 s is refused; after it, a new code replaces the first.
    const early = await post(agent, '/login/nhi-cardless/resend', {}, '/login/nhi-cardless/code');
    expect(early.status).toBe(422);
    expect(early.text).toContain(zh('nhiCard.cardless.errors.cooldown'));
    await endCooldown(p);
    await post(agent, '/login/nhi-cardless/resend', {}, '/login/nhi-cardless/code').then((r) => expect(r.status).toBe(303));
    const [second, old] = await codesTo(p);
    expect(old).toBe(first);
    if (old !== second) {
      const superseded = await post(agent, '/login/nhi-cardless/code', { code: old }, '/login/nhi-cardless/code');
      expect(superseded.text).toContain(zh('nhiCard.cardless.errors.code-wrong'));
    }

    // Expired: the stored code's expiry moved into the past (as if three minutes had passed).
    const key = `nhi:sms-code:${index(p)}`;
    const [hash, , tries] = (await redis.get(key))!.split('|');
    await redis.set(key, `${hash}|${Date.now() - 1}|${tries}`, 'KEEPTTL');
    const expired = await post(agent, '/login/nhi-cardless/code', { code: second }, '/login/nhi-cardless/code');
    expect(expired.text).toContain(zh('nhiCard.cardless.errors.code-expired'));

    await endCooldown(p);
    await post(agent, '/login/nhi-cardless/resend', {}, '/login/nhi-cardless/code');
    const [third] = await codesTo(p);
    const bad = third === '111111' ? '222222' : '111111';
    for (let i = 1; i <= 4; i++) expect((await post(agent, '/login/nhi-cardless/code', { code: bad }, '/login/nhi-cardless/code')).text).toContain(zh('nhiCard.cardless.errors.code-wrong'));
    expect((await post(agent, '/login/nhi-cardless/code', { code: bad }, '/login/nhi-cardless/code')).text).toContain(zh('nhiCard.cardless.errors.code-exhausted'));
    expect((await post(agent, '/login/nhi-cardless/code', { code: third }, '/login/nhi-cardless/code')).text).toContain(zh('nhiCard.cardless.errors.code-exhausted'));
    // Without the code step, the card step is not reachable.
    await agent.get('/login/nhi-cardless/card').expect(303).expect('Location', '/login/nhi-cardless');
  });

  it('sends at most five codes per ID per hour, and answers an unknown ID like a known one', async () => {
    const p = await createInsured(t, { professional: true });
    const agent = await start(p);
    for (let i = 2; i <= 5; i++) {
      await endCooldown(p);
      expect((await post(agent, '/login/nhi-cardless/resend', {}, '/login/nhi-cardless/code')).status).toBe(303);
    }
    await endCooldown(p);
    const sixth = await post(agent, '/login/nhi-cardless/resend', {}, '/login/nhi-cardless/code');
    expect(sixth.status).toBe(422);
    expect(sixth.text).toContain(zh('nhiCard.cardless.errors.sms-rate-limited'));
    expect(await codesTo(p)).toHaveLength(5);

    const unknown = await post(t.agent(), '/login/nhi-cardless', { nationalId: 'A123456789' });
    expect([unknown.status, unknown.headers.location]).toEqual([303, '/login/nhi-cardless/code']);
    const badId = await post(t.agent(), '/login/nhi-cardless', { nationalId: 'A123' });
    expect(badId.status).toBe(422);
    expect(badId.text).toContain(zh('nhiCard.cardless.errors.nationalIdFormat'));
  });

  it('shows the loopback SMS sink to admins at /admin/sms', async () => {
    const p = await createInsured(t, { professional: true });
    await start(p);
    const { agent: admin } = await signInAsStaff(t, 'admin');
    const page = await admin.get('/admin/sms').expect(200);
    expect(page.text).toContain(p.mobile.replace(/\D/g, ''));
    await t.agent().get('/admin/sms').expect((r) => expect(r.status).toBeGreaterThanOrEqual(300));
  });
});
