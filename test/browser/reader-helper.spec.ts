// Issue 14 item 4: signing in with a card when the reader helper is missing or stopped. Pressing
// 登入 shows a GOV.UK error summary (focused) that says what is wrong and links to /helper (how
// to install and start it) and to the helper's status page (how to check it); /helper is axe
// clean in both languages; without JavaScript the page still says the helper is needed.
import { LANG_COOKIE } from '../../src/common/i18n/i18n';
import { expectAccessible, freePort, screenshotIfAsked, useBrowser } from '../support/browser';

describe('certificate sign-in without the reader helper, and the /helper page', () => {
  let helperUrl: string;
  const t = useBrowser(async () => {
    // a port nobody listens on: the reader helper is not running
    helperUrl = `http://127.0.0.1:${await freePort()}`;
    return { HELPER_URL: helperUrl };
  });

  afterEach(() => {
    // the page's own attempts to reach the helper fail by design; nothing else may
    const problems = { ...t.problems, failedRequests: t.problems.failedRequests.filter((r) => !r.includes(helperUrl)) };
    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
  });

  it('shows a focused error summary linking to /helper and the status page when 登入 is pressed', async () => {
    const { page } = t;
    await page.goto('/login');
    await page.waitForFunction(() => /61006/.test(document.getElementById('login-status')?.textContent ?? ''));
    const summary = page.locator('#helper-missing');
    // nothing is claimed before the user acts
    expect(await summary.isVisible()).toBe(false);
    await page.getByLabel('醫事人員卡').check();
    await page.locator('#pin').fill('246810');
    await page.getByRole('button', { name: '登入' }).click();
    await summary.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('helper-missing');
    expect(await summary.getByRole('heading').innerText()).toBe('無法連線讀卡元件，無法以卡片登入');
    expect(await summary.innerText()).toContain('可能尚未安裝、沒有啟動');
    expect(await summary.getByRole('link', { name: '尚未安裝：請依說明安裝讀卡元件' }).getAttribute('href')).toBe('/helper#install');
    expect(await summary.getByRole('link', { name: /已安裝：請啟動讀卡元件/ }).getAttribute('href')).toBe('/helper#start');
    expect(await summary.getByRole('link', { name: /檢查讀卡元件是否已啟動/ }).getAttribute('href')).toBe(`${helperUrl}/status`);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'login-helper-missing');

    await Promise.all([page.waitForURL(`${t.baseUrl}/helper#install`), summary.getByRole('link', { name: '尚未安裝：請依說明安裝讀卡元件' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('讀卡元件');
  });

  it('shows the same summary for the NHI card, which needs the helper too', async () => {
    const { page } = t;
    await page.goto('/login');
    await page.waitForFunction(() => /61006/.test(document.getElementById('login-status')?.textContent ?? ''));
    await page.getByRole('radio', { name: '健保卡' }).check();
    await page.getByRole('button', { name: '登入' }).click();
    await page.locator('#helper-missing').waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('helper-missing');
  });

  it('serves /helper in zh-TW and English, axe clean, with the status URL and no developer text', async () => {
    const { page, context } = t;
    await page.goto('/helper');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('讀卡元件');
    for (const heading of ['安裝讀卡元件', '啟動讀卡元件', '檢查讀卡元件是否已啟動', '問題排除']) {
      expect(await page.getByRole('heading', { level: 2, name: heading }).isVisible()).toBe(true);
    }
    for (const os of ['Windows', 'macOS', 'Linux']) expect(await page.getByRole('heading', { level: 3, name: os }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: `${helperUrl}/status` }).getAttribute('href')).toBe(`${helperUrl}/status`);
    const text = await page.locator('main').innerText();
    expect(text).toContain('防毒軟體');
    expect(text).toContain('防火牆');
    expect(text).toContain('安裝套件尚未提供');
    expect(text).not.toContain('npm');
    await expectAccessible(page);
    await screenshotIfAsked(page, 'helper-zh');

    await context.addCookies([{ name: LANG_COOKIE, value: 'en', url: t.baseUrl }]);
    await page.goto('/helper');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('The card reader helper');
    expect(await page.locator('main').innerText()).toContain('Installation packages for Windows, macOS and Linux are not available yet');
    await expectAccessible(page);
    await screenshotIfAsked(page, 'helper-en');
  });

  it('says without JavaScript that signing in needs the reader helper, and links to /helper', async () => {
    const page = await t.newPage({ javaScriptEnabled: false });
    await page.goto('/login');
    const status = page.locator('#login-status');
    expect(await status.innerText()).toContain('需要啟用 JavaScript，並在您的電腦上安裝及啟動讀卡元件');
    expect(await status.getByRole('link').getAttribute('href')).toBe('/helper');
    expect(await page.locator('#helper-missing').isVisible()).toBe(false);
  });
});
