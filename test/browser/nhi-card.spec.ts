import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { SmsMessage } from '../../src/modules/notifications/sms-message.entity';
import { createReaderHelper } from '../../src/reader-helper/main';
import { expectAccessible, freePort, screenshotIfAsked, useBrowser } from '../support/browser';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { createRegisteredUnit } from '../support/employers';
import { createInsured, createNhiCard, publishNhiCrl, registerNhiAccount, type TestInsured } from '../support/nhi-card';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();
const PASSWORD = 'Quiet-harbour-lantern-8';
/** Each test walks several pages (and scrypt runs on a shared machine): more than the default minute. */
const JOURNEY_MS = 180_000;

describe('NHI card sign-ins in a real browser: register → verify → card + password; card-less with the SMS code', () => {
  let helperPort: number;
  let helper: Awaited<ReturnType<typeof createReaderHelper>> | undefined;
  let person: TestInsured;
  let label: string;
  const t = useBrowser(async () => {
    helperPort = await freePort();
    return { HELPER_URL: `http://127.0.0.1:${helperPort}` };
  });

  beforeAll(async () => {
    await t.app.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    await publishNhiCrl(t.app);
    person = await createInsured(t.app, { professional: true });
    label = (await createNhiCard(t.app, store.modulePath, person)).label;
    helper = await createReaderHelper({ port: helperPort, allowedOrigins: [t.baseUrl], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
  });
  afterAll(async () => {
    await helper?.close();
  });
  afterEach(() => {
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('registers the card through the reader helper, verifies the e-mail, and signs in with the card and password', async () => {
    const { page } = t;
    await page.goto('/nhi-card/register');
    await page.waitForFunction(() => !document.getElementById('nhi-card-choice')?.hidden);
    await expectAccessible(page);
    await page.locator('#nhi-card-token').selectOption(label);
    await page.getByLabel('戶號', { exact: true }).fill(person.householdNumber);
    await page.getByLabel('戶籍地址').fill(person.registeredAddress);
    await page.getByLabel('聯絡電話').fill('0912-345-678');
    await page.getByLabel('電子郵件').fill(`browser.${person.cardNumber}@example.test`);
    await page.getByLabel('設定健保卡密碼').fill(PASSWORD);
    await page.getByLabel('再次輸入密碼').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${t.baseUrl}/nhi-card/done/registered`), page.getByRole('button', { name: '註冊' }).click()]);
    await expectAccessible(page);

    const mail = (await t.app.dataSource.getRepository(OutboxMessage).find({ order: { id: 'DESC' } })).find((m) => m.payload.includes(`browser.${person.cardNumber}@`));
    const link = /\/nhi-card\/verify\/[A-Za-z0-9_-]{43}/.exec(JSON.parse(mail!.payload).text)![0];
    await page.goto(link);
    await expectAccessible(page);
    await Promise.all([page.waitForURL(`${t.baseUrl}/nhi-card/done/verified`), page.getByRole('button', { name: '完成認證' }).click()]);

    const serverRequests: string[] = [];
    page.on('request', (req) => {
      if (req.url().startsWith(t.baseUrl) && req.postData()) serverRequests.push(req.postData()!);
    });
    await page.goto('/login');
    await page.waitForFunction(() => /讀卡元件已就緒/.test(document.getElementById('login-status')?.textContent ?? ''));
    await page.getByLabel('健保卡', { exact: true }).check();
    expect(await page.locator('#pin').isVisible()).toBe(false);
    await page.getByLabel('卡片', { exact: true }).selectOption(label);
    await page.getByLabel('健保卡註冊密碼').fill(PASSWORD);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'nhi-login-ready');
    await Promise.all([page.waitForURL(`${t.baseUrl}/`), page.getByRole('button', { name: '登入' }).click()]);
    expect(await page.locator('.app-header__user-name').innerText()).toBe(person.nameZh);
    await expectAccessible(page);
    // the password went to the server (it is the second factor there), with the card's signed token
    expect(serverRequests.some((body) => body.includes('"token"') && body.includes(PASSWORD))).toBe(true);
  }, JOURNEY_MS);

  it('signs in without the card: national ID, the code from the SMS sink, then the card number', async () => {
    const { page } = t;
    await page.goto('/login/nhi-cardless');
    await expectAccessible(page);
    await page.getByLabel('身分證號').fill(person.nationalId);
    await Promise.all([page.waitForURL(`${t.baseUrl}/login/nhi-cardless/code`), page.getByRole('button', { name: '傳送驗證碼' }).click()]);
    await expectAccessible(page);
    const [sms] = await t.app.dataSource.getRepository(SmsMessage).find({ where: { toNumber: person.mobile.replace(/\D/g, '') }, order: { id: 'DESC' }, take: 1 });
    const code = /\d{6}/.exec(sms.text)![0];
    await page.getByLabel('6 位數驗證碼').fill(code);
    await Promise.all([page.waitForURL(`${t.baseUrl}/login/nhi-cardless/card`), page.getByRole('button', { name: '繼續' }).click()]);
    await expectAccessible(page);
    await page.getByLabel('健保卡卡號').fill(person.cardNumber);
    await Promise.all([page.waitForURL(`${t.baseUrl}/`), page.getByRole('button', { name: '登入' }).click()]);
    expect(await page.locator('.app-header__user-name').innerText()).toBe(person.nameZh);
  }, JOURNEY_MS);

  it("signs in for a unit as its responsible person (unit code, 需指派授權管理者) and lands on the unit's operators", async () => {
    for (const family of ['moeaca', 'moica'] as const) await t.app.app.get(CrlService).publish((await t.app.app.get(CertificateIssuer).issuingCa(family)).id);
    t.app.app.get(TrustStoreService).invalidate();
    const { unit } = await createRegisteredUnit(t.app, store.modulePath);
    const responsible = await createInsured(t.app, { nationalId: unit.responsibleNationalId });
    const card = await createNhiCard(t.app, store.modulePath, responsible);
    await registerNhiAccount(t.app, responsible, PASSWORD);

    const { page } = t;
    await page.goto('/login');
    await page.waitForFunction(() => /讀卡元件已就緒/.test(document.getElementById('login-status')?.textContent ?? ''));
    await page.getByLabel('健保卡', { exact: true }).check();
    await page.getByLabel('卡片', { exact: true }).selectOption(card.label);
    await page.getByLabel('健保卡註冊密碼').fill(PASSWORD);
    await page.getByLabel('投保單位代號').fill(unit.unitCode);
    await page.getByLabel('需指派授權管理者').check();
    await expectAccessible(page);
    await Promise.all([page.waitForURL(`${t.baseUrl}/employers/delegation`), page.getByRole('button', { name: '登入' }).click()]);
    expect(await page.locator('.app-header__user-name').innerText()).toBe(unit.nameZh);
    await expectAccessible(page);
  }, JOURNEY_MS);
});
