// Finding 7: the CSRF token was an HMAC of the `csrf` cookie's nonce only, so a nonce planted in a
// victim's browser (a sibling subdomain, plain HTTP in front of HTTPS) together with the
// attacker's token passed with the victim's session; and Origin was never looked at. Now the
// token is bound to the session, the cookie is `__Host-csrf` over HTTPS, and a request whose
// Origin (or Referer) names another site is refused.
import supertest from 'supertest';
import { cookieOf, createTestApp, csrfFrom, type TestApp } from '../../support/app';
import { signInAsStaff } from '../../support/staff';

/** The value a Set-Cookie header gives a cookie, or undefined. */
function setCookie(res: supertest.Response, name: string): string | undefined {
  const headers = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return headers.find((h) => h.startsWith(`${name}=`));
}

describe('CSRF: tokens bound to the session, origin checked', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses, on a signed-in session, a token made for a nonce the attacker planted in the victim\'s browser', async () => {
    const victim = await signInAsStaff(t, 'admin');
    const victimPage = await victim.agent.get('/admin/audit').expect(200);
    const victimSession = cookieOf(victim.agent, 'nhi.sid');

    // An anonymous attacker's own nonce and token, and a signed-in attacker's.
    const anonymous = t.agent();
    const anonymousPage = await anonymous.get('/staff/login').expect(200);
    const attacker = await signInAsStaff(t, 'admin');
    const attackerPage = await attacker.agent.get('/admin/audit').expect(200);

    for (const [agent, page] of [
      [anonymous, anonymousPage],
      [attacker.agent, attackerPage],
    ] as const) {
      const forged = await supertest(t.app.getHttpServer())
        .post('/auth/logout')
        .set('Cookie', `nhi.sid=${victimSession}; csrf=${cookieOf(agent, 'csrf')}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      expect(forged.status).toBe(403);
    }
    await victim.agent.get('/admin/audit').expect(200);

    // The victim's own page's token still works.
    const own = await victim.agent.post('/auth/logout').type('form').send({ _csrf: csrfFrom(victimPage.text) });
    expect(own.status).toBe(303);
    expect((await victim.agent.get('/admin/audit')).status).toBe(303);
  });

  it('refuses a state change whose Origin or Referer names another site, and accepts our own', async () => {
    const { agent } = await signInAsStaff(t, 'admin');
    const token = csrfFrom((await agent.get('/admin/audit').expect(200)).text);

    const fromOrigin = await agent.post('/auth/logout').set('Origin', 'http://intranet-evil.example').type('form').send({ _csrf: token });
    expect(fromOrigin.status).toBe(403);
    const fromNull = await agent.post('/auth/logout').set('Origin', 'null').type('form').send({ _csrf: token });
    expect(fromNull.status).toBe(403);
    const fromReferer = await agent.post('/auth/logout').set('Referer', 'http://intranet-evil.example/page').type('form').send({ _csrf: token });
    expect(fromReferer.status).toBe(403);
    await agent.get('/admin/audit').expect(200);

    // Our pages make the browser name their origin on our own forms only (no-referrer would send Origin: null).
    expect((await agent.get('/admin/audit')).headers['referrer-policy']).toBe('same-origin');
    const ours = await agent.post('/auth/logout').set('Origin', new URL(t.config.publicOrigin).origin).type('form').send({ _csrf: token });
    expect(ours.status).toBe(303);
  });

  describe('over HTTPS behind the proxy', () => {
    let https: TestApp;
    beforeAll(async () => {
      https = await createTestApp({ TRUST_PROXY: '127.0.0.1/32,::1/128' });
    });
    afterAll(() => https.close());

    it('names the nonce cookie __Host-csrf (Secure, whole site, no Domain) and ignores a planted plain csrf cookie', async () => {
      const server = https.app.getHttpServer();
      const page = await supertest(server).get('/staff/login').set('X-Forwarded-Proto', 'https').expect(200);
      const hostCookie = setCookie(page, '__Host-csrf');
      expect(hostCookie).toMatch(/; Path=\/(;|$)/);
      expect(hostCookie).toMatch(/; Secure/);
      expect(hostCookie).toMatch(/; HttpOnly/);
      expect(hostCookie).not.toMatch(/Domain=/i);
      expect(setCookie(page, 'csrf')).toBeUndefined();
      const nonce = /^__Host-csrf=([^;]+)/.exec(hostCookie!)![1];

      // A nonce and token from plain HTTP (what a planted cookie would carry) do not pass over HTTPS.
      const plain = https.agent();
      const plainPage = await plain.get('/staff/login').expect(200);
      const planted = await supertest(server)
        .post('/language')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', `csrf=${cookieOf(plain, 'csrf')}`)
        .type('form')
        .send({ _csrf: csrfFrom(plainPage.text), lang: 'en' });
      expect(planted.status).toBe(403);

      const genuine = await supertest(server)
        .post('/language')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', `__Host-csrf=${nonce}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), lang: 'en' });
      expect(genuine.status).toBe(303);
    });
  });
});
