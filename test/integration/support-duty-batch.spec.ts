import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { WorkerModule } from '../../src/app/worker.module';
import { addDays } from '../../src/common/time/taipei-day';
import { loadConfig } from '../../src/config/app-config';
import { createTestApp, type TestApp } from '../support/app';
import { useSoftHsmTestStore } from '../support/softhsm';
import { createInstitution, createProfessional, mondayIn, preparePki, signInWithCard } from '../support/support-duty';
import { setAsideOtherFilesJobs } from '../support/worker';
import { waitFor } from '../support/polling';

useSoftHsmTestStore();

describe('support-duty batch entry (批次登錄): CSV, BullMQ job, progress, all or nothing', () => {
  let t: TestApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    t = await createTestApp();
    await preparePki(t);
    await setAsideOtherFilesJobs(t.dataSource, t.config.redisUrl);
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, DEV_SMTP_LISTENER: 'false' })), { logger: false });
    await worker.init();
  });
  afterAll(async () => {
    await worker?.close();
    await t.close();
  });

  const header = 'national_id,supported_institution,department,purpose,purpose_text,from,to,weekdays,sessions';

  async function upload(agent: Awaited<ReturnType<typeof signInWithCard>>['agent'], csrf: string, csv: string) {
    const res = await agent.post('/support-duty/batch').field('_csrf', csrf).attach('files', Buffer.from(csv), 'batch.csv');
    return res;
  }

  async function finished(agent: Awaited<ReturnType<typeof signInWithCard>>['agent'], location: string) {
    return waitFor('the batch to finish', async () => {
      const page = await agent.get(location).expect(200);
      return /完成|未送出/.test(page.text) && !page.text.includes('hx-trigger="every 1s"') ? page.text : null;
    });
  }

  /** The status page's row errors as "row:column", and their reasons. */
  const rowErrors = (page: string) => {
    const found = [...page.matchAll(/<tr class="govuk-table__row"><td class="govuk-table__cell govuk-table__cell--numeric">(\d+)<\/td><td class="govuk-table__cell">([\w_]+)<\/td>\s*<td class="govuk-table__cell">([^<]+)<\/td>/g)];
    return { cells: found.map((m) => `${m[1]}:${m[2]}`), reasons: found.map((m) => m[3].trim()) };
  };

  /** Uploads `csv` as `home` and waits for the batch to be refused as a whole. */
  async function refused(home: Awaited<ReturnType<typeof createInstitution>>, csv: string) {
    const { agent, csrf } = await signInWithCard(t, { institution: home });
    const res = await upload(agent, csrf, csv);
    expect(res.status).toBe(303);
    const page = await finished(agent, res.headers.location);
    expect(page).toContain('整批都未送出');
    return { agent, csrf, page };
  }

  it('files every row of a good file in one go, with the progress page', async () => {
    const home = await createInstitution(t);
    const supported = await createInstitution(t);
    const [a, b] = [await createProfessional(t, home), await createProfessional(t, home)];
    const monday = mondayIn(3);
    const csv = [header, `${a.nationalId},${supported.code},01,outpatient,,${monday},${addDays(monday, 6)},1;3,morning`, `${b.nationalId},${supported.code},02,teaching,,${monday},${monday},1,上午;下午`, `${a.nationalId},${supported.code},01,other,"教學門診, 兼任",${addDays(monday, 7)},${addDays(monday, 7)},1,night`].join('\r\n');
    const { agent, csrf } = await signInWithCard(t, { institution: home });
    const template = await agent.get('/support-duty/batch/template.csv').expect(200);
    expect(template.text.replace(/^\ufeff/, '').split('\r\n')[0]).toBe(header);
    const res = await upload(agent, csrf, csv);
    expect(res.status).toBe(303);
    const page = await finished(agent, res.headers.location);
    expect(page).toContain('已送出 3 件申請');
    expect(page).toContain('<progress id="batch-progress" max="100" value="100"');
    const rows = (await t.dataSource.query('SELECT status, purpose_text FROM support_duty_case WHERE home_institution_code = ? ORDER BY id', [home.code])) as Array<{ status: string; purpose_text: string | null }>;
    expect(rows.map((r) => r.status)).toEqual(['submitted', 'submitted', 'submitted']);
    expect(rows[2].purpose_text).toBe('教學門診, 兼任');
    // each case as a single submission leaves it: its number, slots, an audit row and a reporting event
    const filed = (await t.dataSource.query('SELECT id, case_number, version FROM support_duty_case WHERE home_institution_code = ? ORDER BY id', [home.code])) as Array<{ id: string; case_number: string; version: number }>;
    expect(filed.map((f) => f.case_number)).toEqual(filed.map((f) => `SD${String(f.id).padStart(10, '0')}`));
    expect(filed.map((f) => f.version)).toEqual([2, 2, 2]);
    const [slots] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM support_duty_slot WHERE case_id IN (?)', [filed.map((f) => f.id)])) as Array<{ n: string }>;
    expect(Number(slots.n)).toBe(2 + 2 + 1);
    const audits = (await t.dataSource.query("SELECT action, credential FROM audit_event WHERE target_type = 'support_duty_case' AND target_id IN (?) ORDER BY id", [filed.map((f) => f.case_number)])) as Array<{ action: string; credential: string }>;
    expect(audits.map((a) => a.action)).toEqual(['support-duty.submit', 'support-duty.submit', 'support-duty.submit']);
    expect(audits[0].credential).toMatch(/^batch:\d+$/);
    const events = (await t.dataSource.query("SELECT payload FROM outbox_message WHERE queue = 'support-duty-events' AND payload LIKE ? ORDER BY id", [`%"homeInstitutionCode":"${home.code}"%`])) as Array<{ payload: string }>;
    expect(events.map((e) => JSON.parse(e.payload) as { caseNumber: string; event: string; from: string; to: string; version: number })).toEqual(
      filed.map((f) => expect.objectContaining({ caseId: String(f.id), caseNumber: f.case_number, event: 'submit', from: 'draft', to: 'submitted', version: 2 })),
    );
  });

  it('files nothing when any row is bad, and reports every bad row with its number, column and reason (rows checked against each other)', async () => {
    const home = await createInstitution(t);
    const other = await createInstitution(t);
    const supported = await createInstitution(t);
    const ours = await createProfessional(t, home);
    const theirs = await createProfessional(t, other);
    const monday = mondayIn(3);
    const csv = [
      header,
      `${ours.nationalId},${supported.code},01,outpatient,,${monday},${monday},1,morning`,
      `${theirs.nationalId},${supported.code},01,outpatient,,${monday},${monday},1,morning`,
      `${ours.nationalId},${supported.code},01,outpatient,,2027-02-30,2027-03-01,1,morning`,
      `${ours.nationalId},${supported.code},01,outpatient,,${monday},${monday},1,morning;afternoon`,
    ].join('\n');
    const { agent, csrf, page } = await refused(home, csv);
    expect(rowErrors(page).cells).toEqual(['3:national_id', '4:from']);
    expect(await t.dataSource.query('SELECT id FROM support_duty_case WHERE home_institution_code = ?', [home.code])).toEqual([]);

    // the same file without the registry and date errors: rows 2 and 3 overlap each other
    const second = await upload(agent, csrf, [header, `${ours.nationalId},${supported.code},01,outpatient,,${monday},${monday},1,morning`, `${ours.nationalId},${supported.code},01,outpatient,,${monday},${monday},1,morning;afternoon`].join('\n'));
    const overlap = await finished(agent, second.headers.location);
    expect(overlap).toContain('與本人其他支援時段重疊 1 個診次');
    expect(overlap).toMatch(/>3<\/td><td class="govuk-table__cell">from<\/td>/);
    expect(await t.dataSource.query('SELECT id FROM support_duty_case WHERE home_institution_code = ?', [home.code])).toEqual([]);
  });

  it('reports every quota and overlap breach between rows of one file (weekly sessions, overlap, institution share) and files nothing', async () => {
    const home = await createInstitution(t);
    const big = await createInstitution(t);
    const small = await createInstitution(t, { weeklySessions: 5 }); // 40% of 5: at most 2 sessions a week
    const [a, b, c, d] = [await createProfessional(t, home), await createProfessional(t, home), await createProfessional(t, home), await createProfessional(t, home)];
    const monday = mondayIn(3);
    const csv = [
      header,
      `${a.nationalId},${big.code},01,outpatient,,${monday},${addDays(monday, 3)},1;2;3;4,morning;afternoon`, // 8 sessions: the most a week
      `${a.nationalId},${big.code},01,outpatient,,${addDays(monday, 4)},${addDays(monday, 4)},5,morning`, // the 9th
      `${b.nationalId},${big.code},01,outpatient,,${monday},${monday},1,morning`,
      `${b.nationalId},${big.code},01,outpatient,,${monday},${monday},1,morning`, // the same slot again
      `${c.nationalId},${small.code},01,outpatient,,${addDays(monday, 1)},${addDays(monday, 1)},2,morning;afternoon`, // 2 of 2
      `${d.nationalId},${small.code},01,outpatient,,${addDays(monday, 2)},${addDays(monday, 2)},3,morning`, // the 3rd
    ].join('\n');
    const { page } = await refused(home, csv);
    const { cells, reasons } = rowErrors(page);
    expect(cells).toEqual(['3:from', '5:from', '7:from']);
    expect(reasons[0]).toBe(`${monday} 當週已支援 8 診次，本案再加 1 診次共 9 診次，上限 8 診次`);
    expect(reasons[1]).toBe(`與本人其他支援時段重疊 1 個診次（自 ${monday} 起）`);
    expect(reasons[2]).toBe(`受支援機構 ${monday} 當週已有 2 診次支援，本案再加 1 診次共 3 診次，上限 2 診次（每週 5 診次的 40%）`);
    // nothing of the file was kept: no case, no slot, no event
    expect(await t.dataSource.query('SELECT id FROM support_duty_case WHERE home_institution_code = ?', [home.code])).toEqual([]);
    expect(await t.dataSource.query('SELECT case_id FROM support_duty_slot WHERE institution_code IN (?)', [[big.code, small.code]])).toEqual([]);
    expect(await t.dataSource.query("SELECT id FROM outbox_message WHERE queue = 'support-duty-events' AND payload LIKE ?", [`%"homeInstitutionCode":"${home.code}"%`])).toEqual([]);
  });

  it('XLSX: the template to download, and a workbook upload with the same checks (bad rows reported, nothing filed) and the same filing', async () => {
    const home = await createInstitution(t);
    const supported = await createInstitution(t);
    const [a, b] = [await createProfessional(t, home), await createProfessional(t, home)];
    const stranger = await createProfessional(t, await createInstitution(t));
    const { agent, csrf } = await signInWithCard(t, { institution: home });
    const template = await agent
      .get('/support-duty/batch/template.xlsx')
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(template.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const templateRows = await readSheet(template.body as Buffer);
    expect(templateRows[0]).toEqual(header.split(','));
    expect(templateRows[1][1]).toBe('0190010011'); // codes stay text, leading zero kept

    const monday = mondayIn(3);
    const day = (iso: string) => ({ value: new Date(`${iso}T00:00:00Z`), type: Date, format: 'yyyy-mm-dd' });
    const text = (value: string) => ({ value, type: String });
    const workbook = (rows: Array<Array<ReturnType<typeof day> | ReturnType<typeof text>>>) => writeXlsxFile([header.split(',').map(text), ...rows]).toBuffer();
    const send = async (bytes: Buffer) => agent.post('/support-duty/batch').field('_csrf', csrf).attach('files', bytes, 'batch.xlsx');

    // another institution's staff member and a day that does not exist: both reported, nothing filed
    const bad = await send(
      await workbook([
        [text(a.nationalId), text(supported.code), text('01'), text('outpatient'), text(''), day(monday), day(monday), text('1'), text('morning')],
        [text(stranger.nationalId), text(supported.code), text('01'), text('outpatient'), text(''), day(monday), day(monday), text('1'), text('morning')],
        [text(b.nationalId), text(supported.code), text('01'), text('outpatient'), text(''), text('2027-02-30'), text('2027-03-01'), text('1'), text('morning')],
      ]),
    );
    expect(bad.status).toBe(303);
    const failed = await finished(agent, bad.headers.location);
    expect(failed).toContain('整批都未送出');
    expect(rowErrors(failed).cells).toEqual(['3:national_id', '4:from']);
    expect(await t.dataSource.query('SELECT id FROM support_duty_case WHERE home_institution_code = ?', [home.code])).toEqual([]);

    // the same rows put right: filed, dates read from date cells and from text alike
    const good = await send(
      await workbook([
        [text(a.nationalId), text(supported.code), text('01'), text('outpatient'), text(''), day(monday), day(addDays(monday, 6)), text('1;3'), text('morning')],
        [text(b.nationalId), text(supported.code), text('02'), text('teaching'), text(''), text(monday), text(monday), text('1'), text('上午;下午')],
      ]),
    );
    expect(await finished(agent, good.headers.location)).toContain('已送出 2 件申請');
    const rows = (await t.dataSource.query("SELECT DATE_FORMAT(first_day, '%Y-%m-%d') AS first, session_count AS n FROM support_duty_case WHERE home_institution_code = ? ORDER BY id", [home.code])) as Array<{ first: string; n: number }>;
    expect(rows).toEqual([
      { first: monday, n: 2 },
      { first: monday, n: 2 },
    ]);
    // a file that says it is a workbook but is not one: the form again
    const broken = await agent.post('/support-duty/batch').field('_csrf', csrf).attach('files', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]), 'broken.xlsx');
    expect(broken.status).toBe(422);
    expect(broken.text).toContain('檔案不是範本格式的 XLSX 或 CSV');
  });

  it('refuses a file that is not the template\'s CSV, and another institution\'s batch is not found', async () => {
    const home = await createInstitution(t);
    const { agent, csrf } = await signInWithCard(t, { institution: home });
    const bad = await upload(agent, csrf, 'name,date\nx,y');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('檔案不是範本格式的 XLSX 或 CSV');
    const supported = await createInstitution(t);
    const p = await createProfessional(t, home);
    const ok = await upload(agent, csrf, [header, `${p.nationalId},${supported.code},01,outpatient,,${mondayIn(3)},${mondayIn(3)},1,morning`].join('\n'));
    const stranger = await signInWithCard(t, { institution: await createInstitution(t) });
    await stranger.agent.get(ok.headers.location).expect(404);
  });
});
