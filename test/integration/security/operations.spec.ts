// Finding 10: the operations surface. /metrics answered anyone on the intranet; /healthz told
// anyone the queue backlog. Now /metrics needs the intranet and METRICS_TOKEN (off without one),
// and /healthz and /readyz tell an outside client only whether the service is up. (The Redis
// password, the development SMTP credential and the refused production start without
// TRUST_PROXY are tested in test/unit/notifications-smtp.spec.ts and test/unit/config.spec.ts.)
import { createTestApp, type TestApp } from '../../support/app';

const OUTSIDE = '203.0.113.9';
const INSIDE = '10.20.30.40';
const TOKEN = 'metrics-token-for-this-test-0123456789';

describe('operations surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '127.0.0.1/32,::1/128', INTRANET_CIDRS: '10.0.0.0/8', METRICS_TOKEN: TOKEN });
  });
  afterAll(() => t.close());

  it('tells an outside client only whether the service is up, and the intranet what is up and the backlog', async () => {
    const outside = await t.agent().get('/healthz').set('X-Forwarded-For', OUTSIDE).expect(200);
    expect(outside.body).toEqual({ status: 'ok' });
    const inside = await t.agent().get('/healthz').set('X-Forwarded-For', INSIDE).expect(200);
    expect(inside.body).toMatchObject({ status: 'ok', database: 'ok', redis: 'ok' });
    expect(inside.body).toHaveProperty('backlog');

    expect((await t.agent().get('/readyz').set('X-Forwarded-For', OUTSIDE).expect(200)).body).toEqual({ ready: true });
    const ready = (await t.agent().get('/readyz').set('X-Forwarded-For', INSIDE).expect(200)).body;
    expect(ready).toMatchObject({ ready: true, database: 'ok', redis: 'ok' });
    expect(ready).toHaveProperty('hsm');
    expect(ready).toHaveProperty('reasons');
  });

  it('serves /metrics on the intranet only with the bearer token', async () => {
    const bare = await t.agent().get('/metrics').set('X-Forwarded-For', INSIDE);
    expect(bare.status).toBe(401);
    expect(bare.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    await t.agent().get('/metrics').set('X-Forwarded-For', INSIDE).set('Authorization', 'Bearer not-the-token').expect(401);
    await t.agent().get('/metrics').set('X-Forwarded-For', OUTSIDE).set('Authorization', `Bearer ${TOKEN}`).expect(403);
    const scraped = await t.agent().get('/metrics').set('X-Forwarded-For', INSIDE).set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(scraped.text).toContain('http_request_duration_seconds');
  });

  it('has no /metrics at all without a token', async () => {
    const off = await createTestApp({ TRUST_PROXY: '127.0.0.1/32,::1/128', INTRANET_CIDRS: '10.0.0.0/8', METRICS_TOKEN: '' });
    try {
      await off.agent().get('/metrics').set('X-Forwarded-For', INSIDE).expect(404);
    } finally {
      await off.close();
    }
  });
});
