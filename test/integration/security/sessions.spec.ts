// Finding 2: a disabled staff account kept its session and its write access, and a session in
// use never ended. Disabling ends the account's sessions at once; a sign-in lasts 8 hours
// (staff) or 12 (everyone else) at most, however active the session.
import type Redis from 'ioredis';
import { REDIS } from '../../../src/core/core.module';
import { StaffService } from '../../../src/modules/auth/staff.service';
import { createTestApp, csrfFrom, sessionIdOf, type TestApp } from '../../support/app';
import { signInAsStaff } from '../../support/staff';

describe('sessions', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await createTestApp();
    redis = t.app.get<Redis>(REDIS);
  });
  afterAll(() => t.close());

  it('disabling a staff account ends its sessions at once: the next page asks to sign in and a decision is refused', async () => {
    const { agent, creds } = await signInAsStaff(t, 'counter_staff');
    const other = await signInAsStaff(t, 'counter_staff'); // someone else stays signed in
    const page = await agent.get('/counter').expect(200);
    await t.app.get(StaffService).disable(creds.account.username, { kind: 'test' });

    const after = await agent.get('/counter');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/staff/login?returnTo=%2Fcounter');
    const post = await agent.post('/counter/reservations/R20260101ABCDEF').type('form').send({ _csrf: csrfFrom(page.text), decision: 'reject', reason: 'x' });
    expect(post.status).toBe(303);
    expect(post.headers.location).toMatch(/^\/staff\/login/);
    await other.agent.get('/counter').expect(200);
  });

  it('ends a staff sign-in after 8 hours however active it is, and anyone else\'s after 12', async () => {
    const { agent } = await signInAsStaff(t, 'admin');
    await agent.get('/admin/audit').expect(200);
    const key = `sess:${sessionIdOf(agent)}`;
    const session = JSON.parse((await redis.get(key))!);
    session.signedInAt = Date.now() - 8 * 3_600_000 - 1000;
    await redis.set(key, JSON.stringify(session), 'KEEPTTL');
    const expired = await agent.get('/admin/audit');
    expect(expired.status).toBe(303);
    expect(expired.headers.location).toBe('/staff/login?returnTo=%2Fadmin%2Faudit');

    expect(t.config.sessionMaxHours).toEqual({ staff: 8, others: 12 });
  });

  it('an anonymous page view stores no session and sets no session cookie; the first request that keeps something (a challenge) begins one', async () => {
    const agent = t.agent();
    const home = await agent.get('/').expect(200);
    const cookies = ([] as string[]).concat(home.headers['set-cookie'] ?? []);
    expect(cookies.some((c) => c.startsWith('nhi.sid='))).toBe(false);
    // The page's forms still carry a token, bound to the CSRF nonce alone: a form posted from it is accepted.
    const challenge = await agent.post('/auth/challenge').set('X-CSRF-Token', csrfFrom(home.text)).set('Origin', t.config.publicOrigin).set('Accept', 'application/json').expect(200);
    const id = sessionIdOf(agent);
    expect(id).toBeTruthy();
    expect(await redis.exists(`sess:${id}`)).toBe(1);
    expect(challenge.body.challenge).toEqual(expect.any(String));
  });
});
