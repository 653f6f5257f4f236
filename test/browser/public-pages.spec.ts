import type { Page } from 'playwright-core';
import { translate } from '../../src/common/i18n/i18n';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { expectAccessible, screenshotIfAsked, useBrowser } from '../support/browser';
import { createStaff } from '../support/staff';

const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);
const en = (key: string, params: Record<string, unknown> = {}) => translate('en', key, params);

/** The text of each cell of one column of the counters table, row by row. */
async function column(page: Page, index: number): Promise<string[]> {
  return page.locator('#counter-results tbody tr').evaluateAll(
    (rows, i) => rows.map((row) => (row.children[i] as HTMLElement | undefined)?.innerText.trim() ?? ''),
    index,
  );
}

/** The caption's count, e.g. 「查詢結果：3 個櫃檯」 → 3. */
async function resultCount(page: Page): Promise<number> {
  const caption = await page.locator('#counter-results caption').innerText();
  return Number(/\d+/.exec(caption)?.[0]);
}

describe('public pages and the staff sign-in in a real browser (Chromium + axe)', () => {
  const t = useBrowser();

  afterEach(() => {
    // No CSP violation, script error or missing asset on any page a test visited.
    expect(t.problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
  });

  it('shows the home page in zh-TW, switches to English with the language button, and remembers it', async () => {
    const { page } = t;
    const res = await page.goto('/');
    expect(res?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hant-TW');
    expect(await page.locator('h1').innerText()).toBe(zh('home.heading'));
    expect(await page.title()).toBe(`${zh('home.title')} – ${zh('app.name')}`);
    // our stylesheet and script loaded under the CSP: the font is ours, and app.js ran
    expect(await page.locator('h1').evaluate((h1) => getComputedStyle(h1).fontFamily)).toContain('Noto Sans TC');
    expect(await page.locator('body').getAttribute('class')).toContain('js-enabled');
    await expectAccessible(page);
    await screenshotIfAsked(page, 'home-zh-TW');

    // the real button: a form POST, then back to the same page
    // (its accessible name is 「切換語言：English」; "English" itself is marked lang="en")
    const button = page.getByRole('button', { name: zh('language.switchTo') });
    expect(await button.locator('[lang]').getAttribute('lang')).toBe('en');
    await button.click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('h1').innerText()).toBe(en('home.heading'));
    await expectAccessible(page);
    await screenshotIfAsked(page, 'home-en');

    // remembered on the next page (a cookie), and the button now offers Chinese in Chinese
    await page.goto('/counters');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').innerText()).toBe(en('counters.title'));
    const back = page.getByRole('button', { name: en('language.switchTo') });
    expect(await back.locator('[lang]').getAttribute('lang')).toBe('zh-Hant-TW');
    expect((await t.context.cookies()).find((c) => c.name === 'lang')?.value).toBe('en');
  });

  it('filters the counters live with HTMX, without a full page load, and pushes the URL', async () => {
    const { page } = t;
    await page.goto('/counters');
    await expectAccessible(page);
    const everywhere = await resultCount(page);
    expect(everywhere).toBeGreaterThan(5);
    const captionBefore = await page.locator('#counter-results caption').textContent();
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });

    // choosing a county asks for the results over HTMX and swaps only the table
    const countyRequest = page.waitForRequest((r) => new URL(r.url()).pathname === '/counters' && r.headers()['hx-request'] === 'true');
    await page.getByLabel(zh('counters.county')).selectOption('63000');
    expect(new URL((await countyRequest).url()).searchParams.get('county')).toBe('63000');
    await page.waitForURL((url) => url.searchParams.get('county') === '63000');
    await page.waitForFunction((before) => document.querySelector('#counter-results caption')?.textContent !== before, captionBefore);
    const taipei = await column(page, 2);
    expect(taipei.length).toBeGreaterThan(1);
    expect(taipei.length).toBeLessThan(everywhere);
    expect(new Set(taipei)).toEqual(new Set(['臺北市']));
    expect(await resultCount(page)).toBe(taipei.length);

    // typing narrows further (after the debounce); the URL carries both filters
    await page.getByLabel(zh('counters.text')).pressSequentially('大安');
    await page.waitForURL((url) => url.searchParams.get('q') === '大安' && url.searchParams.get('county') === '63000');
    await page.waitForFunction(() => document.querySelectorAll('#counter-results tbody tr').length === 1);
    expect(await column(page, 0)).toEqual(['臺北市大安區健康服務中心']);

    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.locator('#counter-results').count()).toBe(1);
    expect(await page.locator('h1').count()).toBe(1);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'counters-filtered');
  });

  it('filters the counters with JavaScript turned off: a plain GET form', async () => {
    const page = await t.newPage({ javaScriptEnabled: false });
    await page.goto('/counters');
    const everywhere = await resultCount(page);
    await page.getByLabel(zh('counters.county')).selectOption('65000');
    await page.getByLabel(zh('counters.text')).fill('板橋');
    await page.getByRole('button', { name: zh('common.search') }).click();
    await page.waitForURL((url) => url.searchParams.get('county') === '65000' && url.searchParams.get('q') === '板橋');
    const names = await column(page, 0);
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThan(everywhere);
    expect(new Set(await column(page, 2))).toEqual(new Set(['新北市']));
    for (const address of await column(page, 3)) expect(address).toContain('板橋區');
    expect(await page.getByLabel(zh('counters.county')).inputValue()).toBe('65000');
    expect(await page.getByLabel(zh('counters.text')).inputValue()).toBe('板橋');
    // axe needs JavaScript: check the same filtered page in this test's ordinary context
    await t.page.goto(page.url());
    expect(await column(t.page, 0)).toEqual(names);
    await expectAccessible(t.page);
  });

  it('shows the staff sign-in errors accessibly: summary linking to each field, 「錯誤：」 in the title', async () => {
    const { page } = t;
    await page.goto('/staff/login');
    await expectAccessible(page);
    const submitted = page.waitForResponse((r) => new URL(r.url()).pathname === '/staff/login' && r.request().method() === 'POST');
    await page.getByRole('button', { name: zh('staff.login.submit') }).click();
    expect((await submitted).status()).toBe(422);
    await page.waitForLoadState('load');
    expect(await page.title()).toBe(`${zh('common.errorPrefix')}${zh('staff.login.title')} – ${zh('app.name')}`);

    const summary = page.locator('.govuk-error-summary');
    expect(await summary.locator('.govuk-error-summary__title').innerText()).toBe(zh('common.errorSummaryTitle'));
    const links = await summary.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent?.trim() })));
    expect(links).toEqual([
      { href: '#username', text: zh('staff.login.errors.usernameRequired') },
      { href: '#password', text: zh('staff.login.errors.passwordRequired') },
      { href: '#code', text: zh('staff.login.errors.codeFormat') },
    ]);
    for (const { href } of links) {
      const field = page.locator(href!);
      expect(await field.evaluate((el) => el.tagName)).toBe('INPUT');
      expect(await field.getAttribute('aria-describedby')).toContain(`${href!.slice(1)}-error`);
    }
    // govuk-frontend moves focus to the summary, and a summary link focuses its field
    await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'));
    await summary.getByRole('link', { name: zh('staff.login.errors.passwordRequired') }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'password');
    await expectAccessible(page);
    await screenshotIfAsked(page, 'staff-login-errors');
  });

  it('lets a staff member sign in by typing into the form, then sign out', async () => {
    const { page } = t;
    const creds = await createStaff(t.app, 'ministry_staff');
    await page.goto('/staff/login');
    // typed as a person would: click into each field, then type
    for (const [label, text] of [
      [zh('staff.login.username'), creds.account.username],
      [zh('staff.login.password'), creds.password],
      [zh('staff.login.code'), totpCode(creds.totpSecret, totpStep())],
    ]) {
      const field = page.getByLabel(label, { exact: true });
      await field.click();
      await field.pressSequentially(text);
      expect(await field.inputValue()).toBe(text); // nothing pre-filled, nothing cut off by maxlength
    }
    await page.getByRole('button', { name: zh('staff.login.submit') }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.locator('.app-header__user-name').innerText()).toBe(creds.account.displayName);
    expect(await page.getByRole('link', { name: zh('nav.audit') }).count()).toBeGreaterThan(0);
    await expectAccessible(page);

    await page.getByRole('button', { name: zh('nav.signOut') }).click();
    await page.waitForFunction(() => !document.querySelector('.app-header__user-name'));
    expect(await page.getByRole('link', { name: zh('nav.audit') }).count()).toBe(0);
  });

  it('answers an unknown address with an accessible 404 page', async () => {
    const { page } = t;
    const res = await page.goto('/no-such-page');
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toBe(zh('errors.404.heading'));
    expect(await page.title()).toContain(zh('app.name'));
    await expectAccessible(page);
    await screenshotIfAsked(page, 'not-found');
  });
});
