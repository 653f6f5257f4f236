import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { strFromU8, unzipSync } from 'fflate';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Job } from 'bullmq';
import { WorkerModule } from '../../src/app/worker.module';
import { loadConfig } from '../../src/config/app-config';
import { QueueHub } from '../../src/core/jobs';
import { allSchedules, QUEUE_REGISTRY, QUEUES } from '../../src/core/queues';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { startDevSmtpListener, type DevSmtpListener } from '../../src/modules/notifications/dev-smtp.listener';
import { MailboxMessage } from '../../src/modules/notifications/mailbox-message.entity';
import { MailboxRepository } from '../../src/modules/notifications/mailbox.repository';
import { MailboxService } from '../../src/modules/notifications/mailbox.service';
import type { MonthlyRunResult } from '../../src/modules/reporting';
import { createTestApp, type TestApp } from '../support/app';
import { runCli } from '../support/cli';
import { waitFor } from '../support/polling';
import { applyEvents, binaryGet, move, submitCase } from '../support/reporting';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';
import { createInstitution, createProfessional, preparePki, type TestInstitution } from '../support/support-duty';
import { setAsideOtherFilesJobs } from '../support/worker';

useSoftHsmTestStore();

type Agent = Awaited<ReturnType<typeof signInAsStaff>>['agent'];


describe('reporting: the monthly county reports (scheduled job, storage, listing, e-mail)', () => {
  let t: TestApp;
  let worker: INestApplicationContext | null = null;
  let listener: DevSmtpListener;
  // a month of a year no other test file uses (the pages take 2000–2023, the rest the present)
  const year = 1990 + randomInt(0, 10);
  const mm = String(randomInt(1, 12)).padStart(2, '0'); // January–November: the next month is in the same year
  const month = `${year}-${mm}`;
  const nextMonth = `${year}-${String(Number(mm) + 1).padStart(2, '0')}`;
  const tag = randomBytes(4).toString('hex');
  let taichung: TestInstitution;
  let kaohsiung: TestInstitution;
  let taichungReviewer: Agent;
  let kaohsiungReviewer: Agent;
  const taichungEmail = `reviewer-66000-${tag}@example.org`;
  const kaohsiungEmail = `reviewer-64000-${tag}@example.org`;

  const mailTo = (rcptTo: string) => t.dataSource.getRepository(MailboxMessage).findOneBy({ rcptTo });
  const monthlyRows = async () => (await t.dataSource.query('SELECT county_code, format, content_hash FROM report_monthly WHERE month = ? ORDER BY county_code, format', [`${month}-01`])) as Array<{ county_code: string; format: string; content_hash: string }>;
  const monthlyMails = async () => Number(((await t.dataSource.query("SELECT COUNT(*) AS n FROM outbox_message WHERE payload LIKE '%reporting.monthly-report%'")) as Array<{ n: string }>)[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    await preparePki(t);
    const person = await createProfessional(t, await createInstitution(t, { countyCode: '63000' }));
    [taichung, kaohsiung] = [await createInstitution(t, { countyCode: '66000' }), await createInstitution(t, { countyCode: '64000' })];
    const ids = [
      await submitCase(t, { person, supported: taichung, firstDay: `${month}-03`, sessionCount: 4 }),
      await submitCase(t, { person, supported: taichung, firstDay: `${month}-20`, sessionCount: 2 }),
      await submitCase(t, { person, supported: taichung, firstDay: `${nextMonth}-02`, sessionCount: 7 }),
      await submitCase(t, { person, supported: kaohsiung, firstDay: `${month}-11`, sessionCount: 5 }),
    ];
    await move(t, [ids[0], 'approve'], [ids[3], 'reject']);
    await applyEvents(t, ids);
    taichungReviewer = (await signInAsStaff(t, 'county_reviewer', { countyCode: '66000', email: taichungEmail })).agent;
    kaohsiungReviewer = (await signInAsStaff(t, 'county_reviewer', { countyCode: '64000', email: kaohsiungEmail })).agent;
    // the real SMTP listener the worker delivers to, storing what it receives in the mailbox
    const mailbox = new MailboxService(new MailboxRepository(t.dataSource));
    listener = await startDevSmtpListener({ port: 0, store: (mail) => mailbox.store(mail) });
    await setAsideOtherFilesJobs(t.dataSource, t.config.redisUrl);
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, DEV_SMTP_LISTENER: 'false', SMTP_URL: `smtp://127.0.0.1:${listener.port}` })), { logger: false });
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await listener?.close();
    await t?.close();
  });

  it('is scheduled on the 1st of every month (Taiwan time) on the statistics queue', () => {
    const schedule = allSchedules(t.config).find((s) => s.id === 'reporting-monthly-reports');
    expect(schedule).toMatchObject({ queue: QUEUES.statistics, job: QUEUE_REGISTRY.statistics.jobs.monthlyReports, repeat: { pattern: '0 6 1 * *', tz: 'Asia/Taipei' } });
  });

  it("the worker's job makes each county's report of the month (PDF, XLSX, CSV, stored by content hash) and e-mails its reviewers a link", async () => {
    const queue = t.app.get(QueueHub).get(QUEUES.statistics);
    const added = await queue.add(QUEUE_REGISTRY.statistics.jobs.monthlyReports, { month });
    const job = await waitFor('the monthly job to finish', async () => {
      const j = (await queue.getJob(added.id as string)) as Job | undefined;
      return j?.finishedOn ? j : null;
    }, 120_000);
    expect(job.failedReason).toBeUndefined();
    const result = job.returnvalue as MonthlyRunResult;
    expect(result.month).toBe(month);
    expect(result.made).toEqual(expect.arrayContaining(['66000', '64000']));
    expect(result.skipped).toEqual([]);

    const rows = await monthlyRows();
    expect(rows.filter((r) => r.county_code === '66000').map((r) => r.format)).toEqual(['csv', 'pdf', 'xlsx']);
    const files = (await t.dataSource.query('SELECT content_hash, content FROM report_file WHERE content_hash IN (?)', [rows.map((r) => r.content_hash)])) as Array<{ content_hash: string; content: Buffer }>;
    for (const f of files) expect(createHash('sha256').update(f.content).digest('hex')).toBe(f.content_hash);

    const mail = await waitFor("the Taichung reviewers' e-mail", () => mailTo(taichungEmail), 60_000);
    expect(mail.subject).toBe(`臺中市民國 ${year - 1911} 年 ${Number(mm)} 月報備支援申辦統計報表已產製`);
    expect(mail.textBody).toContain(`${t.config.publicOrigin}/reports/monthly?month=${month}`);
    const other = await waitFor("the Kaohsiung reviewers' e-mail", () => mailTo(kaohsiungEmail), 60_000);
    expect(other.subject).toContain('高雄市');

    const audit = await t.dataSource.getRepository(AuditEvent).findBy({ action: 'reporting.monthly-report', targetId: '66000' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorKind: 'system', targetType: 'county' });
  });

  it('running it again for the same month (the CLI) makes nothing new and sends no e-mail; a malformed month is refused', async () => {
    const [rowsBefore, mailsBefore] = [await monthlyRows(), await monthlyMails()];
    const again = runCli(['reporting', 'monthly', '--month', month, '--json']);
    expect(again.status).toBe(0);
    const result = JSON.parse(again.stdout) as MonthlyRunResult;
    expect(result).toMatchObject({ month, made: [], emails: 0 });
    expect(result.skipped).toEqual(expect.arrayContaining(['66000', '64000']));
    expect(await monthlyRows()).toEqual(rowsBefore);
    expect(await monthlyMails()).toBe(mailsBefore);

    const bad = runCli(['reporting', 'monthly', '--month', `${year}-13`, '--json']);
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false });
  });

  it("lists and serves a county reviewer their county's reports only (another county's by URL: not found); ministry staff every county's", async () => {
    const list = await taichungReviewer.get(`/reports/monthly?month=${month}`).expect(200);
    expect(list.text).toContain(`data-month="${month}" data-county="66000"`);
    expect(list.text).not.toContain('data-county="64000"');
    expect(list.text).toContain(`href="/reports/monthly/${month}/66000.pdf"`);

    const pdf = await binaryGet(taichungReviewer, `/reports/monthly/${month}/66000.pdf`).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.headers.etag).toBe(`"${createHash('sha256').update(pdf.body as Buffer).digest('hex')}"`);

    const csv = await binaryGet(taichungReviewer, `/reports/monthly/${month}/66000.csv`).expect(200);
    expect([...(csv.body as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = (csv.body as Buffer).subarray(3).toString('utf8');
    // approved, submitted, rejected, cancelled, superseded, cases, sessions: the next month's case is not in it
    expect(text).toContain(`"醫療院所申辦統計","${taichung.code}","${taichung.nameZh}",1,1,0,0,0,2,6`);
    expect(text).not.toContain(kaohsiung.code);

    const xlsx = await binaryGet(taichungReviewer, `/reports/monthly/${month}/66000.xlsx`).expect(200);
    const xml = Object.values(unzipSync(new Uint8Array(xlsx.body as Buffer))).map((b) => strFromU8(b)).join('\n');
    expect(xml).toContain(taichung.code);

    for (const path of [`/reports/monthly/${month}/64000.pdf`, `/reports/monthly/${month}/64000.csv`, `/reports/monthly/${month}/66000.doc`, `/reports/monthly/${year}-13/66000.pdf`]) await taichungReviewer.get(path).expect(404);
    await kaohsiungReviewer.get(`/reports/monthly/${month}/66000.pdf`).expect(404);

    const { agent: ministry } = await signInAsStaff(t, 'ministry_staff');
    const all = await ministry.get('/reports/monthly').expect(200);
    expect(all.text).toContain(`data-month="${month}" data-county="66000"`);
    expect(all.text).toContain(`data-month="${month}" data-county="64000"`);
    const theirs = await binaryGet(ministry, `/reports/monthly/${month}/64000.csv`).expect(200);
    expect((theirs.body as Buffer).toString('utf8')).toContain(`"${kaohsiung.code}","${kaohsiung.nameZh}",0,0,1,0,0,1,5`);

    const { agent: admin } = await signInAsStaff(t, 'admin');
    await admin.get('/reports/monthly').expect(403);
  });
});
