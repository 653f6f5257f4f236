import { expectAccessible, useBrowser } from '../support/browser';
describe('dbg', () => {
  const t = useBrowser();
  it('timing', async () => {
    const start = Date.now();
    const log = (m: string) => process.stdout.write(`${Date.now() - start}ms ${m}\n`);
    await t.page.goto('/'); log('goto home');
    await expectAccessible(t.page); log('axe home');
    await t.page.goto('/counters'); log('goto counters');
    await expectAccessible(t.page); log('axe counters');
    await expectAccessible(t.page); log('axe counters again');
    await t.page.goto('/staff/login'); log('goto login');
    await expectAccessible(t.page); log('axe login');
  });
});
