// Finding 1 of the outside probe: an open redirect after sign-in through a return-to that the
// browser reads differently ("/<TAB>/host" becomes "//host"). One function decides every return-to.
import { safeReturnTo } from '../../../src/common/web/return-to';
import { createTestApp, csrfFrom, type TestApp } from '../../support/app';

const ORIGIN = 'http://127.0.0.1:3000';
const HOSTILE = ['/\t/127.0.0.1:9/phish', '/\n/evil.example', '//evil.example', '/\\evil.example', '\\\\evil.example', 'https://evil.example/', 'javascript:alert(1)', ' /x', '/x\u0000y'];

describe('return-to addresses', () => {
  it.each(HOSTILE)('refuses %j', (value) => {
    const safe = safeReturnTo(value, ORIGIN);
    expect(safe).toBe('/');
  });

  it('keeps a path on this site with its query and fragment, and refuses what is not a string', () => {
    expect(safeReturnTo('/cards/services/123456789012?x=1#top', ORIGIN)).toBe('/cards/services/123456789012?x=1#top');
    expect(safeReturnTo(['/a', '/b'], ORIGIN)).toBe('/');
    expect(safeReturnTo({ href: '/a' }, ORIGIN)).toBe('/');
  });

  describe('on the pages that take one', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('the certificate sign-in page hands its script only a safe return-to', async () => {
      const page = await t.agent().get('/login?returnTo=%2F%09%2F127.0.0.1%3A9%2Fphish').expect(200);
      expect(page.text).not.toContain('127.0.0.1:9');
      expect(page.text).toMatch(/name="returnTo" value="\/"/);
    });

    it('the staff sign-in page and the language switch do not redirect elsewhere', async () => {
      const staff = await t.agent().get('/staff/login?returnTo=%2F%09%2Fevil.example').expect(200);
      expect(staff.text).toMatch(/<form method="post" action="\/staff\/login"[^>]*>[\s\S]*?name="returnTo" value="\/"/);
      const agent = t.agent();
      const home = await agent.get('/').expect(200);
      const res = await agent.post('/language').type('form').send({ _csrf: csrfFrom(home.text), lang: 'en', returnTo: '/\t/evil.example' }).expect(303);
      expect(res.headers.location).toBe('/');
    });
  });
});
