import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { createReaderHelper } from '../../src/reader-helper/main';
import { createDevelopmentCard, writeCardCertificate } from '../../src/shared/pkcs11';
import { expectAccessible, freePort, screenshotIfAsked, useBrowser } from '../support/browser';
import { uniqueLabel, useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();
const person = DEMO_FIXTURES.physicianAtClinic;
const PIN = '246810';
const PUK = '13579246';

describe('certificate sign-in in a real browser: login page → reader helper → signed in', () => {
  let helperPort: number;
  let label: string;
  let helper: Awaited<ReturnType<typeof createReaderHelper>> | undefined;
  const t = useBrowser(async () => {
    helperPort = await freePort();
    return { HELPER_URL: `http://127.0.0.1:${helperPort}` };
  });

  beforeAll(async () => {
    const app = t.app.app;
    await app.get(DevPkiService).init({ actor: { kind: 'test' } });
    // A second card in the reader, as when other tests left theirs: the page must let us choose.
    createDevelopmentCard({ module: store.modulePath, label: uniqueLabel('card-'), pin: PIN, soPin: PUK, keyType: 'ec-p256', opened: true });
    label = uniqueLabel('card-');
    const card = createDevelopmentCard({ module: store.modulePath, label, pin: PIN, soPin: PUK, keyType: 'ec-p256', opened: true });
    const issued = await app.get(CertificateIssuer).issue({
      family: 'hca',
      subjectType: 'personnel',
      subject: { name: person.nameZh, nationalId: person.nationalId },
      spki: card.spki,
    });
    writeCardCertificate({ module: store.modulePath, label, soPin: PUK, certificate: issued.der });
    await app.get(CrlService).publish(issued.issuer.id);
    app.get(TrustStoreService).invalidate();
    helper = await createReaderHelper({ port: helperPort, allowedOrigins: [t.baseUrl], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
  });

  afterAll(async () => {
    await helper?.close();
  });

  it('finds the card, signs with the PIN through the helper only, and lands the professional on their home page', async () => {
    const { page } = t;
    const serverRequests: string[] = [];
    page.on('request', (req) => {
      if (req.url().startsWith(t.baseUrl) && req.postData()) serverRequests.push(req.postData()!);
    });
    await page.goto('/login');
    await page.waitForFunction(() => /讀卡元件已就緒/.test(document.getElementById('login-status')?.textContent ?? ''));
    await expectAccessible(page);
    await screenshotIfAsked(page, 'login-ready');

    await page.getByLabel('醫事人員卡').check();
    // the reader holds two cards (see beforeAll): choose ours
    await page.getByLabel('卡片', { exact: true }).selectOption(label);
    await page.locator('#pin').fill(PIN);
    await Promise.all([page.waitForURL(`${t.baseUrl}/`), page.getByRole('button', { name: '登入' }).click()]);
    expect(await page.locator('.app-header__user-name').innerText()).toBe(person.nameZh);
    await expectAccessible(page);
    // the PIN went to the helper on loopback, never to the server
    expect(serverRequests.length).toBeGreaterThan(0);
    expect(serverRequests.some((body) => body.includes(PIN))).toBe(false);
  });

  it('shows the card error users know for a wrong PIN, with the tries left', async () => {
    const { page } = t;
    await page.goto('/login');
    await page.waitForFunction(() => /讀卡元件已就緒/.test(document.getElementById('login-status')?.textContent ?? ''));
    await page.getByLabel('卡片', { exact: true }).selectOption(label);
    await page.locator('#pin').fill('999999');
    await page.getByRole('button', { name: '登入' }).click();
    await page.waitForFunction(() => /9039/.test(document.getElementById('login-status')?.textContent ?? ''));
    expect(await page.locator('#login-status').innerText()).toContain('還可再試 2 次');
    expect(await page.locator('#pin-error').isVisible()).toBe(true);
    await expectAccessible(page);
  });

  it('explains how to start the helper when it cannot be reached (61006)', async () => {
    await helper?.close();
    helper = undefined;
    const { page } = t;
    await page.goto('/login');
    await page.waitForFunction(() => /61006/.test(document.getElementById('login-status')?.textContent ?? ''));
    await expectAccessible(page);
  });
});
