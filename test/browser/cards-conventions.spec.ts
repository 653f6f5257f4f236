// The card journeys against the UI conventions of docs/ui-conventions.md (issue 14), in a real
// browser, in zh-TW and English, axe clean: one name per identifier and the way back to a
// reservation, dates, the national ID where it is checked, conditional reveals, downloads,
// unbroken numbers at phone width.
import type { Page } from 'playwright-core';
import { formatDay } from '../../src/common/i18n/dates';
import { translate, type Lang } from '../../src/common/i18n/i18n';
import { CardReservationService } from '../../src/modules/cards/reservation/card-reservation.service';
import { firstBookableDay } from '../../src/modules/cards/lifecycle/counter-date';
import type { ReservationDraft } from '../../src/modules/cards/lifecycle/reservation-draft';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { createStaff } from '../support/staff';
import { expectAccessible, screenshotIfAsked, useBrowser } from '../support/browser';
import { createdReference, createTestCounter } from '../support/cards';

const PERSON = DEMO_FIXTURES.physicianAtClinic;

// Several pages in two languages per test, on a machine shared with other test runs.
jest.setTimeout(180_000);

describe('card journeys and UI conventions in a real browser (Chromium + axe, zh-TW and English)', () => {
  const t = useBrowser();
  let counter: { code: string; countyCode: string; nameZh: string };

  /** A reservation of this test's own at this file's counter, made by the service (as a submitted journey does). */
  async function reserve(extra: Partial<ReservationDraft['details']> = {}): Promise<string> {
    const reservations = t.app.app.get(CardReservationService);
    const draft: ReservationDraft = {
      cardType: 'personnel',
      agreedAt: Date.now(),
      applicant: { kind: 'personnel', nationalId: PERSON.nationalId, categoryCode: PERSON.categoryCode, certificateNumber: PERSON.certificateNumber, name: PERSON.nameZh, professionalId: 0, homeInstitutionCode: PERSON.homeInstitutionCode },
      details: { county: counter.countyCode, counter: counter.code, counterDate: firstBookableDay(await reservations.calendar())!, phone: '0912345678', email: PERSON.email, agentName: '', agentNationalId: '', mailingAddress: '臺北市大安區復興南路一段200號', ...extra },
      detailsComplete: true,
      userCodeHash: await reservations.hashUserCode('Qz7wK2'),
    };
    return createdReference(await reservations.create(draft, 'zh-TW', { sessionId: `browser-conventions-${Date.now()}`, clientIp: '127.0.0.1' }));
  }

  async function signInAtCounter(page: Page) {
    const creds = await createStaff(t.app, 'counter_staff', { counterCode: counter.code });
    const zh = (key: string) => translate('zh-TW', key);
    await inLanguage(page, 'zh-TW');
    await page.goto('/staff/login');
    await page.getByLabel(zh('staff.login.username'), { exact: true }).fill(creds.account.username);
    await page.getByLabel(zh('staff.login.password'), { exact: true }).fill(creds.password);
    await page.getByLabel(zh('staff.login.code'), { exact: true }).fill(totpCode(creds.totpSecret, totpStep()));
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: zh('staff.login.submit') }).click()]);
  }

  /** Agrees to the terms and submits the applicant step for PERSON with `name`; resolves when the answer has loaded. */
  async function submitApplicant(page: Page, lang: Lang, name: string) {
    const tr = (key: string) => translate(lang, key);
    await page.goto('/cards/reserve/personnel/terms');
    await page.getByLabel(tr('cards.terms.agreeLabel')).check();
    await Promise.all([page.waitForURL((url) => url.pathname === '/cards/reserve/personnel/applicant'), page.getByRole('button', { name: tr('cards.terms.agree') }).click()]);
    await page.getByLabel(tr('cards.field.nationalId')).fill(PERSON.nationalId);
    await page.getByLabel(tr('cards.field.category')).selectOption(PERSON.categoryCode);
    await page.getByLabel(tr('cards.field.certificateNumber')).fill(PERSON.certificateNumber);
    await page.getByLabel(tr('cards.field.name')).fill(name);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: tr('cards.applicant.personnel.submit') }).click()]);
  }

  /** A new reservation's page in `lang`, opened in this browser the way a stranger may: found with the lookup. */
  async function reservationPage(page: Page, lang: Lang): Promise<string> {
    await inLanguage(page, lang);
    const reference = await reserve();
    await page.goto(`/cards/lookup?reference=${reference}`);
    await page.getByLabel(translate(lang, 'cards.field.nationalId')).fill(PERSON.nationalId);
    await Promise.all([page.waitForURL((url) => url.pathname === `/cards/reservations/${reference}`), page.getByRole('button', { name: translate(lang, 'cards.lookup.submit') }).click()]);
    return reference;
  }

  async function inLanguage(page: Page, lang: Lang) {
    await page.context().addCookies([{ name: 'lang', value: lang, url: t.baseUrl }]);
  }

  beforeAll(async () => {
    counter = await createTestCounter(t.app);
  });

  afterEach(() => {
    expect(t.problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
  });

  for (const lang of ['zh-TW', 'en'] as const) {
    const tr = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);

    it(`sends a reopened confirmation or PDF to the lookup with the number filled in, and says why (${lang})`, async () => {
      const reference = await reserve();
      const { page } = t;
      await inLanguage(page, lang);
      for (const path of [`/cards/reservations/${reference}/confirmation`, `/cards/reservations/${reference}/application.pdf`]) {
        await page.goto(path);
        expect(new URL(page.url()).pathname).toBe('/cards/lookup');
        expect(await page.locator('#lookup-again').innerText()).toBe(tr('cards.lookup.again'));
        expect(await page.getByLabel(tr('cards.field.reservationNumber')).inputValue()).toBe(reference);
      }
      await expectAccessible(page);
      await screenshotIfAsked(page, `cards-lookup-again-${lang}`);
      await page.getByLabel(tr('cards.field.nationalId')).fill(PERSON.nationalId);
      await Promise.all([page.waitForURL((url) => url.pathname === `/cards/reservations/${reference}`), page.getByRole('button', { name: tr('cards.lookup.submit') }).click()]);
      const text = await page.locator('main').innerText();
      expect(text).toContain(reference);
      // one name for the reservation's number; the footer speaks of the error code, another word
      expect(text).not.toContain(lang === 'en' ? 'Reference number' : '參考編號');
      expect((await page.locator('footer').innerText()).toLowerCase()).toContain(tr('common.errorCode').toLowerCase());
      await expectAccessible(page);
    });
  }

  it('marks the whole group of four fields when the registry does not match, and says which fields to check (zh-TW and English)', async () => {
    const { page } = t;
    for (const lang of ['zh-TW', 'en'] as const) {
      const tr = (key: string) => translate(lang, key);
      await inLanguage(page, lang);
      await submitApplicant(page, lang, `${PERSON.nameZh}明`);
      await page.locator('.govuk-error-summary').waitFor();
      expect(await page.locator('.govuk-error-summary a').allInnerTexts()).toEqual([tr('cards.errors.registryMismatch')]);
      expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#registry');
      // all four outlined in the error colour (the name, the one that was wrong, and the ID alike)
      const borders = await page.locator('#registry input, #registry select').evaluateAll((els) => els.map((el) => getComputedStyle(el).borderTopColor));
      expect(borders).toHaveLength(4);
      expect(new Set(borders).size).toBe(1);
      expect(borders[0]).toBe(await page.locator('.govuk-error-message').first().evaluate((el) => getComputedStyle(el).color));
      expect(await page.getByLabel(tr('cards.field.name')).inputValue()).toBe(`${PERSON.nameZh}明`);
      await expectAccessible(page);
      await screenshotIfAsked(page, `cards-registry-mismatch-${lang}`);
    }
  });

  it('offers the open days as choices, and reveals the agent fields only under 代理人辦理 (zh-TW and English)', async () => {
    const { page } = t;
    for (const lang of ['zh-TW', 'en'] as const) {
      const tr = (key: string) => translate(lang, key);
      await inLanguage(page, lang);
      await submitApplicant(page, lang, PERSON.nameZh);
      await page.waitForURL((url) => url.pathname === '/cards/reserve/personnel/details');
      // the counter's open days are offered as choices; a later day is under 其他日期
      const open = firstBookableDay(await t.app.app.get(CardReservationService).calendar())!;
      expect(await page.getByRole('radio', { name: formatDay(open, lang) }).count()).toBe(1);
      expect(await page.getByLabel(tr('cards.field.counterDateLater')).isVisible()).toBe(false);
      await page.getByLabel(tr('cards.details.laterDay'), { exact: true }).check();
      await page.getByLabel(tr('cards.field.counterDateLater')).waitFor({ state: 'visible' });
      const agentName = page.getByLabel(tr('cards.field.agentName'));
      expect(await agentName.isVisible()).toBe(false);
      await page.getByLabel(tr('cards.details.byAgent')).check();
      await agentName.waitFor({ state: 'visible' });
      expect(await page.getByLabel(tr('cards.details.byAgent')).getAttribute('data-app-reveal')).toBe('conditional-agent-agent');
      await expectAccessible(page);
      await screenshotIfAsked(page, `cards-details-agent-${lang}`);
      await page.getByLabel(tr('cards.details.bySelf')).check();
      await agentName.waitFor({ state: 'hidden' });
    }
  });

  it('reveals the rejection reason only under 退件 (zh-TW and English)', async () => {
    const { page } = t;
    const reference = await reserve();
    await signInAtCounter(page);
    for (const lang of ['zh-TW', 'en'] as const) {
      const tr = (key: string) => translate(lang, key);
      await inLanguage(page, lang);
      await page.goto(`/counter/reservations/${reference}`);
      const reason = page.getByLabel(tr('cards.counter.field.reason'));
      expect(await reason.isVisible()).toBe(false);
      await page.getByLabel(tr('cards.counter.decision.reject'), { exact: true }).check();
      await reason.waitFor({ state: 'visible' });
      await expectAccessible(page);
    }
  });

  it('shows the agent fields without JavaScript', async () => {
    const noScript = await t.newPage({ javaScriptEnabled: false });
    await submitApplicant(noScript, 'zh-TW', PERSON.nameZh);
    await noScript.waitForURL((url) => url.pathname === '/cards/reserve/personnel/details');
    expect(await noScript.getByLabel(translate('zh-TW', 'cards.field.agentName')).isVisible()).toBe(true);
  });

  it('downloads the application form under its zh-TW name, and opens it in the browser from the "open" link (zh-TW and English)', async () => {
    const { page } = t;
    for (const lang of ['zh-TW', 'en'] as const) {
      const tr = (key: string) => translate(lang, key);
      const reference = await reservationPage(page, lang);
      await expectAccessible(page);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: tr('cards.reservation.reprint') }).click()]);
      expect(download.suggestedFilename()).toBe(`${translate('zh-TW', 'cards.pdf.title.personnel')}-${reference}.pdf`);
      // still on the service's page
      expect(new URL(page.url()).pathname).toBe(`/cards/reservations/${reference}`);
      const open = page.getByRole('link', { name: tr('common.openInBrowser') });
      const response = await page.context().request.get((await open.getAttribute('href'))!);
      expect(response.headers()['content-disposition']).toMatch(/^inline; filename="application-R\w+\.pdf"; filename\*=UTF-8''/);
      expect(response.headers()['content-type']).toBe('application/pdf');
    }
  });

  it('keeps phone numbers, dates and codes unbroken at phone width, without overflow (zh-TW and English)', async () => {
    const page = await t.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const counterDate = firstBookableDay(await t.app.app.get(CardReservationService).calendar())!;
    for (const lang of ['zh-TW', 'en'] as const) {
      await reservationPage(page, lang);
      const kept = await page.locator("main .app-nowrap").evaluateAll((els) => els.map((el) => ({ text: el.textContent, lines: new Set(Array.from(el.getClientRects(), (r) => Math.round(r.top))).size })));
      const texts = kept.map((k) => k.text);
      expect(texts).toEqual(expect.arrayContaining([formatDay(counterDate, lang), '02-24200000']));
      expect(kept.filter((k) => k.lines !== 1)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await expectAccessible(page);
      await screenshotIfAsked(page, `cards-reservation-390-${lang}`);
    }
  });

  it("shows the clerk the national IDs in full only after an explicit, audited request (zh-TW and English)", async () => {
    const reference = await reserve({ agentName: '陳代理', agentNationalId: 'A123456789' });
    const { page } = t;
    await signInAtCounter(page);
    for (const lang of ['zh-TW', 'en'] as const) {
      const tr = (key: string) => translate(lang, key);
      await inLanguage(page, lang);
      await page.goto(`/counter/reservations/${reference}`);
      expect(await page.locator('main').innerText()).not.toContain(PERSON.nationalId);
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: tr('cards.counter.showIds') }).click()]);
      await page.locator('#ids-shown').waitFor();
      const text = await page.locator('main').innerText();
      expect(text).toContain(PERSON.nationalId);
      expect(text).toContain('A123456789');
      await expectAccessible(page);
      await screenshotIfAsked(page, `counter-ids-shown-${lang}`);
    }
    expect(await t.app.dataSource.getRepository(AuditEvent).countBy({ action: 'card.reservation.national-id-shown', targetId: reference })).toBe(2);
  });
});
