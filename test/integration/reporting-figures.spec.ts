import { randomBytes, randomInt } from 'node:crypto';
import { ProtectedIdCodec } from '../../src/common/crypto/protected-id';
import { allSchedules } from '../../src/core/queues';
import { FiguresService } from '../../src/modules/reporting';
import { createTestApp, type TestApp } from '../support/app';
import { createTestCounter, TEST_COUNTER_COUNTY } from '../support/cards';
import { signInAsStaff } from '../support/staff';

/** The numbers of a table row (by data-code) on a page. */
function rowOf(html: string, table: string, code: string): number[] | null {
  const section = new RegExp(`<table[^>]*id="table-${table}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  const row = new RegExp(`<tr[^>]*data-code="${code}"[\\s\\S]*?</tr>`).exec(section)?.[0];
  return row ? [...row.matchAll(/<td[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1])) : null;
}

describe('reporting: card reservations per counter and month, employer registrations and reviews per month', () => {
  let t: TestApp;
  // a year no other test file uses for these tables' dates (the present is theirs)
  const year = 2000 + randomInt(0, 20);
  let counter: { code: string };
  let otherCounter: { code: string };

  /** A card reservation row at a counter, for a counter date, in a state (as the cards module stores it). */
  async function reservation(counterCode: string, countyCode: string, day: string, status: string) {
    const ids = new ProtectedIdCodec(t.config.dataKey).protect(`A1${String(randomInt(0, 99_999_999)).padStart(8, '0')}`);
    await t.dataSource.query(
      `INSERT INTO card_reservation (reference, card_type, status, national_id_cipher, national_id_index, applicant_name, counter_code, counter_county_code, counter_date,
         phone, email, user_code_hash, mailing_address, lang, created_at, updated_at, version)
       VALUES (?, 'personnel', ?, ?, ?, '測試申請人', ?, ?, ?, '0912-345-678', 'a@example.org', 'x', '臺北市測試路1號', 'zh-TW', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), 1)`,
      [`T${randomBytes(6).toString('hex').toUpperCase()}`, status, ids.cipher, ids.index, counterCode, countyCode, day],
    );
  }

  /** An employer first registration or certificate review created at `at` (UTC). */
  async function registration(at: string, ended: boolean) {
    const unit = `U${randomBytes(4).toString('hex')}`;
    await t.dataSource.query(
      `INSERT INTO employer_registration (reference, unit_code, active_unit_code, unit_cert_serial, unit_cert_issuer, unit_cert_family, manager_id_cipher, manager_id_index, manager_cert_serial,
         manager_cert_issuer, manager_name, email, unit_name, business_number, responsible_id_cipher, responsible_id_index, lang, created_at, ended_at)
       VALUES (?, ?, NULL, '01', 'CN=Test', 'gca', 'c', ?, '02', 'CN=Test', '測試管理者', 'm@example.org', '測試單位', '12345675', 'c', ?, 'zh-TW', ?, ?)`,
      [`ER${randomBytes(6).toString('hex')}`, unit, 'x'.repeat(64), 'y'.repeat(64), at, ended ? at : null],
    );
  }
  async function review(at: string, status: string) {
    await t.dataSource.query(
      `INSERT INTO employer_review_case (unit_code, status, cert_serial, cert_issuer, cert_family, cert_subject, applicant_name, applicant_phone, applicant_email, lang, created_at)
       VALUES (?, ?, '03', 'CN=Test', 'gca', 'CN=Unit', '測試申請人', '02-1234-5678', 'r@example.org', 'zh-TW', ?)`,
      [`U${randomBytes(4).toString('hex')}`, status, at],
    );
  }

  beforeAll(async () => {
    t = await createTestApp();
    [counter, otherCounter] = [await createTestCounter(t), await createTestCounter(t)];
    await reservation(counter.code, TEST_COUNTER_COUNTY, `${year}-03-04`, 'issued');
    await reservation(counter.code, TEST_COUNTER_COUNTY, `${year}-03-20`, 'cancelled');
    await reservation(counter.code, TEST_COUNTER_COUNTY, `${year}-07-01`, 'active');
    await reservation(otherCounter.code, TEST_COUNTER_COUNTY, `${year}-07-09`, 'rejected');
    await reservation('HB-63000', '63000', `${year}-07-09`, 'issued');
    // 31 March 17:00 UTC is 1 April in Taiwan: an April registration
    await registration(`${year}-03-31 17:00:00`, false);
    await registration(`${year}-03-10 02:00:00`, true);
    await review(`${year}-04-02 03:00:00`, 'approved');
    await review(`${year}-04-15 03:00:00`, 'open');
    await review(`${year}-11-15 03:00:00`, 'rejected');
    await t.app.get(FiguresService).refresh();
  });
  afterAll(() => t.close());

  it('county reviewers see the reservations of their county’s counters per month; ministry staff every counter', async () => {
    const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: TEST_COUNTER_COUNTY });
    const page = await agent.get(`/reports/cards?year=${year}`).expect(200);
    expect(page.text).toContain('統計資料重新計算於');
    // January … December, then the total
    expect(rowOf(page.text, 'counter', counter.code)).toEqual([0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 3]);
    expect(rowOf(page.text, 'counter', otherCounter.code)).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(rowOf(page.text, 'counter', 'HB-63000')).toBeNull();
    const q3 = await agent.get(`/reports/cards?year=${year}&part=q3`).expect(200);
    expect(rowOf(q3.text, 'counter', counter.code)).toEqual([1, 0, 0, 1]);

    const { agent: ministry } = await signInAsStaff(t, 'ministry_staff');
    const all = await ministry.get(`/reports/cards?year=${year}&part=m07`).expect(200);
    expect(rowOf(all.text, 'counter', counter.code)).toEqual([1, 1]);
    expect(rowOf(all.text, 'counter', 'HB-63000')?.[0]).toBeGreaterThanOrEqual(1);
    await ministry.get('/reports/cards?year=abc').expect(422);
  });

  it('ministry staff see employer registrations (in force / ended) and reviews (by status) per month in Taiwan time; county reviewers may not', async () => {
    const { agent } = await signInAsStaff(t, 'ministry_staff');
    const page = await agent.get(`/reports/employers?year=${year}`).expect(200);
    // in force, ended, total; open, approved, rejected, total
    expect(rowOf(page.text, 'employers', `${year}-03`)).toEqual([0, 1, 1, 0, 0, 0, 0]);
    expect(rowOf(page.text, 'employers', `${year}-04`)).toEqual([1, 0, 1, 1, 1, 0, 2]);
    expect(rowOf(page.text, 'employers', `${year}-11`)).toEqual([0, 0, 0, 0, 0, 1, 1]);
    const { agent: reviewer } = await signInAsStaff(t, 'county_reviewer', { countyCode: '63000' });
    await reviewer.get(`/reports/employers?year=${year}`).expect(403);
  });

  it('recounting changes nothing when the sources have not changed, and follows a change of state', async () => {
    const figures = t.app.get(FiguresService);
    const before = await figures.refresh();
    expect(await figures.refresh()).toEqual(before);
    await t.dataSource.query("UPDATE card_reservation SET status = 'revoked' WHERE counter_code = ? AND status = 'active'", [counter.code]);
    await figures.refresh();
    const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: TEST_COUNTER_COUNTY });
    const page = await agent.get(`/reports/cards?year=${year}&part=m07`).expect(200);
    expect(rowOf(page.text, 'counter', counter.code)).toEqual([1, 1]);
    expect([rowOf(page.text, 'state', 'active'), rowOf(page.text, 'state', 'revoked'), rowOf(page.text, 'state', 'rejected')]).toEqual([[0], [1], [1]]);
  });

  it('is recounted every 15 minutes by the statistics queue', () => {
    expect(allSchedules(t.config).find((s) => s.id === 'reporting-figures-refresh')).toMatchObject({ queue: 'statistics', job: 'figures-refresh', repeat: { every: 900_000 } });
  });
});
