import { randomInt } from 'node:crypto';
import { translate } from '../../src/common/i18n/i18n';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { expectAccessible, screenshotIfAsked, useBrowser } from '../support/browser';
import { applyEvents, move, submitCase } from '../support/reporting';
import { createStaff } from '../support/staff';
import { createInstitution, createProfessional } from '../support/support-duty';

const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);

describe('the county statistics page in a real browser (Chromium + axe)', () => {
  const t = useBrowser();

  afterEach(() => {
    expect(t.problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
  });

  /** A new staff account signed in through the break-glass form. */
  async function signIn(role: Parameters<typeof createStaff>[1], extra: Parameters<typeof createStaff>[2] = {}) {
    const creds = await createStaff(t.app, role, extra);
    const { page } = t;
    await page.goto('/staff/login');
    await page.getByLabel(zh('staff.login.username'), { exact: true }).fill(creds.account.username);
    await page.getByLabel(zh('staff.login.password'), { exact: true }).fill(creds.password);
    await page.getByLabel(zh('staff.login.code'), { exact: true }).fill(totpCode(creds.totpSecret, totpStep()));
    await page.getByRole('button', { name: zh('staff.login.submit') }).click();
    await page.waitForLoadState('load');
  }

  it("a county reviewer's page: chart with its text summary, the table beside it, a period change and a CSV download; axe clean", async () => {
    // a year of this test's own, so the county figures are its alone
    const year = 2012 + randomInt(0, 12); // 2012–2023: no other test file uses them (the pages test takes 2000–2011, the rest the present)
    const home = await createInstitution(t.app, { countyCode: '63000' });
    const person = await createProfessional(t.app, home);
    const supported = await createInstitution(t.app, { countyCode: '66000' });
    const ids = [
      await submitCase(t.app, { person, supported, firstDay: `${year}-03-02`, sessionCount: 4 }),
      await submitCase(t.app, { person, supported, firstDay: `${year}-08-10`, sessionCount: 2 }),
    ];
    await move(t.app, [ids[0], 'approve']);
    await applyEvents(t.app, ids);

    await signIn('county_reviewer', { countyCode: '66000' });
    const { page } = t;

    // reached from the header link the module contributes
    await page.getByRole('link', { name: zh('nav.reports') }).first().click();
    await page.waitForLoadState('load');
    await page.getByLabel(zh('reports.year'), { exact: true }).selectOption(String(year));
    await page.getByRole('button', { name: zh('reports.show') }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').innerText()).toContain(zh('reports.period.year', { roc: year - 1911 }));

    const chart = page.getByRole('img', { name: /共 1 項、2 件案件/ });
    expect(await chart.count()).toBeGreaterThanOrEqual(1);
    const row = page.locator(`#table-institution tr[data-code="${supported.code}"] td`);
    expect(await row.allInnerTexts()).toEqual(['1', '1', '0', '0', '0', '2', '6']);
    await expectAccessible(page);
    await screenshotIfAsked(page, 'reports-county');

    // one quarter: only the March case
    await page.getByLabel(zh('reports.part'), { exact: true }).selectOption('q1');
    await page.getByRole('button', { name: zh('reports.show') }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').innerText()).toContain(zh('reports.period.quarter', { roc: year - 1911, quarter: 1 }));
    expect(await page.locator(`#table-institution tr[data-code="${supported.code}"] td`).allInnerTexts()).toEqual(['1', '0', '0', '0', '0', '1', '4']);
    await expectAccessible(page);

    // the CSV download of what the page shows
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: zh('reports.export.csv') }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`support-duty-report-${year}-q1-66000.csv`);
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain(`"${supported.code}","${supported.nameZh}",1,0,0,0,0,1,4`);
  });
  it('the other reports reached from /reports (monthly county reports, card reservations; employer figures for ministry staff) are axe clean', async () => {
    const { page } = t;
    await signIn('county_reviewer', { countyCode: '66000' });
    await page.goto('/reports');
    await page.getByRole('link', { name: zh('reports.monthly.link') }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').innerText()).toBe(zh('reports.monthly.title'));
    await expectAccessible(page);
    await page.goto('/reports');
    await page.getByRole('link', { name: zh('reports.cards.title') }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#table-counter').count()).toBe(1);
    await expectAccessible(page);
    expect(await page.getByRole('link', { name: zh('reports.employers.title') }).count()).toBe(0);

    await page.context().clearCookies();
    await signIn('ministry_staff');
    await page.goto('/reports');
    await page.getByRole('link', { name: zh('reports.employers.title') }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#table-employers').count()).toBe(1);
    await expectAccessible(page);
  });
});
