// Finding 9: personal data kept by caches. Every page is sent with Cache-Control: no-store
// (static assets and the PKI's CRLs keep their own caching).
import { createTestApp, csrfFrom, type TestApp } from '../../support/app';
import { signInAsStaff } from '../../support/staff';

describe('caching of pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('pages for signed-in staff are no-store', async () => {
    const { agent } = await signInAsStaff(t, 'admin');
    for (const path of ['/', '/admin/audit', '/admin/jobs', '/admin/mailbox']) {
      const res = await agent.get(path).expect(200);
      expect([path, res.headers['cache-control']]).toEqual([path, 'no-store']);
    }
    const counter = await signInAsStaff(t, 'counter_staff');
    expect((await counter.agent.get('/counter').expect(200)).headers['cache-control']).toBe('no-store');
  });

  it('public pages that show personal data are no-store too, and so are error pages', async () => {
    const agent = t.agent();
    for (const path of ['/cards/lookup', '/cards/services', '/login', '/counters']) {
      expect([path, (await agent.get(path).expect(200)).headers['cache-control']]).toEqual([path, 'no-store']);
    }
    // a reservation this session may not see: sent to the lookup (issue 14), no-store like the error pages
    const refused = await agent.get('/cards/reservations/R20260101ABCDEF').expect(303);
    expect(refused.headers['cache-control']).toBe('no-store');
    const missing = await agent.get('/cards/reserve/no-such-type').expect(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    const home = await agent.get('/').expect(200);
    const form = await agent.post('/cards/lookup').type('form').send({ _csrf: csrfFrom(home.text), nationalId: 'A123456789', reference: 'R20260101ABCDEF' });
    expect(form.headers['cache-control']).toBe('no-store');
  });

  it('static assets keep their own caching', async () => {
    const page = await t.agent().get('/').expect(200);
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(page.text)![1];
    const res = await t.agent().get(css).expect(200);
    expect(res.headers['cache-control']).not.toBe('no-store');
  });
});
