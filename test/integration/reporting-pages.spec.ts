import { randomInt } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { createTestApp, type TestApp } from '../support/app';
import { applyEvents, move, submitCase } from '../support/reporting';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';
import { createInstitution, createProfessional, preparePki, signInWithCard, type TestInstitution } from '../support/support-duty';

useSoftHsmTestStore();

/** The cells of a table row (by data-code) on a page: [outcome counts…, cases, sessions]. */
function rowOf(html: string, table: string, code: string): number[] | null {
  const section = new RegExp(`<table[^>]*id="table-${table}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  const row = new RegExp(`<tr[^>]*data-code="${code}"[\\s\\S]*?</tr>`).exec(section)?.[0];
  return row ? [...row.matchAll(/<td[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1])) : null;
}

/** Every link on a page, with the HTML entities Handlebars wrote decoded. */
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));

describe('reporting: the /reports pages, their scope and the CSV export', () => {
  let t: TestApp;
  // a year no other test file uses, so the county figures are this file's alone
  const year = 2000 + randomInt(0, 12); // 2000–2011: no other test file uses them (the browser test takes 2012–2023, the rest the present)
  let taipei: TestInstitution;
  let taipeiOther: TestInstitution;
  let kaohsiung: TestInstitution;

  beforeAll(async () => {
    t = await createTestApp();
    await preparePki(t);
    const home = await createInstitution(t, { countyCode: '63000' });
    const person = await createProfessional(t, home);
    [taipei, taipeiOther, kaohsiung] = [await createInstitution(t, { countyCode: '66000' }), await createInstitution(t, { countyCode: '66000' }), await createInstitution(t, { countyCode: '64000' })];
    const ids = [
      await submitCase(t, { person, supported: taipei, firstDay: `${year}-02-03`, sessionCount: 4 }),
      await submitCase(t, { person, supported: taipei, firstDay: `${year}-05-12`, sessionCount: 2, categoryCode: 'F' }),
      await submitCase(t, { person, supported: taipei, firstDay: `${year}-05-20`, sessionCount: 3 }),
      await submitCase(t, { person, supported: taipeiOther, firstDay: `${year}-11-02`, sessionCount: 1 }),
      await submitCase(t, { person, supported: kaohsiung, firstDay: `${year}-05-05`, sessionCount: 6 }),
    ];
    await move(t, [ids[0], 'approve']);
    await move(t, [ids[1], 'reject']);
    await move(t, [ids[4], 'approve']);
    await applyEvents(t, ids);
  });
  afterAll(() => t.close());

  it('a county reviewer sees their county only: its institutions, categories and months, with 民國 year and freshness', async () => {
    const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
    const page = await agent.get(`/reports?year=${year}`).expect(200);
    expect(page.text).toContain(`民國 ${year - 1911} 年`);
    expect(page.text).toContain('統計資料更新至');
    // approved, submitted, rejected, cancelled, superseded, cases, sessions
    expect(rowOf(page.text, 'institution', taipei.code)).toEqual([1, 1, 1, 0, 0, 3, 9]);
    expect(rowOf(page.text, 'institution', taipeiOther.code)).toEqual([0, 1, 0, 0, 0, 1, 1]);
    expect(rowOf(page.text, 'institution', kaohsiung.code)).toBeNull();
    expect(rowOf(page.text, 'category', 'F')).toEqual([0, 0, 1, 0, 0, 1, 2]);
    expect(rowOf(page.text, 'month', `${year}-05`)).toEqual([0, 1, 1, 0, 0, 2, 5]);
    expect(page.text).not.toContain('id="table-county"');
    // the chart: an image with a text summary, and the institution rows lead to the case list
    expect(page.text).toMatch(/<svg role="img" aria-label="共 2 項、4 件案件/);
    expect(hrefs(page.text)).toContain(`/review/support-duty?institution=${taipei.code}&from=${year}-01-01&to=${year}-12-31`);
  });

  it('a county reviewer cannot read another county by URL or by export (not found), and the CSV is UTF-8 with a BOM', async () => {
    const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
    await agent.get(`/reports?year=${year}&county=64000`).expect(404);
    await agent.get(`/reports/export.csv?year=${year}&county=64000`).expect(404);
    const csv = await agent.get(`/reports/export.csv?year=${year}&part=q2`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toContain('attachment');
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toBe('"統計表","代碼","名稱","核准","審查中","不通過","已註銷","已由變更取代","案件數","支援診次"');
    expect(text).toContain(`"醫療院所申辦統計","${taipei.code}","${taipei.nameZh}",0,1,1,0,0,2,5`);
    expect(text).not.toContain(kaohsiung.code);
    expect(text).not.toContain(taipeiOther.code); // November is not in Q2
  });

  it('XLSX and printable PDF exports hold the same scope: the county of the reviewer only', async () => {
    const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
    const binary = (path: string) =>
      agent.get(path).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    await agent.get(`/reports/export.xlsx?year=${year}&county=64000`).expect(404);
    await agent.get(`/reports/export.pdf?year=${year}&county=64000`).expect(404);
    const xlsx = await binary(`/reports/export.xlsx?year=${year}`).expect(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const files = unzipSync(new Uint8Array(xlsx.body as Buffer));
    const xml = Object.entries(files).filter(([name]) => name.endsWith('.xml')).map(([, bytes]) => strFromU8(bytes)).join('\n');
    expect(xml).toContain(taipei.code);
    expect(xml).toContain(taipei.nameZh);
    expect(xml).toContain('醫療院所申辦統計');
    expect(xml).not.toContain(kaohsiung.code);
    const pdf = await binary(`/reports/export.pdf?year=${year}&part=m05`).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((pdf.body as Buffer).length).toBeGreaterThan(5000);
  });

  it('ministry staff see every county and drill down from a county to its institutions', async () => {
    const { agent } = await signInAsStaff(t, 'ministry_staff');
    const page = await agent.get(`/reports?year=${year}&part=q2`).expect(200);
    expect(page.text).toContain(`民國 ${year - 1911} 年第 2 季`);
    expect(rowOf(page.text, 'county', '66000')).toEqual([0, 1, 1, 0, 0, 2, 5]);
    expect(rowOf(page.text, 'county', '64000')).toEqual([1, 0, 0, 0, 0, 1, 6]);
    expect(hrefs(page.text)).toContain(`/reports?year=${year}&part=q2&county=64000`);
    const county = await agent.get(`/reports?year=${year}&part=q2&county=64000`).expect(200);
    expect(rowOf(county.text, 'institution', kaohsiung.code)).toEqual([1, 0, 0, 0, 0, 1, 6]);
    expect(rowOf(county.text, 'institution', taipei.code)).toBeNull();
    await agent.get(`/reports?year=${year}&county=99999`).expect(404);
  });

  it('an institution sees its own figures only, without links to the case list', async () => {
    const { agent } = await signInWithCard(t, { institution: taipeiOther });
    const page = await agent.get(`/reports?year=${year}`).expect(200);
    expect(rowOf(page.text, 'institution', taipeiOther.code)).toEqual([0, 1, 0, 0, 0, 1, 1]);
    expect(rowOf(page.text, 'institution', taipei.code)).toBeNull();
    expect(hrefs(page.text).filter((h) => h.startsWith('/review/'))).toEqual([]);
    await agent.get(`/reports?year=${year}&county=66000`).expect(404);
    const csv = await agent.get(`/reports/export.csv?year=${year}`).expect(200);
    expect(csv.text).toContain(taipeiOther.code);
    expect(csv.text).not.toContain(taipei.code);
  });

  it('a malformed period re-renders the page (422) with the error and the values kept; people and counter staff are refused', async () => {
    const { agent } = await signInAsStaff(t, 'ministry_staff');
    const bad = await agent.get(`/reports?year=${year}&part=q9`).expect(422);
    expect(bad.text).toContain('請選擇全年、一季或一個月');
    expect(bad.text).toMatch(new RegExp(`<option value="${year}" selected`));
    const counter = await signInAsStaff(t, 'counter_staff');
    await counter.agent.get('/reports').expect(403);
    await t.agent().get('/reports').expect((res) => expect([302, 303]).toContain(res.status));
  });
  // last in this file: it changes a summary row behind the watermark's back (and puts it back)
  it('serves the figures from the cache until the watermark moves: a summary row changed without an event is not seen, the next event recomputes', async () => {
    const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
    const page = () => agent.get(`/reports?year=${year}&part=m02`).expect(200);
    expect(rowOf((await page()).text, 'institution', taipei.code)).toEqual([1, 0, 0, 0, 0, 1, 4]);
    const tamper = (n: number) =>
      t.dataSource.query("UPDATE report_sd_facet SET cases = cases + ? WHERE county_code = '66000' AND month = ? AND facet = 'institution' AND value = ? AND status = 'approved'", [n, `${year}-02-01`, taipei.code]);
    await tamper(100);
    try {
      // the same watermark: the cached figures, not a read of the summaries
      expect(rowOf((await page()).text, 'institution', taipei.code)).toEqual([1, 0, 0, 0, 0, 1, 4]);
      // an event moves the watermark: the figures are read again (and hold the change)
      const id = await submitCase(t, { person: await createProfessional(t, await createInstitution(t, { countyCode: '63000' })), supported: taipeiOther, firstDay: `${year}-02-14`, sessionCount: 2 });
      await applyEvents(t, [id]);
      const after = (await page()).text;
      expect(rowOf(after, 'institution', taipei.code)).toEqual([101, 0, 0, 0, 0, 101, 4]);
      expect(rowOf(after, 'institution', taipeiOther.code)).toEqual([0, 1, 0, 0, 0, 1, 2]);
    } finally {
      await tamper(-100);
    }
  });
});
