// /counters lists counties in the interior ministry's order (issue 14, item 11) and says so.
import { translate } from '../../src/common/i18n/i18n';
import { COUNTIES, COUNTY_ORDER, countyRank } from '../../src/modules/reference/data';
import { createTestApp, type TestApp } from '../support/app';

describe('registration counters in the ministry order', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('has every county once in the order', () => {
    expect([...COUNTY_ORDER].sort()).toEqual(COUNTIES.map((c) => c.code).sort());
  });

  it('offers the counties and lists the counters municipalities first, 連江縣 last, and says which order', async () => {
    const page = (await t.agent().get('/counters').expect(200)).text;
    expect(page).toContain(translate('zh-TW', 'counters.order'));
    const select = /<select[^>]*id="county"[\s\S]*?<\/select>/.exec(page)![0];
    const options = [...select.matchAll(/<option value="(\d+)"/g)].map((m) => m[1]);
    expect(options).toEqual([...COUNTY_ORDER]);
    const byName = new Map<string, string>(COUNTIES.map((c) => [c.nameZh, c.code]));
    const table = /<tbody[\s\S]*?<\/tbody>/.exec(page)![0];
    const rowCounties = [...table.matchAll(/<tr class="govuk-table__row">[\s\S]*?<\/th>\s*<td[^>]*>[\s\S]*?<\/td>\s*<td[^>]*>([^<]+)<\/td>/g)].map((m) => byName.get(m[1].trim())!);
    expect(rowCounties.length).toBeGreaterThan(5);
    expect(rowCounties[0]).toBe('65000');
    const ranks = rowCounties.map(countyRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });
});
