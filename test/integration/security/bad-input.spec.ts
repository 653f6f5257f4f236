// Finding 5: repeated or non-string parameters and body-parser failures answered 500 (a stack
// trace in the log each time). Every one is a 4xx with the error page, and nothing is lost.
import { gzipSync } from 'node:zlib';
import { createTestApp, csrfFrom, type TestApp } from '../../support/app';
import { signInAsStaff } from '../../support/staff';

describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function form(agent = t.agent()) {
    const page = await agent.get('/staff/login').expect(200);
    return { agent, csrf: csrfFrom(page.text) };
  }

  it('repeated query parameters on public and staff lists', async () => {
    expect((await t.agent().get('/counters?q=a&q=b')).status).toBe(200);
    expect((await t.agent().get('/counters?county=63000&county=65000')).status).toBe(200);
    const { agent: admin } = await signInAsStaff(t, 'admin');
    expect((await admin.get('/admin/audit?action=a&action=b')).status).toBe(200);
    expect((await admin.get('/admin/audit?page=1&page=2')).status).toBe(200);
    const { agent: counter } = await signInAsStaff(t, 'counter_staff');
    expect((await counter.get('/counter?date=a&date=b')).status).toBe(200);
  });

  it('repeated, numeric and structured fields on the staff sign-in give the form again (422), never 500', async () => {
    const { agent, csrf } = await form();
    const repeated = await agent.post('/staff/login').type('form').send(`_csrf=${encodeURIComponent(csrf)}&username=a&username=b&password=x&code=123456`);
    expect(repeated.status).toBe(422);
    for (const body of [{ username: 'someone', password: 'x', code: 123456 }, { username: 'someone', password: ['x'], code: '123456' }, { username: { a: 1 }, password: 'x', code: '123456' }]) {
      const res = await agent.post('/staff/login').set('X-CSRF-Token', csrf).send(body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 422]);
    }
  });

  it('a body over the limit, or with too many fields: 413 with the error page', async () => {
    const { agent, csrf } = await form();
    const big = await agent.post('/staff/login').set('X-CSRF-Token', csrf).type('form').send(`_csrf=${csrf}&username=${'x'.repeat(300_000)}`);
    expect(big.status).toBe(413);
    expect(big.text).toContain('送出的資料太大');
    const fields = Array.from({ length: 600 }, (_, i) => `f${i}=1`).join('&');
    const many = await agent.post('/staff/login').set('X-CSRF-Token', csrf).type('form').send(`${fields}&_csrf=${csrf}`);
    expect(many.status).toBe(413);
  });

  it('a broken compressed body is 400 and an unknown charset 415, each with the error page', async () => {
    const { agent, csrf } = await form();
    const broken = await agent.post('/staff/login').set('X-CSRF-Token', csrf).set('Content-Type', 'application/x-www-form-urlencoded').set('Content-Encoding', 'gzip').send(Buffer.from('not gzip at all'));
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('無法處理這個要求');
    const br = await agent.post('/staff/login').set('X-CSRF-Token', csrf).set('Content-Type', 'application/x-www-form-urlencoded').set('Content-Encoding', 'br').send(gzipSync('a=1'));
    expect(br.status).toBe(400);
    const charset = await agent.post('/staff/login').set('X-CSRF-Token', csrf).set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-99').send('username=a');
    expect(charset.status).toBe(415);
    expect(charset.text).toContain('無法讀取送出的資料');
    const json = await agent.post('/staff/login').set('X-CSRF-Token', csrf).set('Content-Type', 'application/json').send('{"username":');
    expect(json.status).toBe(400);
  });

  it('an OCSP request of a megabyte is 413', async () => {
    const res = await t.agent().post('/pki/ocsp').set('Content-Type', 'application/ocsp-request').send(Buffer.alloc(1024 * 1024, 0x30));
    expect(res.status).toBe(413);
  });
});
