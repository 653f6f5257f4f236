import { IsNull } from 'typeorm';
import type Redis from 'ioredis';
import { translate } from '../../src/common/i18n/i18n';
import { REDIS } from '../../src/core/core.module';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { StaffService } from '../../src/modules/auth/staff.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { NhiCardAccount, NhiCardLink } from '../../src/modules/nhi-card/nhi-card.entity';
import { NhiRefusal } from '../../src/modules/nhi-card/nhi-card-credential.service';
import { NhiOtpService } from '../../src/modules/nhi-card/nhi-otp.service';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { createReaderHelper, type ReaderHelper } from '../../src/reader-helper/main';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { callHelper, createIssuedCard, publishHcaCrl } from '../support/cards';
import { createInsured, createNhiCard, publishNhiCrl, readNhiCard, submitWithCard, type TestInsured } from '../support/nhi-card';
import { useSoftHsmTestStore } from '../support/softhsm';
import { createStaff } from '../support/staff';

const store = useSoftHsmTestStore();

/** Handlebars escapes quotes and = in text: compare messages as they appear in the HTML. */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/=/g, '&#x3D;');
const zh = (key: string) => html(translate('zh-TW', key));
const PASSWORD = 'Blue-heron-river-42';

/** A form that went through: 303 (to `location`, when given). */
async function redirected(response: Promise<{ status: number; headers: Record<string, string> }>, location?: string) {
  const res = await response;
  expect(res.status).toBe(303);
  if (location) expect(res.headers.location).toBe(location);
}

describe('NHI card (健保卡): card, registration and card + password sign-in', () => {
  let t: TestApp;
  let helper: ReaderHelper;
  let origin: string;
  let redis: Redis;

  beforeAll(async () => {
    t = await createTestApp();
    origin = t.config.publicOrigin;
    redis = t.app.get<Redis>(REDIS);
    await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    await publishNhiCrl(t);
    await publishHcaCrl(t);
    helper = await createReaderHelper({ port: 0, allowedOrigins: [origin], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
  });
  afterAll(async () => {
    await helper.close();
    await t.close();
  });
  beforeEach(async () => {
    // Every test signs in from 127.0.0.1: the per-client counts of earlier tests are not this test's.
    const keys = [...(await redis.keys('nhi:*')), ...(await redis.keys('auth:challenges:*'))];
    if (keys.length) await redis.del(...keys);
  });

  /** An insured clinician with an NHI card in the reader. */
  async function holder(options: { professional?: boolean } = { professional: true }) {
    const person = await createInsured(t, options);
    const card = await createNhiCard(t, store.modulePath, person);
    return { person, card };
  }

  const registration = (p: TestInsured, extra: Record<string, string> = {}) => ({
    householdNumber: p.householdNumber,
    registeredAddress: p.registeredAddress,
    phone: '0912345678',
    email: `nhi.${p.cardNumber}@example.test`,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
    ...extra,
  });

  /** The link of the latest e-mail queued for an address (verification or reset). */
  async function linkIn(email: string, purpose: 'verify' | 'reset'): Promise<string> {
    const messages = (await t.dataSource.getRepository(OutboxMessage).find({ order: { id: 'DESC' } })).filter((m) => m.payload.includes(email));
    const found = messages.map((m) => new RegExp(`/nhi-card/${purpose}/[A-Za-z0-9_-]{43}`).exec(JSON.parse(m.payload).text)?.[0]).find(Boolean);
    if (!found) throw new Error(`no ${purpose} e-mail to ${email}`);
    return found;
  }

  /** Registers and verifies the card's online services (what the holder does once). */
  async function registered(p: TestInsured, label: string) {
    const agent = t.agent();
    await redirected(submitWithCard(t, helper, agent, '/nhi-card/register', label, registration(p)), '/nhi-card/done/registered');
    const link = await linkIn(registration(p).email, 'verify');
    const page = await agent.get(link).expect(200);
    await agent.post(link).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303).expect('Location', '/nhi-card/done/verified');
  }

  /** The login page's script with card type 健保卡: challenge, the helper signs (no PIN), the password to /auth/nhi-card. */
  async function signIn(label: string, password: string) {
    const agent = t.agent();
    const page = await agent.get('/login').expect(200);
    const read = await readNhiCard(t, helper, agent, csrfFrom(page.text), label);
    const res = await agent.post('/auth/nhi-card').set('X-CSRF-Token', read.csrf).set('Origin', origin).set('Accept', 'application/json').send({ challenge: read.challenge, token: read.token, password, returnTo: '/' });
    return { agent, res };
  }

  describe('the development NHI card and the reader helper', () => {
    it('reads the card number and signs a challenge with the card key without any PIN', async () => {
      const { person, card } = await holder();
      const status = await callHelper(helper, origin, 'GET', '/status');
      const token = status.body.tokens.find((tk: { label: string }) => tk.label === card.label);
      expect(token).toMatchObject({ nhiCardNumber: person.cardNumber, opened: true });
      const signed = await callHelper(helper, origin, 'POST', '/sign', { origin, challenge: 'A'.repeat(43) + '=', token: card.label });
      expect(signed.status).toBe(200);
      expect(signed.body).toMatchObject({ format: 'web-eid:1.0', algorithm: 'ES256' });
    });

    it('still asks for the PIN of every other card', async () => {
      const hca = await createIssuedCard(t, { modulePath: store.modulePath, state: 'active' });
      const signed = await callHelper(helper, origin, 'POST', '/sign', { origin, challenge: 'A'.repeat(43) + '=', token: hca.label });
      expect(signed.status).toBeGreaterThanOrEqual(400);
      expect(signed.body.code).toBe(9041);
      const status = await callHelper(helper, origin, 'GET', '/status');
      expect(status.body.tokens.find((tk: { label: string }) => tk.label === hca.label).nhiCardNumber).toBeNull();
    });

    it('is refused by the certificate login, whatever card type is claimed', async () => {
      const { card } = await holder();
      for (const [cardType, code] of [['personnel', 'card-type-mismatch'], ['citizen', 'card-type-mismatch'], ['nhi', 'card-type-unknown']]) {
        const agent = t.agent();
        const page = await agent.get('/login').expect(200);
        const read = await readNhiCard(t, helper, agent, csrfFrom(page.text), card.label);
        const res = await agent.post('/auth/certificate').set('X-CSRF-Token', read.csrf).set('Origin', origin).set('Accept', 'application/json').send({ challenge: read.challenge, token: read.token, cardType });
        expect([res.status, res.body.code]).toEqual([cardType === 'nhi' ? 400 : 403, code]);
      }
    });
  });

  it('refuses any other card at the NHI card sign-in (card-not-nhi), and a token without a card (token-malformed)', async () => {
    const hca = await createIssuedCard(t, { modulePath: store.modulePath, state: 'active' });
    const agent = t.agent();
    const page = await agent.get('/login').expect(200);
    const answer = await agent.post('/auth/challenge').set('X-CSRF-Token', csrfFrom(page.text)).set('Origin', origin).set('Accept', 'application/json').expect(200);
    const signed = await callHelper(helper, origin, 'POST', '/sign', { origin, challenge: answer.body.challenge, pin: hca.pin, token: hca.label });
    expect(signed.status).toBe(200);
    const send = (token: unknown) => agent.post('/auth/nhi-card').set('X-CSRF-Token', answer.body.csrfToken).set('Origin', origin).set('Accept', 'application/json').send({ challenge: answer.body.challenge, token, password: PASSWORD });
    const res = await send(signed.body);
    expect([res.status, res.body.code]).toEqual([403, 'card-not-nhi']);
    const none = await send('not a token');
    expect([none.status, none.body.code]).toEqual([400, 'token-malformed']);
  });

  describe('registration (/nhi-card/register)', () => {
    it('refuses each bad field with its message, keeping the values', async () => {
      const { person, card } = await holder();
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ householdNumber: '12345' }, 'householdNumber', 'nhiCard.register.errors.householdNumberFormat'],
        [{ householdNumber: 'Z9999999' }, 'householdNumber', 'nhiCard.register.errors.householdNumberMismatch'],
        [{ registeredAddress: '臺北市信義區不存在路1號' }, 'registeredAddress', 'nhiCard.register.errors.registeredAddressMismatch'],
        [{ phone: '12345' }, 'phone', 'nhiCard.register.errors.phoneFormat'],
        [{ email: 'not-an-address' }, 'email', 'nhiCard.register.errors.emailFormat'],
        [{ password: 'short1', passwordConfirm: 'short1' }, 'password', 'nhiCard.password.errors.tooShort'],
        [{ password: 'password1', passwordConfirm: 'password1' }, 'password', 'nhiCard.password.errors.common'],
        [{ password: `x${person.cardNumber}`, passwordConfirm: `x${person.cardNumber}` }, 'password', 'nhiCard.password.errors.common'],
        [{ passwordConfirm: 'Another-password-9' }, 'passwordConfirm', 'nhiCard.password.errors.mismatch'],
      ];
      for (const [change, field, key] of cases) {
        const res = await submitWithCard(t, helper, t.agent(), '/nhi-card/register', card.label, registration(person, change));
        expect(res.status).toBe(422);
        expect(res.text).toContain(`href="#${field}"`);
        expect(res.text).toContain(zh(key));
        expect(res.text).not.toContain(PASSWORD);
      }
      const kept = await submitWithCard(t, helper, t.agent(), '/nhi-card/register', card.label, registration(person, { phone: '12345' }));
      expect(kept.text).toContain(`value="${person.householdNumber}"`);
      expect(await t.dataSource.getRepository(NhiCardAccount).countBy({ cardNumber: person.cardNumber })).toBe(0);
    });

    it('needs the card: none read (no JavaScript), or a card not in the insured-person registry', async () => {
      const { person } = await holder();
      const none = await submitWithCard(t, helper, t.agent(), '/nhi-card/register', null, registration(person));
      expect(none.status).toBe(422);
      expect(none.text).toContain('href="#card"');
      expect(none.text).toContain(zh('nhiCard.errors.token-malformed'));

      const stranger = { nameZh: '未投保', cardNumber: `0008${String(Date.now()).slice(-8)}` };
      const card = await createNhiCard(t, store.modulePath, stranger);
      const res = await submitWithCard(t, helper, t.agent(), '/nhi-card/register', card.label, registration({ ...person, cardNumber: stranger.cardNumber }));
      expect(res.status).toBe(422);
      expect(res.text).toContain(zh('nhiCard.errors.not-registered'));
    });

    it('registers, e-mails a single-use verification link, and refuses the link a second time', async () => {
      const { person, card } = await holder();
      const agent = t.agent();
      await redirected(submitWithCard(t, helper, agent, '/nhi-card/register', card.label, registration(person, { householdNumber: person.householdNumber.toLowerCase(), registeredAddress: ` ${person.registeredAddress.replace('臺', '台')} ` })));
      const account = await t.dataSource.getRepository(NhiCardAccount).findOneByOrFail({ cardNumber: person.cardNumber });
      expect(account).toMatchObject({ status: 'pending', phone: '0912-345-678', email: registration(person).email });
      expect(account.passwordHash).toMatch(/^scrypt\$/);

      const again = await submitWithCard(t, helper, t.agent(), '/nhi-card/register', card.label, registration(person));
      expect(again.status).toBe(422);
      expect(again.text).toContain(zh('nhiCard.register.errors.pending'));
      const early = await signIn(card.label, PASSWORD);
      expect([early.res.status, early.res.body.code]).toEqual([403, 'not-verified']);

      const link = await linkIn(account.email, 'verify');
      const page = await agent.get(link).expect(200);
      await agent.post(link).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
      expect((await t.dataSource.getRepository(NhiCardAccount).findOneByOrFail({ id: account.id })).status).toBe('active');
      const reused = await agent.post(link).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text) });
      expect(reused.status).toBe(409);
      expect(reused.text).toContain(zh('nhiCard.errors.link-used'));
      const audit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'nhi-card.register', targetId: account.id });
      expect(audit.credential).toBe(`nhi-card:${person.cardNumber.slice(0, 4)}****${person.cardNumber.slice(-4)}`);
    });

    it('refuses an expired verification link, and a resend makes a new one (the older stops working)', async () => {
      const { person, card } = await holder();
      await redirected(submitWithCard(t, helper, t.agent(), '/nhi-card/register', card.label, registration(person)));
      const first = await linkIn(registration(person).email, 'verify');
      await redirected(submitWithCard(t, helper, t.agent(), '/nhi-card/resend', card.label, {}), '/nhi-card/done/resent');
      const second = await linkIn(registration(person).email, 'verify');
      expect(second).not.toBe(first);
      const agent = t.agent();
      const page = await agent.get(first).expect(200);
      expect((await agent.post(first).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text) })).status).toBe(409);

      const account = await t.dataSource.getRepository(NhiCardAccount).findOneByOrFail({ cardNumber: person.cardNumber });
      await t.dataSource.getRepository(NhiCardLink).update({ accountId: account.id, usedAt: IsNull() }, { expiresAt: new Date(Date.now() - 1000) });
      const expired = await agent.post(second).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text) });
      expect(expired.status).toBe(409);
      expect(expired.text).toContain(zh('nhiCard.errors.link-expired'));
    });
  });

  describe('sign-in with the NHI card + password', () => {
    it('signs a clinician in as the same personnel principal the personnel card gives, and audits the masked card', async () => {
      const { person, card } = await holder();
      await registered(person, card.label);
      const { agent, res } = await signIn(card.label, PASSWORD);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, role: 'personnel', displayName: person.nameZh, redirect: '/' });
      expect((await agent.get('/').expect(200)).text).toContain(person.nameZh);
      const audit = await t.dataSource.getRepository(AuditEvent).findOneOrFail({ where: { action: 'auth.nhi-card-login', outcome: 'success', targetId: String(person.professionalId) }, order: { id: 'DESC' } });
      expect(audit.credential).toBe(`nhi-card:${person.cardNumber.slice(0, 4)}****${person.cardNumber.slice(-4)}`);
      expect(audit.targetType).toBe('personnel');
    });

    it('signs in an operator bound to the NHI card, as staff', async () => {
      const { person, card } = await holder({ professional: false });
      await registered(person, card.label);
      const before = await signIn(card.label, PASSWORD);
      expect([before.res.status, before.res.body.code]).toEqual([403, 'no-account']);
      const creds = await createStaff(t, 'ministry_staff');
      await t.app.get(StaffService).bindNhiCard(creds.account.username, person.cardNumber, { kind: 'test' });
      const { res } = await signIn(card.label, PASSWORD);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ role: 'ministry_staff', displayName: creds.account.displayName });
    });

    it('refuses an unregistered card, and a cancelled registration', async () => {
      const { person, card } = await holder();
      const unregistered = await signIn(card.label, PASSWORD);
      expect([unregistered.res.status, unregistered.res.body.code]).toEqual([403, 'not-registered']);
      await registered(person, card.label);
      const wrong = await submitWithCard(t, helper, t.agent(), '/nhi-card/cancel', card.label, { password: 'Not-the-password-1' });
      expect(wrong.status).toBe(422);
      await redirected(submitWithCard(t, helper, t.agent(), '/nhi-card/cancel', card.label, { password: PASSWORD }), '/nhi-card/done/cancelled');
      const cancelled = await signIn(card.label, PASSWORD);
      expect([cancelled.res.status, cancelled.res.body.code]).toEqual([403, 'not-registered']);
    });

    it('pauses after three wrong passwords and locks after three pauses, until the forgotten-password reset', async () => {
      const { person, card } = await holder();
      await registered(person, card.label);
      const endPause = () => redis.del(`nhi:password-paused:card:${person.cardNumber}`);
      for (let pause = 1; pause <= 3; pause++) {
        for (let i = 1; i <= 2; i++) expect((await signIn(card.label, 'Wrong-password-0')).res.body.code).toBe('password-wrong');
        const third = await signIn(card.label, 'Wrong-password-0');
        if (pause < 3) {
          expect([third.res.status, third.res.body.code]).toEqual([429, 'password-paused']);
          const right = await signIn(card.label, PASSWORD);
          expect([right.res.status, right.res.body.code]).toEqual([429, 'password-paused']);
          await endPause(); // as if the ten minutes had passed
        } else {
          expect([third.res.status, third.res.body.code]).toEqual([403, 'password-locked']);
        }
      }
      await endPause();
      const locked = await signIn(card.label, PASSWORD);
      expect([locked.res.status, locked.res.body.code]).toEqual([403, 'password-locked']);
      expect(await t.dataSource.getRepository(AuditEvent).countBy({ action: 'nhi-card.password-locked' })).toBeGreaterThan(0);

      // Forgotten password: card + registry answers + the registered e-mail → a reset link, which lifts the lock.
      const email = registration(person).email;
      const mismatch = await submitWithCard(t, helper, t.agent(), '/nhi-card/forgot', card.label, { householdNumber: 'Z0000000', registeredAddress: person.registeredAddress, email });
      expect(mismatch.status).toBe(422);
      expect(mismatch.text).toContain(zh('nhiCard.register.errors.householdNumberMismatch'));
      await redirected(submitWithCard(t, helper, t.agent(), '/nhi-card/forgot', card.label, { householdNumber: person.householdNumber, registeredAddress: person.registeredAddress, email }), '/nhi-card/done/reset-sent');
      const link = await linkIn(email, 'reset');
      const agent = t.agent();
      const page = await agent.get(link).expect(200);
      const weak = await agent.post(link).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text), password: '12345678', passwordConfirm: '12345678' });
      expect(weak.status).toBe(422);
      expect(weak.text).toContain(zh('nhiCard.password.errors.common'));
      await agent.post(link).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text), password: 'New-heron-lake-77', passwordConfirm: 'New-heron-lake-77' }).expect(303).expect('Location', '/nhi-card/done/reset-done');
      expect((await agent.post(link).set('Origin', origin).type('form').send({ _csrf: csrfFrom(page.text), password: 'New-heron-lake-78', passwordConfirm: 'New-heron-lake-78' })).status).toBe(409);
      expect((await signIn(card.label, PASSWORD)).res.body.code).toBe('password-wrong');
      expect((await signIn(card.label, 'New-heron-lake-77')).res.status).toBe(200);
    });

    it('changes the password with the card and the old password', async () => {
      const { person, card } = await holder();
      await registered(person, card.label);
      const wrongOld = await submitWithCard(t, helper, t.agent(), '/nhi-card/password', card.label, { oldPassword: 'Not-it-123', password: 'Fresh-pine-tree-5', passwordConfirm: 'Fresh-pine-tree-5' });
      expect(wrongOld.status).toBe(422);
      expect(wrongOld.text).toContain('href="#oldPassword"');
      await redirected(submitWithCard(t, helper, t.agent(), '/nhi-card/password', card.label, { oldPassword: PASSWORD, password: 'Fresh-pine-tree-5', passwordConfirm: 'Fresh-pine-tree-5' }));
      expect((await signIn(card.label, PASSWORD)).res.body.code).toBe('password-wrong');
      expect((await signIn(card.label, 'Fresh-pine-tree-5')).res.status).toBe(200);
    });

    it('refuses a replayed card reading and a token signed for another origin', async () => {
      const { person, card } = await holder();
      await registered(person, card.label);
      const agent = t.agent();
      const page = await agent.get('/login').expect(200);
      const read = await readNhiCard(t, helper, agent, csrfFrom(page.text), card.label);
      const send = (a: typeof agent, csrf: string) => a.post('/auth/nhi-card').set('X-CSRF-Token', csrf).set('Origin', origin).set('Accept', 'application/json').send({ challenge: read.challenge, token: read.token, password: PASSWORD });
      expect((await send(agent, read.csrf)).status).toBe(200);
      // Another browser replays the reading it captured.
      const other = t.agent();
      const otherPage = await other.get('/login').expect(200);
      const otherCsrf = (await other.post('/auth/challenge').set('X-CSRF-Token', csrfFrom(otherPage.text)).set('Origin', origin).set('Accept', 'application/json').expect(200)).body.csrfToken;
      const replay = await send(other, otherCsrf);
      expect([replay.status, replay.body.code]).toEqual([403, 'challenge-replayed']);
      const failure = await t.dataSource.getRepository(AuditEvent).findOneOrFail({ where: { action: 'auth.nhi-card-login', outcome: 'failure' }, order: { id: 'DESC' } });
      expect(failure.summary).toMatchObject({ code: 'challenge-replayed', credentialType: 'nhi-card+password' });

      // Signed by the card for another site: refused.
      const third = t.agent();
      const thirdPage = await third.get('/login').expect(200);
      const answer = await third.post('/auth/challenge').set('X-CSRF-Token', csrfFrom(thirdPage.text)).set('Origin', origin).set('Accept', 'application/json').expect(200);
      const evil = 'https://evil.example';
      const evilHelper = await createReaderHelper({ port: 0, allowedOrigins: [evil], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
      try {
        const signed = await callHelper(evilHelper, evil, 'POST', '/sign', { origin: evil, challenge: answer.body.challenge, token: card.label });
        const res = await third.post('/auth/nhi-card').set('X-CSRF-Token', answer.body.csrfToken).set('Origin', origin).set('Accept', 'application/json').send({ challenge: answer.body.challenge, token: signed.body, password: PASSWORD });
        expect([res.status, res.body.code]).toEqual([403, 'signature-invalid']);
      } finally {
        await evilHelper.close();
      }
    });
  });

  describe("one-time codes of a unit's responsible person (健保快易通 OTP)", () => {
    it('enrols an authenticator after the NHI card + password (QR code rendered here, shown once), then checks ID + birth date + code, each code once, for 3 minutes', async () => {
      const { person, card } = await holder({ professional: false });
      await registered(person, card.label);
      const agent = t.agent();
      const wrong = await submitWithCard(t, helper, agent, '/nhi-card/otp', card.label, { password: 'Not-the-password-1' });
      expect(wrong.status).toBe(422);
      const shown = await submitWithCard(t, helper, agent, '/nhi-card/otp', card.label, { password: PASSWORD });
      expect(shown.status).toBe(200);
      expect(shown.headers['cache-control']).toContain('no-store');
      expect(shown.text).toMatch(/<svg role="img" aria-label="[^"]+" focusable="false" [^>]*viewBox/);
      const secret = /id="otp-secret">([A-Z2-7 ]+)</.exec(shown.text)![1].replace(/ /g, '');
      const confirm = (code: string) => agent.post('/nhi-card/otp/confirm').set('Origin', origin).type('form').send({ _csrf: csrfFrom(shown.text), code });
      const confirmed = await confirm(totpCode(secret, totpStep()));
      expect([confirmed.status, confirmed.headers.location]).toEqual([303, '/nhi-card/done/otp-enrolled']);

      const otp = t.app.get(NhiOtpService);
      const [year, month, day] = person.birthDate.split('-').map(Number);
      const birth = { rocYear: year - 1911, month, day };
      const later = new Date(Date.now() + 4 * 60_000);
      const codeAt = (msAgo: number) => totpCode(secret, totpStep(new Date(later.getTime() - msAgo)));
      const refusal = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => (err instanceof NhiRefusal ? [err.code, err.detail] : err));
      expect(await refusal(otp.verify({ nationalId: person.nationalId, birth: { ...birth, day: (day % 28) + 1 }, code: codeAt(0), clientIp: '192.0.2.7' }, later))).toEqual(['otp-wrong', 'birth-date']);
      expect(await refusal(otp.verify({ nationalId: person.nationalId, birth, code: codeAt(200_000), clientIp: '192.0.2.7' }, later))).toEqual(['otp-wrong', 'code']);
      // A code shown 2.5 minutes earlier is still good, once.
      const ok = await otp.verify({ nationalId: person.nationalId, birth, code: codeAt(150_000), clientIp: '192.0.2.7' }, later);
      expect(ok).toMatchObject({ cardNumber: person.cardNumber, credential: `nhi-otp:${person.cardNumber.slice(0, 4)}****${person.cardNumber.slice(-4)}` });
      expect(await refusal(otp.verify({ nationalId: person.nationalId, birth, code: codeAt(150_000), clientIp: '192.0.2.7' }, later))).toEqual(['otp-wrong', 'replayed']);
    });
  });
});
