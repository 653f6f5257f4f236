import { translate } from '../../src/common/i18n/i18n';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { createReaderHelper } from '../../src/reader-helper/main';
import { expectAccessible, freePort, screenshotIfAsked, useBrowser } from '../support/browser';
import { callHelper, createIssuedCard, publishHcaCrl, type TestCard } from '../support/cards';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();
const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);

describe('card services in a real browser: unlock a PIN-locked card from its number to 「變更PIN碼(解鎖卡)成功」', () => {
  let helperPort: number;
  let helper: Awaited<ReturnType<typeof createReaderHelper>> | undefined;
  let tc: TestCard;
  const t = useBrowser(async () => {
    helperPort = await freePort();
    return { HELPER_URL: `http://127.0.0.1:${helperPort}` };
  });

  beforeAll(async () => {
    await t.app.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    await publishHcaCrl(t.app);
    tc = await createIssuedCard(t.app, { modulePath: store.modulePath, state: 'active' });
    helper = await createReaderHelper({ port: helperPort, allowedOrigins: [t.baseUrl], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
  });

  afterAll(async () => {
    await helper?.close();
  });

  afterEach(() => {
    // No CSP violation, script error or missing asset on any page the test visited.
    expect(t.problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
  });

  const sign = (pin: string) =>
    callHelper(helper!, t.baseUrl, 'POST', '/sign', { origin: t.baseUrl, challenge: Buffer.alloc(32, 3).toString('base64'), pin, token: tc.label });

  it('finds the card, checks the user code, shows the PUK once and unlocks through the reader helper, the PUK and PIN never reaching the server', async () => {
    // The holder typed a wrong PIN three times: the card is locked.
    for (let i = 0; i < 3; i++) await sign('000000');
    expect((await sign(tc.pin)).body.code).toBe(9043);

    const { page } = t;
    const serverPosts: string[] = [];
    page.on('request', (req) => {
      if (req.url().startsWith(t.baseUrl) && req.postData()) serverPosts.push(req.postData()!);
    });

    await page.goto('/cards/services');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hant-TW');
    await expectAccessible(page);
    await page.getByLabel(zh('cardServices.field.cardNumber')).fill(`GH${tc.cardNumber}`);
    await Promise.all([page.waitForURL(`${t.baseUrl}/cards/services/${tc.cardNumber}`), page.getByRole('button', { name: zh('cardServices.entry.submit') }).click()]);
    expect(await page.locator('#card-state').innerText()).toBe(zh('cardServices.state.active'));
    await expectAccessible(page);
    await screenshotIfAsked(page, 'card-services-status');

    await Promise.all([page.waitForURL(`${t.baseUrl}/cards/services/${tc.cardNumber}/unlock`), page.getByRole('link', { name: zh('cardServices.menu.unlock') }).click()]);
    await expectAccessible(page);
    // a wrong user code: the error state, with the tries left
    await page.getByLabel(zh('cardServices.field.userCode')).fill('Wrong1');
    await page.getByRole('button', { name: zh('cardServices.unlock.submit') }).click();
    await page.waitForSelector('.govuk-error-summary');
    expect(await page.title()).toMatch(/^錯誤：/);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(zh('cardServices.errors.userCode.wrong', { triesLeft: 4 }));
    await expectAccessible(page);

    await page.getByLabel(zh('cardServices.field.userCode')).fill(tc.userCode);
    await Promise.all([page.waitForURL(`${t.baseUrl}/cards/services/${tc.cardNumber}/unlock/puk`), page.getByRole('button', { name: zh('cardServices.unlock.submit') }).click()]);
    await page.waitForFunction((text) => document.getElementById('card-status')?.textContent === text, zh('cardServices.script.ready'));
    const puk = await page.locator('#puk').innerText();
    expect(puk).toBe(tc.puk);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'card-services-puk');

    // PUK and the new PIN (twice) go to the helper on this PC only
    const newPin = '864209';
    await page.getByLabel(zh('cardServices.field.puk')).fill(puk);
    await page.getByLabel(zh('cardServices.field.newPin'), { exact: true }).fill(newPin);
    await page.getByLabel(zh('cardServices.field.newPinConfirm')).fill('864200');
    await page.getByRole('button', { name: zh('cardServices.unlock.run') }).click();
    expect(await page.locator('#new-pin-confirm-error').innerText()).toContain(zh('cardServices.script.newPinMismatch'));
    await expectAccessible(page);
    await page.getByLabel(zh('cardServices.field.puk')).fill(puk);
    await page.getByLabel(zh('cardServices.field.newPin'), { exact: true }).fill(newPin);
    await page.getByLabel(zh('cardServices.field.newPinConfirm')).fill(newPin);
    await page.getByRole('button', { name: zh('cardServices.unlock.run') }).click();
    await page.locator('#card-success').waitFor({ state: 'visible' });
    expect(await page.locator('#card-success h2').innerText()).toBe('變更PIN碼(解鎖卡)成功');
    await expectAccessible(page);
    await screenshotIfAsked(page, 'card-services-unlocked');

    expect(serverPosts.length).toBeGreaterThan(0);
    expect(serverPosts.some((body) => body.includes(puk) || body.includes(newPin))).toBe(false);
    // the card signs again, with the new PIN
    expect((await sign(newPin)).status).toBe(200);
  });
});
