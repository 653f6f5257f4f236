import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { formatDay } from '../../src/common/i18n/dates';
import { translate } from '../../src/common/i18n/i18n';
import { CardReservationService } from '../../src/modules/cards/reservation/card-reservation.service';
import { firstBookableDay } from '../../src/modules/cards/lifecycle/counter-date';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { expectAccessible, screenshotIfAsked, useBrowser } from '../support/browser';

const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);

/** The share of dark pixels (< 128) in a binary PGM (P5, 8-bit) as pdftoppm -gray writes it. */
function darkShare(pgm: Buffer): number {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 50).toString('latin1'));
  if (!header) throw new Error('not a binary PGM');
  const [, width, height] = header.map(Number);
  const pixels = pgm.subarray(header[0].length, header[0].length + width * height);
  let dark = 0;
  for (const value of pixels) if (value < 128) dark++;
  return dark / pixels.length;
}

describe('card reservation in a real browser (Chromium + axe, zh-TW)', () => {
  const t = useBrowser();

  afterEach(() => {
    // No CSP violation, script error or missing asset on any page a test visited.
    expect(t.problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
  });

  async function submit(page: Page, name: string, path: string | RegExp) {
    await Promise.all([page.waitForURL((url) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname))), page.getByRole('button', { name }).click()]);
    await page.waitForLoadState('load');
  }

  it('walks from the instructions to the confirmation, with htmx choosing the counter, and prints the PDF', async () => {
    const { page } = t;
    const doctor = DEMO_FIXTURES.physicianAtClinic;
    const counterDate = firstBookableDay(await t.app.app.get(CardReservationService).calendar())!;

    await page.goto('/cards/reserve/personnel');
    expect(await page.locator('h1').innerText()).toBe(zh('cards.reserve.personnel.title'));
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hant-TW');
    await expectAccessible(page);
    await screenshotIfAsked(page, 'cards-start');
    await Promise.all([page.waitForURL((url) => url.pathname === '/cards/reserve/personnel/terms'), page.getByRole('button', { name: zh('cards.start.button') }).click()]);

    // the terms: refusing to tick the box is an error, in an accessible error state
    await expectAccessible(page);
    await submit(page, zh('cards.terms.agree'), '/cards/reserve/personnel/terms');
    expect(await page.title()).toMatch(/^錯誤：/);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(zh('cards.errors.agree'));
    await expectAccessible(page);
    await page.getByLabel(zh('cards.terms.agreeLabel')).check();
    await submit(page, zh('cards.terms.agree'), '/cards/reserve/personnel/applicant');

    // the applicant: a typo in the ID first, then the registry's details
    await expectAccessible(page);
    await page.getByLabel(zh('cards.field.nationalId')).fill(`${doctor.nationalId.slice(0, 9)}${(Number(doctor.nationalId[9]) + 1) % 10}`);
    await page.getByLabel(zh('cards.field.category')).selectOption(doctor.categoryCode);
    await page.getByLabel(zh('cards.field.certificateNumber')).fill(String(Number(doctor.certificateNumber)));
    await page.getByLabel(zh('cards.field.name')).fill(doctor.nameZh);
    await submit(page, zh('cards.applicant.personnel.submit'), '/cards/reserve/personnel/applicant');
    expect(await page.locator('#nationalId-error').innerText()).toContain(zh('cards.errors.nationalId.checksum'));
    expect(await page.getByLabel(zh('cards.field.name')).inputValue()).toBe(doctor.nameZh);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'cards-applicant-error');
    await page.getByLabel(zh('cards.field.nationalId')).fill(doctor.nationalId.toLowerCase());
    await submit(page, zh('cards.applicant.personnel.submit'), '/cards/reserve/personnel/details');

    // the details: a clinic physician chooses a county; htmx swaps the counter list in place
    await expectAccessible(page);
    expect(await page.locator('#counter-options input[name="counter"]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toContain('HB-63000');
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const swapped = page.waitForResponse((r) => new URL(r.url()).searchParams.get('county') === '65000' && r.request().headers()['hx-request'] === 'true');
    await page.getByLabel(zh('cards.field.county')).selectOption('65000');
    await swapped;
    await page.waitForFunction(() => !!document.querySelector('#counter-options input[value="HS-65000-01"]'));
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.locator('#counter-options input[name="county"]').inputValue()).toBe('65000');
    await page.locator('#counter-options input[value="HS-65000-01"]').check();
    // the first open day, offered as a choice (closed days are not offered)
    await page.getByLabel(formatDay(counterDate, 'zh-TW')).check();
    await page.getByLabel(zh('cards.field.phone')).fill('0912-345-678');
    await page.getByLabel(zh('cards.field.emailOptional')).fill('lin.browser@example.test');
    await page.getByLabel(zh('cards.field.mailingAddress')).fill('臺北市大安區復興南路一段200號');
    await page.getByLabel(zh('cards.field.userCode'), { exact: true }).fill('Xy7Pq2');
    await page.getByLabel(zh('cards.field.userCodeConfirm')).fill('Xy7pq2');
    await submit(page, zh('common.continue'), '/cards/reserve/personnel/details');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(zh('cards.errors.userCode.mismatch'));
    expect(await page.getByLabel(zh('cards.field.userCode'), { exact: true }).inputValue()).toBe('');
    expect(await page.getByLabel(zh('cards.field.phone')).inputValue()).toBe('0912-345-678');
    expect(await page.locator('input[value="HS-65000-01"]').isChecked()).toBe(true);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'cards-details-error');
    await page.getByLabel(zh('cards.field.userCode'), { exact: true }).fill('Xy7Pq2');
    await page.getByLabel(zh('cards.field.userCodeConfirm')).fill('Xy7Pq2');
    await submit(page, zh('common.continue'), '/cards/reserve/personnel/check');

    // check your answers
    await expectAccessible(page);
    const summary = await page.locator('main').innerText();
    expect(summary).toContain(doctor.nationalId);
    expect(summary).toContain('新北市板橋區衛生所');
    expect(summary).not.toContain('Xy7Pq2');
    await screenshotIfAsked(page, 'cards-check');
    await submit(page, zh('cards.check.submit'), /^\/cards\/reservations\/R\w+\/confirmation$/);

    // the confirmation
    await expectAccessible(page);
    const reference = (await page.locator('.govuk-panel__body strong').innerText()).trim();
    expect(reference).toMatch(/^R\d{8}[2-9A-HJ-NP-Z]{6}$/);
    expect(await page.locator('main').innerText()).toContain(zh('cards.documents.personnel.self.4'));
    expect(await page.locator('[data-app-print]').isVisible()).toBe(true);
    await screenshotIfAsked(page, 'cards-confirmation');

    // the PDF, fetched with this browser's own session
    const pdfLink = page.getByRole('link', { name: zh('cards.confirmation.pdfLink') });
    const href = await pdfLink.getAttribute('href');
    const response = await page.context().request.get(href!);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'cards-browser-'));
    const pdfFile = join(dir, 'application.pdf');
    writeFileSync(pdfFile, await response.body());
    expect(execFileSync('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'], { encoding: 'utf8' })).toContain('醫事人員憑證IC卡申請書');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfFile, join(dir, 'page')]);
    expect(statSync(join(dir, 'page.png')).size).toBeGreaterThan(10_000);
    execFileSync('pdftoppm', ['-gray', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfFile, join(dir, 'page')]);
    const dark = darkShare(readFileSync(join(dir, 'page.pgm')));
    expect(dark).toBeGreaterThan(0.01); // text and boxes, not a blank page
    expect(dark).toBeLessThan(0.5);
    if (process.env.BROWSER_SCREENSHOT_DIR) writeFileSync(join(process.env.BROWSER_SCREENSHOT_DIR, 'cards-application-pdf.png'), readFileSync(join(dir, 'page.png')));

    // another browser finds it with the lookup and sees its progress
    const other = await t.newPage();
    await other.goto('/cards/lookup');
    await expectAccessible(other);
    await other.getByLabel(zh('cards.field.nationalId')).fill(doctor.nationalId);
    await other.getByLabel(zh('cards.field.reservationNumber')).fill(reference);
    await Promise.all([other.waitForURL((url) => url.pathname === `/cards/reservations/${reference}`), other.getByRole('button', { name: zh('cards.lookup.submit') }).click()]);
    expect(await other.locator('.govuk-inset-text').first().innerText()).toContain('已預約，請於');
    expect(await other.locator('[aria-current="step"]').innerText()).toContain(zh('cards.progress.step.counter'));
    await expectAccessible(other);
    await screenshotIfAsked(other, 'cards-reservation');
    // the whole journey in one test: a long one on a shared machine
  }, 180_000);

  it('works without JavaScript: the county list updates with a plain button', async () => {
    const page = await t.newPage({ javaScriptEnabled: false });
    await page.goto('/cards/reserve/personnel/terms');
    await page.getByLabel(zh('cards.terms.agreeLabel')).check();
    await submit(page, zh('cards.terms.agree'), '/cards/reserve/personnel/applicant');
    const doctor = DEMO_FIXTURES.physicianAtNonCounterHospital; // Hualien district hospital: not a counter
    await page.getByLabel(zh('cards.field.nationalId')).fill(doctor.nationalId);
    await page.getByLabel(zh('cards.field.category')).selectOption(doctor.categoryCode);
    await page.getByLabel(zh('cards.field.certificateNumber')).fill(doctor.certificateNumber);
    await page.getByLabel(zh('cards.field.name')).fill(doctor.nameZh);
    await submit(page, zh('cards.applicant.personnel.submit'), '/cards/reserve/personnel/details');
    expect(await page.locator('input[value="HS-10015-01"]').count()).toBe(1);
    await page.getByLabel(zh('cards.field.county')).selectOption('09020');
    await Promise.all([page.waitForURL((url) => url.searchParams.get('county') === '09020'), page.getByRole('button', { name: zh('cards.details.updateCounters') }).click()]);
    expect(await page.locator('input[value="HS-09020-01"]').count()).toBe(1);
    expect(await page.locator('input[value="HS-10015-01"]').count()).toBe(0);
  });
});
