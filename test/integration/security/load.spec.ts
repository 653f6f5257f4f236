// Finding 8: cheap load for anonymous users. Every details POST of a card reservation ran scrypt
// on the user code, and POST /auth/challenge had no limit (each call a session and a challenge
// kept for an hour). Now the details step seals the code and the hash runs once, at submission;
// details POSTs and challenges are rate-limited per session and per client address; an unused
// challenge is forgotten a minute after it expires. (The cap on concurrent scrypt hashes is a
// unit test: test/unit/semaphore.spec.ts.)
import type Redis from 'ioredis';
import type supertest from 'supertest';
import { SecretBox } from '../../../src/common/crypto/secret-box';
import { verifySecret } from '../../../src/common/crypto/secret-hash';
import { translate } from '../../../src/common/i18n/i18n';
import { REDIS } from '../../../src/core/core.module';
import { CardReservation } from '../../../src/modules/cards/lifecycle/card-reservation.entity';
import { firstBookableDay } from '../../../src/modules/cards/lifecycle/counter-date';
import { CardReservationService } from '../../../src/modules/cards/reservation/card-reservation.service';
import { createTestApp, csrfFrom, sessionIdOf, type TestApp } from '../../support/app';
import { reservationAtDetails, reservationDetailsForm } from '../../support/cards';

type Agent = supertest.Agent;
const USER_CODE = 'Hx7pQ2'; // reservationDetailsForm's

describe('cheap load: challenges and reservation details', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '127.0.0.1/32,::1/128', CHALLENGE_RATE_PER_SESSION: '3', CHALLENGE_RATE_PER_CLIENT: '5' });
    redis = t.app.get<Redis>(REDIS);
  });
  afterAll(() => t.close());

  /** A random client address (behind the trusted proxy), so no other test's counts apply. */
  const newClient = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

  async function loginPage(client: string): Promise<{ agent: Agent; token: string }> {
    const agent = t.agent();
    const page = await agent.get('/login').set('X-Forwarded-For', client).expect(200);
    return { agent, token: csrfFrom(page.text) };
  }

  function askChallenge(agent: Agent, token: string, client: string) {
    return agent.post('/auth/challenge').set('X-Forwarded-For', client).set('X-CSRF-Token', token).set('Accept', 'application/json');
  }

  it('limits the challenges one browser session may ask for, and answers the one too many with 429 and a message', async () => {
    const client = newClient();
    const { agent, token } = await loginPage(client);
    let csrf = token;
    for (let i = 0; i < 3; i += 1) {
      const ok = await askChallenge(agent, csrf, client).expect(200);
      csrf = ok.body.csrfToken;
    }
    const refused = await askChallenge(agent, csrf, client);
    expect(refused.status).toBe(429);
    expect(refused.body.message).toBe(translate('zh-TW', 'login.errors.challenges-rate-limited'));

    // another session from the same address still may
    const other = await loginPage(client);
    await askChallenge(other.agent, other.token, client).expect(200);
  });

  it('limits the challenges one client address may ask for across fresh sessions, and only that address', async () => {
    const client = newClient();
    for (let i = 0; i < 5; i += 1) {
      const { agent, token } = await loginPage(client);
      await askChallenge(agent, token, client).expect(200);
    }
    const { agent, token } = await loginPage(client);
    expect((await askChallenge(agent, token, client)).status).toBe(429);
    const elsewhere = newClient();
    const fresh = await loginPage(elsewhere);
    await askChallenge(fresh.agent, fresh.token, elsewhere).expect(200);
  });

  it('forgets an unused challenge a minute after it expires, not an hour', async () => {
    const client = newClient();
    const { agent, token } = await loginPage(client);
    const { body } = await askChallenge(agent, token, client).expect(200);
    const ttl = await redis.ttl(`auth:challenge:${body.challenge}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(t.config.challengeTtlSeconds + 60);
  });

  describe('reservation details', () => {
    let firstDay: string;
    beforeAll(async () => {
      firstDay = firstBookableDay(await t.app.get(CardReservationService).calendar())!;
    });


    it('keeps the user code sealed in the session until submission, and hashes it once, then', async () => {
      const client = newClient();
      const { agent, token } = await reservationAtDetails(t, client);
      // a form with an error and a valid user code, then the corrected form: no hash yet
      await agent.post('/cards/reserve/personnel/details').set('X-Forwarded-For', client).type('form').send({ _csrf: token, ...reservationDetailsForm(firstDay, { phone: '' }) }).expect(422);
      await agent.post('/cards/reserve/personnel/details').set('X-Forwarded-For', client).type('form').send({ _csrf: token, ...reservationDetailsForm(firstDay) }).expect(303);
      const stored = (await redis.get(`sess:${sessionIdOf(agent)}`))!;
      expect(stored).not.toContain(USER_CODE);
      expect(stored).not.toContain('scrypt$');
      const draft = JSON.parse(stored).cardReservation.draft;
      expect(draft.userCodeHash).toBeUndefined();
      expect(new SecretBox(t.config.dataKey, 'reservation-user-code').open(draft.userCodeSealed)).toBe(USER_CODE);

      const done = await agent.post('/cards/reserve/personnel/check').set('X-Forwarded-For', client).type('form').send({ _csrf: token }).expect(303);
      const reference = /\/cards\/reservations\/([^/]+)\/confirmation$/.exec(done.headers.location)![1];
      const row = await t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference });
      expect(await verifySecret(USER_CODE, row.userCodeHash)).toBe(true);
    });

    it('limits the details POSTs of one session (30 in 15 minutes), keeping what was typed before', async () => {
      const client = newClient();
      const { agent, token } = await reservationAtDetails(t, client);
      for (let i = 0; i < 30; i += 1) {
        await agent.post('/cards/reserve/personnel/details').set('X-Forwarded-For', client).type('form').send({ _csrf: token, ...reservationDetailsForm(firstDay, { phone: '' }) }).expect(422);
      }
      const refused = await agent.post('/cards/reserve/personnel/details').set('X-Forwarded-For', client).type('form').send({ _csrf: token, ...reservationDetailsForm(firstDay) });
      expect(refused.status).toBe(429);
      expect(refused.text).toContain(translate('zh-TW', 'cards.errors.rateLimited'));
      const page = await agent.get('/cards/reserve/personnel/details').set('X-Forwarded-For', client).expect(200);
      expect(page.text).toContain('臺北市中正區中山南路100號');
    });
  });
});
