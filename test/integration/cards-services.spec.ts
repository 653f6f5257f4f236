// The card services by card number against the real app, MariaDB, Redis and SoftHSM2 cards, with
// the reader helper in-process: the test does what the page script does (helper calls with the
// page's Origin, JSON posts to the server with the CSRF header).
import type { Job } from 'bullmq';
import type Redis from 'ioredis';
import type supertest from 'supertest';
import { translate } from '../../src/common/i18n/i18n';
import { LOGGER, REDIS } from '../../src/core/core.module';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { Card } from '../../src/modules/cards/lifecycle/card.entity';
import { CARD_SERVICES_JOBS, CardExpiryReminders, CardServicesProcessor } from '../../src/modules/cards/holder-services/card-expiry.jobs';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { RevocationService } from '../../src/modules/certificates/revocation.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { createReaderHelper, type ReaderHelper } from '../../src/reader-helper/main';
import type { WebEidAuthToken } from '../../src/shared/web-eid';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { callHelper, createIssuedCard, publishHcaCrl, type TestCard, type TestCardOptions } from '../support/cards';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();

type Agent = supertest.Agent;
const DAY = 24 * 60 * 60 * 1000;
/** Handlebars escapes quotes and = in text: compare messages as they appear in the HTML. */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/=/g, '&#x3D;');
/** The form the page script drives (its fields have no name: nothing in it is ever sent to the server). */
const serviceForm = (page: string) => /<form id="card-service"[\s\S]*?<\/form>/.exec(page)![0];
const zh = (key: string, params: Record<string, unknown> = {}) => html(translate('zh-TW', key, params));

describe('card services by card number', () => {
  let t: TestApp;
  let helper: ReaderHelper;
  let origin: string;
  let redis: Redis;

  beforeAll(async () => {
    t = await createTestApp();
    origin = t.config.publicOrigin;
    redis = t.app.get<Redis>(REDIS);
    await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    await publishHcaCrl(t);
    helper = await createReaderHelper({ port: 0, allowedOrigins: [origin], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
  });
  afterAll(async () => {
    await helper.close();
    await t.close();
  });
  beforeEach(async () => {
    const keys = await redis.keys('cards:*');
    if (keys.length) await redis.del(...keys);
  });

  const newCard = (options: Partial<TestCardOptions> = {}) => createIssuedCard(t, { modulePath: store.modulePath, ...options });
  const reload = (tc: TestCard) => t.dataSource.getRepository(Card).findOneByOrFail({ id: tc.card.id });
  const audits = (action: string, cardNumber: string) => t.dataSource.getRepository(AuditEvent).find({ where: { action, targetId: cardNumber }, order: { id: 'ASC' } });
  const issued = async (id: number) => (await t.app.get(CertificateIssuer).issued(id))!;

  /** GET a page (expecting `status`) and return its HTML and the CSRF token it carries. */
  async function page(agent: Agent, path: string, status = 200) {
    const res = await agent.get(path).expect(status);
    return { text: res.text, csrf: csrfFrom(res.text) };
  }

  /** Posts a form the way the browser does after showing `formPath`. */
  async function post(agent: Agent, formPath: string, form: Record<string, string>, action = formPath) {
    const { csrf } = await page(agent, formPath);
    return agent.post(action).type('form').send({ _csrf: csrf, ...form });
  }

  /** A JSON post from the page script (CSRF header, the page's Origin). */
  function json(agent: Agent, path: string, csrf: string, body: unknown = {}) {
    return agent.post(path).set('X-CSRF-Token', csrf).set('Origin', origin).set('Accept', 'application/json').send(body as object);
  }

  const sign = (tc: TestCard, challenge: string, pin: string) => callHelper(helper, origin, 'POST', '/sign', { origin, challenge, pin, token: tc.label });
  const someChallenge = () => Buffer.alloc(32, 7).toString('base64');

  /** The certificate sign-in with this card (helper signs), as the login page does it. */
  async function login(tc: TestCard, pin: string, tamper: (token: WebEidAuthToken) => WebEidAuthToken = (x) => x) {
    const agent = t.agent();
    const loginPage = await page(agent, '/login');
    // the challenge begins the session: from then on the page's script sends the token it answers with
    const { challenge, csrfToken: csrf } = (await agent.post('/auth/challenge').set('X-CSRF-Token', loginPage.csrf).set('Accept', 'application/json').expect(200)).body as { challenge: string; csrfToken: string };
    const signed = await sign(tc, challenge, pin);
    expect(signed.status).toBe(200);
    return json(agent, '/auth/certificate', csrf, { challenge, token: tamper(signed.body as WebEidAuthToken), cardType: 'personnel', returnTo: '/' });
  }

  it('finds a card by its 12 digits with or without "GH" and spaces, shows its status and the services its state allows', async () => {
    const tc = await newCard();
    const agent = t.agent();
    const spaced = `gh ${tc.cardNumber.slice(0, 4)} ${tc.cardNumber.slice(4, 8)} ${tc.cardNumber.slice(8)}`;
    const found = await post(agent, '/cards/services', { cardNumber: spaced });
    expect(found.status).toBe(303);
    expect(found.headers.location).toBe(`/cards/services/${tc.cardNumber}`);

    const status = await page(agent, `/cards/services/${tc.cardNumber}`);
    expect(status.text).toContain(zh('cardServices.state.issued'));
    expect(status.text).toContain(zh('cards.type.personnel'));
    expect(status.text).toContain('林*明'); // the holder's name, masked
    const menu = /<ul class="govuk-list" id="card-services-menu">([\s\S]*?)<\/ul>/.exec(status.text)![1];
    expect(menu).toContain(`/cards/services/${tc.cardNumber}/open`);
    expect(menu).toContain(`/cards/services/${tc.cardNumber}/unlock`);
    expect(menu).not.toContain('/resume');
    expect(menu).not.toContain('/suspend');

    const unknown = await post(agent, '/cards/services', { cardNumber: '999999999999' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain(zh('cardServices.errors.cardNumber.unknown'));
    const malformed = await post(agent, '/cards/services', { cardNumber: '12345' });
    expect(malformed.status).toBe(422);
    expect(malformed.text).toContain(zh('cardServices.errors.cardNumber.format'));
    await agent.get('/cards/services/999999999999').expect(404);
    expect(await t.dataSource.getRepository(AuditEvent).countBy({ action: 'card.lookup', outcome: 'failure', targetId: '999999999999' })).toBe(2);
  });

  it('shows the status in English too, and pauses lookups after 10 unknown numbers from one session', async () => {
    const tc = await newCard({ state: 'active' });
    const agent = t.agent();
    const { csrf } = await page(agent, '/cards/services');
    await agent.post('/language').type('form').send({ _csrf: csrf, lang: 'en', returnTo: '/cards/services' }).expect(303);
    const status = await page(agent, `/cards/services/${tc.cardNumber}`);
    expect(status.text).toContain(html(translate('en', 'cardServices.state.active')));
    expect(status.text).toContain(html(translate('en', 'cardServices.menu.change-pin')));

    for (let i = 0; i < 10; i++) expect((await post(agent, '/cards/services', { cardNumber: `9000000000${String(i).padStart(2, '0')}` })).status).toBe(422);
    const paused = await post(agent, '/cards/services', { cardNumber: tc.cardNumber });
    expect(paused.status).toBe(429);
    await agent.get(`/cards/services/${tc.cardNumber}`).expect(429);
  });

  it('opens a card: a wrong user code costs a try, the right one lets the helper open the card and sign this session\'s challenge, and the card becomes active', async () => {
    const tc = await newCard();
    const agent = t.agent();
    const base = `/cards/services/${tc.cardNumber}`;

    const wrong = await post(agent, `${base}/open`, { userCode: 'Zz9999' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain(zh('cardServices.errors.userCode.wrong', { triesLeft: 4 }));
    // no step without the user code
    await agent.get(`${base}/open/card`).expect(303).expect('Location', `${base}/open`);

    const right = await post(agent, `${base}/open`, { userCode: tc.userCode });
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe(`${base}/open/card`);
    expect((await reload(tc)).userCodeFailures).toBe(0);
    const cardPage = await page(agent, `${base}/open/card`);
    expect(cardPage.text).toContain(`data-token="${tc.label}"`);
    expect(serviceForm(cardPage.text)).not.toMatch(/<input[^>]*name=/); // the PIN goes to the helper only

    const challenge = (await json(agent, `${base}/open/challenge`, cardPage.csrf).expect(200)).body.challenge as string;
    // an unopened card does not sign (9046)
    const refused = await sign(tc, challenge, tc.pin);
    expect(refused.body.code).toBe(9046);
    expect((await callHelper(helper, origin, 'POST', '/card/open', { pin: tc.pin, token: tc.label })).status).toBe(200);
    const signed = await sign(tc, challenge, tc.pin);
    expect(signed.status).toBe(200);
    const done = await json(agent, `${base}/open/complete`, cardPage.csrf, { challenge, token: signed.body }).expect(200);
    expect(done.body).toEqual({ ok: true, redirect: `${base}/done/opened` });

    const card = await reload(tc);
    expect(card.state).toBe('active');
    expect(card.openedAt).toBeInstanceOf(Date);
    expect(await audits('card.open', tc.cardNumber)).toHaveLength(1);
    const confirmation = await page(agent, `${base}/done/opened`);
    expect(confirmation.text).toContain(zh('cardServices.done.opened.title'));
    expect(confirmation.text).toContain(zh('cardServices.state.active'));
    // and the card signs in
    expect((await login(tc, tc.pin)).status).toBe(200);
  });

  it('refuses to open a card with a signature from another card, and without the user code', async () => {
    const tc = await newCard();
    const other = await newCard({ state: 'active' });
    const agent = t.agent();
    const base = `/cards/services/${tc.cardNumber}`;
    const { csrf } = await page(agent, `${base}/open`);
    const noGrant = await json(agent, `${base}/open/challenge`, csrf);
    expect(noGrant.status).toBe(403);
    expect(noGrant.body.code).toBe('card-user-code-first');

    expect((await post(agent, `${base}/open`, { userCode: tc.userCode })).status).toBe(303);
    const cardPage = await page(agent, `${base}/open/card`);
    const challenge = (await json(agent, `${base}/open/challenge`, cardPage.csrf).expect(200)).body.challenge as string;
    const signed = await sign(other, challenge, other.pin);
    const res = await json(agent, `${base}/open/complete`, cardPage.csrf, { challenge, token: signed.body });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('certificate-not-this-card');
    expect((await reload(tc)).state).toBe('issued');
    const failures = await audits('card.presence-check', tc.cardNumber);
    expect(failures.map((a) => (a.summary as { code: string }).code)).toEqual(['certificate-not-this-card']);
  });

  it('changes the PIN through the helper; three wrong PINs lock it (9043); the user code shows the PUK once; PUK and a new PIN unlock it and it signs again', async () => {
    const tc = await newCard({ state: 'active' });
    const agent = t.agent();
    const base = `/cards/services/${tc.cardNumber}`;

    const changePage = await page(agent, `${base}/change-pin`);
    expect(changePage.text).toContain('data-action="change-pin"');
    expect(serviceForm(changePage.text)).not.toMatch(/<input[^>]*name=/);
    const newPin = '135790';
    expect((await callHelper(helper, origin, 'POST', '/pin/change', { oldPin: tc.pin, newPin, token: tc.label })).status).toBe(200);
    expect((await sign(tc, someChallenge(), newPin)).status).toBe(200);

    const tries = [];
    for (let i = 0; i < 3; i++) tries.push((await sign(tc, someChallenge(), '000000')).body);
    expect(tries.map((b) => [b.code, b.triesLeft])).toEqual([
      [9039, 2],
      [9039, 1],
      [9043, 0],
    ]);
    expect((await sign(tc, someChallenge(), newPin)).body.code).toBe(9043);

    // the user code, then the PUK, shown once and never cached
    expect((await post(agent, `${base}/unlock`, { userCode: 'ab3de9' })).status).toBe(422); // case-sensitive
    const checked = await post(agent, `${base}/unlock`, { userCode: tc.userCode });
    expect(checked.status).toBe(303);
    expect(checked.headers.location).toBe(`${base}/unlock/puk`);
    const pukPage = await agent.get(`${base}/unlock/puk`).expect(200);
    expect(pukPage.headers['cache-control']).toBe('no-store');
    expect(/<p class="govuk-heading-l app-reference" id="puk">(\d+)<\/p>/.exec(pukPage.text)![1]).toBe(tc.puk);
    expect(serviceForm(pukPage.text)).not.toMatch(/<input[^>]*name=/); // PUK and PINs go to the helper only
    await agent.get(`${base}/unlock/puk`).expect(303).expect('Location', `${base}/unlock`);
    const released = await audits('card.puk-released', tc.cardNumber);
    expect(released).toHaveLength(1);
    expect(JSON.stringify(released[0])).not.toContain(tc.puk);

    const unlockedPin = '246802';
    expect((await callHelper(helper, origin, 'POST', '/pin/unlock', { puk: tc.puk, newPin: unlockedPin, token: tc.label })).status).toBe(200);
    expect((await sign(tc, someChallenge(), unlockedPin)).status).toBe(200);
    expect((await login(tc, unlockedPin)).status).toBe(200);
  });

  it('pauses this computer\'s user-code checks of a card after 5 wrong codes, audits each failure and the pause, and slows the card\'s other services down', async () => {
    const tc = await newCard({ state: 'active' });
    const agent = t.agent();
    const path = `/cards/services/${tc.cardNumber}/suspend`;
    for (const left of [4, 3, 2, 1]) {
      const res = await post(agent, path, { userCode: 'Wrong1' });
      expect(res.status).toBe(422);
      expect(res.text).toContain(zh('cardServices.errors.userCode.wrong', { triesLeft: left }));
    }
    const fifth = await post(agent, path, { userCode: 'Wrong1' });
    expect(fifth.status).toBe(429);
    expect(fifth.text).toContain(zh('cardServices.errors.userCode.locked', { max: 5, minutes: 30 }));
    const rightButLocked = await post(agent, path, { userCode: tc.userCode });
    expect(rightButLocked.status).toBe(429);

    const card = await reload(tc);
    expect(card.state).toBe('active');
    expect(card.userCodeFailures).toBe(5);
    // from the 5th wrong code in a row on, the card's non-protective services wait (30 s, doubling)
    expect(card.userCodeLockedUntil!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    const checks = await audits('card.user-code-check', tc.cardNumber);
    expect(checks.map((a) => [a.outcome, (a.summary as { reason: string }).reason])).toEqual([
      ...Array(5).fill(['failure', 'wrong']),
      ['failure', 'locked'],
    ]);
    expect(await audits('card.user-code-locked', tc.cardNumber)).toHaveLength(1);

    // once this computer's pause has run out, the right code works and the count starts again
    const pauses = await redis.keys(`cards:user-code-card-client:pair:${tc.cardNumber}|*`);
    await redis.del(...pauses);
    expect((await post(agent, path, { userCode: tc.userCode })).status).toBe(303);
    const after = await reload(tc);
    expect(after.state).toBe('suspended');
    expect(after.userCodeFailures).toBe(0);
    expect(after.userCodeLockedUntil).toBeNull();
  });

  it('suspends (certificate on hold: sign-in refused), resumes (sign-in works) and revokes (refused for good)', async () => {
    const tc = await newCard({ state: 'active' });
    const agent = t.agent();
    const base = `/cards/services/${tc.cardNumber}`;
    expect((await login(tc, tc.pin)).status).toBe(200);

    const suspended = await post(agent, `${base}/suspend`, { userCode: tc.userCode });
    expect(suspended.status).toBe(303);
    expect(suspended.headers.location).toBe(`${base}/done/suspended`);
    expect((await reload(tc)).state).toBe('suspended');
    expect((await issued(tc.certificateId)).status).toBe('on-hold');
    await publishHcaCrl(t);
    const onHold = await login(tc, tc.pin);
    expect(onHold.body.code).toBe('certificate-on-hold');
    const status = await page(agent, `${base}`);
    expect(status.text).toContain(zh('cardServices.state.suspended'));
    expect(status.text).toContain(`${base}/resume`);

    expect((await post(agent, `${base}/resume`, { userCode: tc.userCode })).status).toBe(303);
    expect((await reload(tc)).state).toBe('active');
    expect((await issued(tc.certificateId)).status).toBe('good');
    await publishHcaCrl(t);
    expect((await login(tc, tc.pin)).status).toBe(200);

    // a missing reason or confirmation costs no user-code try
    const incomplete = await post(agent, `${base}/revoke`, { userCode: 'Wrong1' });
    expect(incomplete.status).toBe(422);
    expect(incomplete.text).toContain(zh('cardServices.errors.reason'));
    expect(incomplete.text).toContain(zh('cardServices.errors.confirm'));
    expect((await reload(tc)).userCodeFailures).toBe(0);
    const revoked = await post(agent, `${base}/revoke`, { userCode: tc.userCode, reason: 'affiliationChanged', confirm: 'yes' });
    expect(revoked.status).toBe(303);
    const card = await reload(tc);
    expect(card.state).toBe('revoked');
    expect(card.revocationReason).toBe('affiliationChanged');
    const certificate = await issued(tc.certificateId);
    expect([certificate.status, certificate.revocationReason]).toEqual(['revoked', 'affiliationChanged']);
    await publishHcaCrl(t);
    expect((await login(tc, tc.pin)).body.code).toBe('certificate-revoked');
    const after = await page(agent, base);
    expect(after.text).toContain(zh('cardServices.state.revoked'));
    expect(after.text).toContain(zh('cardServices.status.noServices'));
    expect((await audits('card.suspend', tc.cardNumber)).length).toBe(1);
    expect((await audits('card.resume', tc.cardNumber)).length).toBe(1);
    expect((await audits('card.revoke', tc.cardNumber)).length).toBe(1);
  });

  it('moves the card and its certificate together: when the certificate step fails, the card keeps its state', async () => {
    const tc = await newCard({ state: 'active' });
    // the certificate is already on hold (someone held it directly): the card's suspension must roll back
    await t.app.get(RevocationService).hold(tc.certificateId, { actor: { kind: 'test' } });
    const res = await post(t.agent(), `/cards/services/${tc.cardNumber}/suspend`, { userCode: tc.userCode });
    expect(res.status).toBe(409);
    expect((await reload(tc)).state).toBe('active');
    expect(await audits('card.suspend', tc.cardNumber)).toHaveLength(0);
  });

  it('answers an illegal transition (resume an active card) with a 409 page, spending no user-code try', async () => {
    const tc = await newCard({ state: 'active' });
    const agent = t.agent();
    const form = await agent.get(`/cards/services/${tc.cardNumber}/resume`);
    expect(form.status).toBe(409);
    expect(form.text).toContain(zh('errors.409.heading'));
    expect(form.text).toContain(zh('cardServices.errors.notInState.active'));
    const { csrf } = await page(agent, `/cards/services/${tc.cardNumber}`);
    const res = await agent.post(`/cards/services/${tc.cardNumber}/resume`).type('form').send({ _csrf: csrf, userCode: tc.userCode });
    expect(res.status).toBe(409);
    expect((await reload(tc)).state).toBe('active');
    expect(await audits('card.user-code-check', tc.cardNumber)).toHaveLength(0);
  });

  it('reports a card lost: revoked (keyCompromise) and the reservation journey continues with a draft filled from the card', async () => {
    const tc = await newCard({ state: 'active' });
    const agent = t.agent();
    const res = await post(agent, `/cards/services/${tc.cardNumber}/lost`, { userCode: tc.userCode, confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/cards/reserve/personnel/details');
    const card = await reload(tc);
    expect([card.state, card.revocationReason]).toEqual(['revoked', 'keyCompromise']);
    expect((await issued(tc.certificateId)).revocationReason).toBe('keyCompromise');
    const details = await page(agent, '/cards/reserve/personnel/details');
    expect(details.text).toContain('value="0912-345-678"');
    expect(details.text).toContain(html('臺北市大安區復興南路一段200號'));
  });

  it('renews online: a new certificate for the card\'s own key, written onto the card; the old one is superseded', async () => {
    const tc = await newCard({ state: 'active', validity: { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 30 * DAY) } });
    const agent = t.agent();
    const base = `/cards/services/${tc.cardNumber}`;
    const status = await page(agent, base);
    expect(status.text).toContain(`${base}/renew`);
    expect((await page(agent, `${base}/renew`)).text).toContain(`${base}/renew/online`);
    const online = await page(agent, `${base}/renew/online`);
    const challenge = (await json(agent, `${base}/renew/challenge`, online.csrf).expect(200)).body.challenge as string;
    const signed = await sign(tc, challenge, tc.pin);
    const done = await json(agent, `${base}/renew/complete`, online.csrf, { challenge, token: signed.body });
    expect(done.status).toBe(200);
    expect(done.body.redirect).toBe(`${base}/done/renewed`);

    const card = await reload(tc);
    expect(card.certificateId).not.toBe(tc.certificateId);
    expect(card.notAfter!.getTime()).toBeGreaterThan(Date.now() + 300 * DAY);
    const fresh = await issued(card.certificateId!);
    const old = await issued(tc.certificateId);
    expect([old.status, old.revocationReason]).toEqual(['revoked', 'superseded']);
    // the card now carries the new certificate, for the same key
    const onCard = await callHelper(helper, origin, 'GET', `/certificate?token=${tc.label}`);
    expect(Buffer.from(onCard.body.certificate, 'base64').equals(fresh.der)).toBe(true);
    await publishHcaCrl(t);
    const trust = t.app.get(TrustStoreService);
    expect((await trust.validate(fresh.der, { purpose: 'client-auth' })).valid).toBe(true);
    expect((await login(tc, tc.pin)).status).toBe(200);
    // the old certificate, signed for by the same key, is refused
    const withOld = await login(tc, tc.pin, (token) => ({ ...token, unverifiedCertificate: tc.der.toString('base64') }));
    expect(withOld.body.code).toBe('certificate-revoked');
    expect(await audits('card.renew', tc.cardNumber)).toHaveLength(1);
  });

  it('e-mails the user-code reminder (never the code) to the registered address, a few times a day at most', async () => {
    const tc = await newCard({ state: 'active' });
    const agent = t.agent();
    const base = `/cards/services/${tc.cardNumber}`;
    const sent = await post(agent, `${base}/user-code`, {});
    expect(sent.status).toBe(303);
    const done = await page(agent, sent.headers.location);
    expect(done.text).toContain(zh('cardServices.done.reminder.sentTo', { to: 'l*********g@example.test' }));
    const mails = (await t.dataSource.getRepository(OutboxMessage).find()).filter((m) => m.payload.includes(tc.cardNumber) && m.payload.includes('cards.user-code-reminder'));
    expect(mails).toHaveLength(1);
    const mail = JSON.parse(mails[0].payload) as { to: string[]; text: string };
    expect(mail.to).toEqual([tc.card.email]);
    expect(mail.text).not.toContain(tc.userCode);
    for (let i = 0; i < 2; i++) expect((await post(agent, `${base}/user-code`, {})).status).toBe(303);
    expect((await post(t.agent(), `${base}/user-code`, {})).status).toBe(429);
    expect((await audits('card.user-code-reminder', tc.cardNumber)).map((a) => a.outcome)).toEqual(['success', 'success', 'success', 'failure']);
  });

  it('e-mails the expiry reminder once for an active card expiring soon, and moves a card past its end to expired', async () => {
    const soon = await newCard({ state: 'active', validity: { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 20 * DAY) } });
    const later = await newCard({ state: 'active', validity: { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 200 * DAY) } });
    const ended = await newCard({ state: 'active', validity: { notBefore: new Date(Date.now() - 40 * DAY), notAfter: new Date(Date.now() - DAY) } });
    const processor = new CardServicesProcessor(t.app.get(CardExpiryReminders), t.app.get(LOGGER));
    const first = await processor.process({ name: CARD_SERVICES_JOBS.expiryReminders } as Job);
    expect(first.reminded).toBeGreaterThanOrEqual(1);
    await t.app.get(CardExpiryReminders).run();

    const mailsFor = async (tc: TestCard) =>
      (await t.dataSource.getRepository(OutboxMessage).find()).filter((m) => m.payload.includes(tc.cardNumber) && m.payload.includes('cards.expiry-reminder'));
    const mails = await mailsFor(soon);
    expect(mails).toHaveLength(1);
    expect(JSON.parse(mails[0].payload).to).toEqual([soon.card.email]);
    expect((await reload(soon)).expiryRemindedAt).toBeInstanceOf(Date);
    expect(await mailsFor(later)).toHaveLength(0);
    expect((await reload(ended)).state).toBe('expired');
    await expect(processor.process({ name: 'something-else' } as Job)).rejects.toThrow('Unknown job');
  });
});
