import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Page } from 'playwright-core';
import { WorkerModule } from '../../src/app/worker.module';
import { LANG_COOKIE, translate } from '../../src/common/i18n/i18n';
import { addDays } from '../../src/common/time/taipei-day';
import { loadConfig } from '../../src/config/app-config';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { cookieOf } from '../support/app';
import { expectAccessible, screenshotIfAsked, useBrowser } from '../support/browser';
import { useSoftHsmTestStore } from '../support/softhsm';
import { createStaff } from '../support/staff';
import { createInstitution, createProfessional, mondayIn, preparePki, signInWithCard, type TestInstitution, type TestProfessional } from '../support/support-duty';
import { setAsideOtherFilesJobs } from '../support/worker';

useSoftHsmTestStore();

const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);

describe('support duty in a real browser (Chromium + axe): clinician entry → bureau approval → notification; batch upload', () => {
  const t = useBrowser();
  let worker: INestApplicationContext;

  beforeAll(async () => {
    await preparePki(t.app);
    await setAsideOtherFilesJobs(t.app.dataSource, t.app.config.redisUrl);
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, PUBLIC_ORIGIN: t.baseUrl, DEV_SMTP_LISTENER: 'false' })), { logger: false });
    await worker.init();
  });
  afterAll(() => worker?.close());

  afterEach(() => {
    // No CSP violation, script error or missing asset on any page a test visited.
    expect(t.problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
  });

  /**
   * Signs the browser in as a clinician or an institution: the card sign-in itself (reader
   * helper, PIN) has its own browser test; here the session it yields is handed to the browser.
   */
  async function signInWithCardAs(page: Page, who: { personnel: TestProfessional } | { institution: TestInstitution }) {
    const { agent } = await signInWithCard(t.app, who);
    await page.context().addCookies([{ name: 'nhi.sid', value: cookieOf(agent, 'nhi.sid'), url: t.baseUrl }]);
  }

  async function signInAsReviewer(page: Page, countyCode: string) {
    const creds = await createStaff(t.app, 'county_reviewer', { countyCode });
    await page.goto('/staff/login');
    await page.getByLabel(zh('staff.login.username'), { exact: true }).fill(creds.account.username);
    await page.getByLabel(zh('staff.login.password'), { exact: true }).fill(creds.password);
    await page.getByLabel(zh('staff.login.code'), { exact: true }).fill(totpCode(creds.totpSecret, totpStep()));
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: zh('staff.login.submit') }).click()]);
  }

  it('a clinician files a case with an attachment, the bureau approves it, the clinician is told', async () => {
    const home = await createInstitution(t.app, { countyCode: '63000' });
    const supported = await createInstitution(t.app, { countyCode: '66000' });
    const person = await createProfessional(t.app, home);
    const { page } = t;
    await signInWithCardAs(page, { personnel: person });

    await page.goto('/');
    await page.getByRole('link', { name: zh('home.services.supportDuty.title') }).first().click();
    await page.getByRole('link', { name: zh('supportDuty.list.new') }).click();
    expect(await page.locator('h1').innerText()).toBe(zh('supportDuty.form.title'));
    await expectAccessible(page);
    // the live search offers the institution as the name is typed (HTMX fills the datalist)
    await page.getByLabel(zh('supportDuty.field.supported'), { exact: true }).pressSequentially(supported.nameZh.slice(0, 8));
    await page.waitForFunction((code) => Array.from(document.querySelectorAll('#institution-options option')).some((o) => (o as HTMLOptionElement).value.startsWith(code)), supported.code);
    await page.getByLabel(zh('supportDuty.field.supported'), { exact: true }).fill(supported.code);
    await page.getByLabel(zh('supportDuty.field.department'), { exact: true }).selectOption('01');
    await page.getByLabel(zh('supportDuty.purpose.outpatient'), { exact: true }).check();
    const monday = mondayIn(2);
    await page.locator('#p1From').fill(monday);
    await page.locator('#p1To').fill(addDays(monday, 13));
    await page.locator('#p1Weekdays').check();
    await page.locator('#p1Sessions').check();
    await page.getByRole('button', { name: zh('supportDuty.form.save') }).click();
    await page.waitForURL(/\/support-duty\/cases\/\d+$/);
    expect(await page.locator('h1').innerText()).toBe(zh('supportDuty.check.title'));
    await page.locator('#files').setInputFiles({ name: '支援同意書.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% consent\n') });
    await page.getByRole('button', { name: zh('supportDuty.attachments.upload'), exact: true }).click();
    await page.getByRole('link', { name: '支援同意書.pdf' }).waitFor();
    await expectAccessible(page);
    await screenshotIfAsked(page, 'support-duty-check');
    await page.getByRole('button', { name: zh('supportDuty.check.submit') }).click();
    await page.locator('.govuk-panel__title').waitFor();
    const caseNumber = (await page.locator('.govuk-panel__body .app-reference').innerText()).trim();
    expect(caseNumber).toMatch(/^SD\d{10}$/);
    await expectAccessible(page);

    // the bureau of the supported institution's county
    const reviewer = await t.newPage();
    await signInAsReviewer(reviewer, '66000');
    await reviewer.goto(`/review/support-duty?institution=${supported.code}`);
    await expectAccessible(reviewer);
    await reviewer.getByRole('link', { name: caseNumber }).click();
    expect(await reviewer.locator('#rule-checks li').count()).toBe(5);
    await reviewer.getByRole('link', { name: '支援同意書.pdf' }).waitFor();
    await expectAccessible(reviewer);
    await reviewer.getByLabel(zh('supportDuty.review.approve'), { exact: true }).check();
    await reviewer.getByRole('button', { name: zh('supportDuty.review.submit') }).click();
    await reviewer.getByText(zh('supportDuty.state.approved'), { exact: true }).first().waitFor();
    await screenshotIfAsked(reviewer, 'support-duty-review');

    // the clinician's message list
    await page.goto('/support-duty/messages');
    expect(await page.locator('main').innerText()).toContain(zh('supportDuty.messages.approved', { caseNumber, supported: supported.nameZh }));
    await expectAccessible(page);
  });

  it('reads in English and stays accessible', async () => {
    const home = await createInstitution(t.app);
    const person = await createProfessional(t.app, home);
    const page = await t.newPage();
    await page.context().addCookies([{ name: LANG_COOKIE, value: 'en', url: t.baseUrl }]);
    await signInWithCardAs(page, { personnel: person });
    await page.goto('/support-duty/new');
    expect(await page.locator('h1').innerText()).toBe(translate('en', 'supportDuty.form.title'));
    await page.getByRole('button', { name: translate('en', 'supportDuty.form.save') }).click();
    await page.locator('.govuk-error-summary').waitFor();
    await expectAccessible(page);
    await page.goto('/support-duty');
    await expectAccessible(page);
  });

  it('an institution uploads a batch: the progress bar, then every bad row, nothing filed; its dashboard', async () => {
    const home = await createInstitution(t.app);
    const supported = await createInstitution(t.app);
    const ours = await createProfessional(t.app, home);
    const monday = mondayIn(3);
    const csv = [
      'national_id,supported_institution,department,purpose,purpose_text,from,to,weekdays,sessions',
      `${ours.nationalId},${supported.code},01,outpatient,,${monday},${monday},1,morning`,
      `A123456789,${supported.code},01,outpatient,,${monday},${monday},1,morning`,
      `${ours.nationalId},${supported.code},99,outpatient,,${monday},${monday},1,night`,
    ].join('\n');
    const { page } = t;
    await signInWithCardAs(page, { institution: home });
    await page.goto('/support-duty/dashboard');
    await expectAccessible(page);
    await page.getByRole('link', { name: zh('supportDuty.batch.title') }).click();
    await expectAccessible(page);
    await page.locator('#files').setInputFiles({ name: 'batch.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: zh('supportDuty.batch.upload') }).click();
    await page.waitForURL(/\/support-duty\/batch\/\d+$/);
    await page.locator('#batch-progress').waitFor();
    await page.locator('#batch-errors').waitFor({ timeout: 30_000 });
    expect(await page.locator('#batch-progress').getAttribute('value')).toBe('100');
    const rows = await page.locator('#batch-errors tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t').slice(0, 2).join(':'))).toEqual(['3:national_id', '4:department']);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'support-duty-batch-errors');
  });
});
