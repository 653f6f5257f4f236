import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { createReaderHelper, type ReaderHelper } from '../../src/reader-helper/main';
import { expectAccessible, freePort, screenshotIfAsked, useBrowser } from '../support/browser';
import { createDevCard, createRegisteredUnit, serialOf, testNationalId, type OrganisationCard } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();

describe('delegation in a real browser: the manager adds an operator by reading the card; the operator sees only what was granted', () => {
  let helperPort: number;
  let helper: ReaderHelper | undefined;
  const tag = randomBytes(3).toString('hex');
  const prefix = `card-b${tag}`;
  const t = useBrowser(async () => {
    helperPort = await freePort();
    return { HELPER_URL: `http://127.0.0.1:${helperPort}` };
  });
  let registered: Awaited<ReturnType<typeof createRegisteredUnit>>;
  let operatorCard: OrganisationCard;
  const operatorId = testNationalId();

  /** The reader helper on its port, seeing only the tokens whose label starts with `labelPrefix` (which card is "in the reader"). */
  async function reader(labelPrefix: string) {
    await helper?.close();
    helper = await createReaderHelper({ port: helperPort, allowedOrigins: [t.baseUrl], modulePath: store.modulePath, labelPrefix, log: () => undefined });
  }

  beforeAll(async () => {
    const app = t.app.app;
    await app.get(DevPkiService).init({ actor: { kind: 'test' } });
    for (const family of ['moeaca', 'moica', 'hca'] as const) await app.get(CrlService).publish((await app.get(CertificateIssuer).issuingCa(family)).id);
    app.get(TrustStoreService).invalidate();
    registered = await createRegisteredUnit(t.app, store.modulePath, 'company', { unit: `${prefix}-unit`, manager: `${prefix}-mgr` });
    operatorCard = await createDevCard(t.app, store.modulePath, 'hca', 'personnel', { name: '瀏覽器經辦', nationalId: operatorId }, `${prefix}-op`);
  });

  afterAll(async () => {
    await helper?.close();
  });

  async function signIn(page: Page, card: OrganisationCard, cardTypeLabel: string, ready: RegExp, submit: string) {
    await reader(prefix);
    await page.goto('/login');
    await page.waitForFunction((r) => new RegExp(r).test(document.getElementById('login-status')?.textContent ?? ''), ready.source);
    await page.getByLabel(cardTypeLabel, { exact: true }).check();
    await page.locator('#card-token').selectOption(card.label);
    await page.locator('#pin').fill(card.pin);
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.getByRole('button', { name: submit }).click()]);
  }

  /** A form with the card block: the card in the reader, its PIN typed (to the helper only), submitted. */
  async function withCard(page: Page, card: OrganisationCard, button: string) {
    await reader(card.label);
    await page.reload();
    await page.locator('#card-pin').fill(card.pin);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button }).click()]);
  }

  it('zh-TW: the manager proves themselves, reads the operator\'s card into the add form and grants only 查詢; every page axe clean', async () => {
    const { page } = t;
    await signIn(page, registered.unitCard, '機關（單位）憑證', /讀卡元件已就緒/, '登入');
    await page.goto('/employers/delegation');
    expect(new URL(page.url()).pathname).toBe('/employers/delegation/verify');
    await expectAccessible(page);
    await withCard(page, registered.managerCard, '確認');
    expect(new URL(page.url()).pathname).toBe('/employers/delegation');
    await expectAccessible(page);

    await page.getByRole('link', { name: '新增' }).click();
    await page.getByRole('link', { name: /以讀卡機讀取經辦人憑證/ }).click();
    await expectAccessible(page);
    await withCard(page, operatorCard, '讀取憑證');
    expect(new URL(page.url()).pathname).toBe('/employers/delegation/add');
    const serial = await serialOf(t.app, operatorCard.der);
    expect(await page.getByLabel('憑證序號').inputValue()).toBe(serial);
    expect(await page.getByLabel('授權經辦人姓名').inputValue()).toBe('瀏覽器經辦');
    await expectAccessible(page);
    await screenshotIfAsked(page, 'delegation-add-read');

    await page.getByLabel('授權經辦人身分證統一編號').fill(operatorId);
    await page.getByLabel('聯絡電話').fill('02-23456789');
    await page.getByLabel('電子郵件').fill(`browser-op-${tag}@example.test`);
    await page.getByRole('group', { name: '功能選單' }).getByLabel('查詢', { exact: true }).check();
    await Promise.all([page.waitForURL(/\/employers\/delegation\?done=added/), page.getByRole('button', { name: '確認' }).click()]);
    expect(await page.locator('table').innerText()).toContain(serial);
    await expectAccessible(page);
  });

  it('the operator signs in and sees only the roster query, in zh-TW and in English; enrolling is refused', async () => {
    const { page } = t;
    await signIn(page, operatorCard, '經辦人憑證', /讀卡元件已就緒/, '登入');
    const nav = await page.locator('header').innerText();
    expect(nav).toContain('投保名冊');
    expect(nav).not.toContain('授權指派');
    await page.goto('/roster');
    expect(await page.locator('h1').innerText()).toBe('投保名冊');
    expect(await page.getByRole('link', { name: '加保' }).count()).toBe(0);
    await expectAccessible(page);
    const enrol = await page.goto('/roster/enrol');
    expect(enrol?.status()).toBe(403);

    await t.context.addCookies([{ name: 'lang', value: 'en', url: t.baseUrl }]);
    await page.goto('/roster');
    expect(await page.locator('h1').innerText()).toBe('Insured staff');
    expect(await page.getByRole('link', { name: 'Enrol' }).count()).toBe(0);
    await expectAccessible(page);
    await page.goto('/');
    expect(await page.locator('main').innerText()).toContain('Insured staff');
    await expectAccessible(page);
  });
});
