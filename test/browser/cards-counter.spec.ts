import type { Page } from 'playwright-core';
import { translate } from '../../src/common/i18n/i18n';
import { maskNationalId } from '../../src/common/identifiers';
import { CardReservationService } from '../../src/modules/cards/reservation/card-reservation.service';
import { firstBookableDay } from '../../src/modules/cards/lifecycle/counter-date';
import type { ReservationDraft } from '../../src/modules/cards/lifecycle/reservation-draft';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { expectAccessible, screenshotIfAsked, useBrowser } from '../support/browser';
import { createdReference, createTestCounter } from '../support/cards';
import { useSoftHsmTestStore } from '../support/softhsm';
import { createStaff } from '../support/staff';

useSoftHsmTestStore();

const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);
const PERSON = DEMO_FIXTURES.physicianAtClinic; // reserves at the Taipei health bureau
const AGENT_ID = 'A123456789';

describe('registration counter pages in a real browser (Chromium + axe, zh-TW)', () => {
  const t = useBrowser();
  let reference: string;
  /** A counter of this file's own: its list holds only the reservation booked here. */
  let counter: { code: string; countyCode: string };

  beforeAll(async () => {
    await t.app.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    counter = await createTestCounter(t.app);
    const reservations = t.app.app.get(CardReservationService);
    const draft: ReservationDraft = {
      cardType: 'personnel',
      agreedAt: Date.now(),
      applicant: { kind: 'personnel', nationalId: PERSON.nationalId, categoryCode: PERSON.categoryCode, certificateNumber: PERSON.certificateNumber, name: PERSON.nameZh, professionalId: 0, homeInstitutionCode: PERSON.homeInstitutionCode },
      details: { county: counter.countyCode, counter: counter.code, counterDate: firstBookableDay(await reservations.calendar())!, phone: '0912345678', email: PERSON.email, agentName: '陳代理', agentNationalId: AGENT_ID, mailingAddress: '臺北市大安區復興南路一段200號' },
      detailsComplete: true,
      userCodeHash: await reservations.hashUserCode('Qz7wK2'),
    };
    reference = createdReference(await reservations.create(draft, 'zh-TW', { sessionId: 'browser-counter', clientIp: '127.0.0.1' }));
  });

  afterEach(() => {
    // No CSP violation, script error or missing asset on any page a test visited.
    expect(t.problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
  });

  async function signIn(page: Page) {
    const creds = await createStaff(t.app, 'counter_staff', { counterCode: counter.code });
    await page.goto('/staff/login');
    await page.getByLabel(zh('staff.login.username'), { exact: true }).fill(creds.account.username);
    await page.getByLabel(zh('staff.login.password'), { exact: true }).fill(creds.password);
    await page.getByLabel(zh('staff.login.code'), { exact: true }).fill(totpCode(creds.totpSecret, totpStep()));
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: zh('staff.login.submit') }).click()]);
  }

  it("shows the counter's reservations in an accessible table and opens one", async () => {
    const { page } = t;
    await signIn(page);
    await page.goto('/counter');
    expect(await page.locator('html').getAttribute('lang')).toMatch(/^zh/);
    expect(await page.locator('h1').innerText()).toBe(zh('cards.counter.list.title'));
    const table = page.getByRole('table');
    expect(await table.locator('caption').innerText()).toMatch(/^今天及之後的預約（共 \d+ 筆）$/);
    const row = page.getByRole('row').filter({ hasText: reference });
    expect(await row.getByRole('cell').allInnerTexts()).toEqual(expect.arrayContaining([PERSON.nameZh, maskNationalId(PERSON.nationalId), zh('cards.counter.state.reserved')]));
    await expectAccessible(page);
    await screenshotIfAsked(page, 'counter-list');

    await Promise.all([page.waitForURL((url) => url.pathname === `/counter/reservations/${reference}`), row.getByRole('link', { name: reference }).click()]);
    expect(await page.locator('h1').innerText()).toBe(zh('cards.counter.reservation.title'));
    expect(await page.content()).not.toContain(AGENT_ID);
    await expectAccessible(page);
  });

  it('shows the approval form errors accessibly, keeps the ticks, then issues the card with its PIN mailer', async () => {
    const { page } = t;
    await signIn(page);
    await page.goto(`/counter/reservations/${reference}`);
    await page.getByLabel(zh('cards.counter.document.personnel.id'), { exact: true }).check();
    await page.getByLabel(zh('cards.counter.document.personnel.licence'), { exact: true }).check();
    await page.getByLabel(zh('cards.counter.decision.approve'), { exact: true }).check();
    const submitted = page.waitForResponse((r) => new URL(r.url()).pathname === `/counter/reservations/${reference}` && r.request().method() === 'POST');
    await page.getByRole('button', { name: zh('cards.counter.submit') }).click();
    expect((await submitted).status()).toBe(422);
    await page.waitForLoadState('load');
    expect(await page.title()).toBe(`${zh('common.errorPrefix')}${zh('cards.counter.reservation.title')} – ${zh('app.name')}`);
    const missing = [zh('cards.counter.document.personnel.certificate'), zh('cards.counter.document.personnel.agent-id')].join('、');
    const summary = page.locator('.govuk-error-summary');
    await summary.getByRole('link', { name: zh('cards.counter.errors.documents.missing', { missing }) }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('documents');
    expect(await page.getByLabel(zh('cards.counter.document.personnel.id'), { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel(zh('cards.counter.document.personnel.certificate'), { exact: true }).isChecked()).toBe(false);
    expect(await page.getByLabel(zh('cards.counter.decision.approve'), { exact: true }).isChecked()).toBe(true);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'counter-approval-errors');

    await page.getByLabel(zh('cards.counter.document.personnel.certificate'), { exact: true }).check();
    await page.getByLabel(zh('cards.counter.document.personnel.agent-id'), { exact: true }).check();
    await page.getByRole('button', { name: zh('cards.counter.submit') }).click();
    await page.locator('#initial-pin').waitFor();
    expect(await page.locator('h1').innerText()).toBe(zh('cards.counter.issued.title'));
    expect(await page.locator('#card-number').innerText()).toMatch(/^[1-9]\d{11}$/);
    expect(await page.locator('#initial-pin').innerText()).toMatch(/^\d{6}$/);
    expect(await page.getByRole('button', { name: zh('cards.counter.issued.print') }).isVisible()).toBe(true);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'counter-pin-mailer');
  });
});
