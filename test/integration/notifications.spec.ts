import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { DataSource, Like } from 'typeorm';
import { WorkerModule } from '../../src/app/worker.module';
import { loadConfig } from '../../src/config/app-config';
import { QUEUES } from '../../src/core/core.module';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { startDevSmtpListener, type DevSmtpListener } from '../../src/modules/notifications/dev-smtp.listener';
import { MailboxMessage } from '../../src/modules/notifications/mailbox-message.entity';
import { MailboxRepository } from '../../src/modules/notifications/mailbox.repository';
import { MailboxService } from '../../src/modules/notifications/mailbox.service';
import { NotificationsService } from '../../src/modules/notifications/notifications.service';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { OutboxRelay } from '../../src/modules/notifications/outbox.relay';
import { OutboxRepository } from '../../src/modules/notifications/outbox.repository';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { outboxIdOf } from '../../src/modules/notifications/queues';
import { setAsideOtherFilesJobs } from '../support/worker';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { signInAsStaff } from '../support/staff';
import { freePort, waitFor } from '../support/polling';

/** The worker process (as src/worker.ts builds it) with this environment changed. */
async function startWorker(overrides: Record<string, string>): Promise<INestApplicationContext> {
  const config = loadConfig({ ...process.env, ...overrides });
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
  await worker.init();
  return worker;
}

const tag = () => randomBytes(4).toString('hex');
const mailWithSubject = (ds: DataSource, subject: string) => ds.getRepository(MailboxMessage).findOneBy({ subject });

/** Sends an e-mail in its own committed transaction; returns the job id. */
function sendCommitted(ds: DataSource, notifications: NotificationsService, to: string, subject: string): Promise<string> {
  return ds.transaction((m) => notifications.sendEmail(m, { to, subject, text: `Body of ${subject}` }));
}

describe('notifications: outbox, worker, SMTP and the admin pages', () => {
  let web: TestApp;
  let worker: INestApplicationContext | null = null;
  let listener: DevSmtpListener;
  let notifications: NotificationsService;
  /** Recipients the SMTP listener refuses with 550, as a real server refuses an unknown user. */
  const refused = new Set<string>();

  beforeAll(async () => {
    web = await createTestApp();
    notifications = web.app.get(NotificationsService);
    // A real SMTP peer owned by the test, so it can refuse a recipient and later accept it.
    const mailbox = new MailboxService(new MailboxRepository(web.dataSource));
    listener = await startDevSmtpListener({ port: 0, store: (mail) => mailbox.store(mail), refuseRecipient: (a) => refused.has(a) });
    await setAsideOtherFilesJobs(web.dataSource, web.config.redisUrl);
    worker = await startWorker({ DEV_SMTP_LISTENER: 'false', SMTP_URL: `smtp://127.0.0.1:${listener.port}` });
  });

  afterAll(async () => {
    await worker?.close();
    await listener?.close();
    await web?.close();
  });

  it('never sends an e-mail whose transaction rolled back, and delivers one that committed', async () => {
    const t = tag();
    const rolledBack = `rolled back ${t}`;
    const committed = `committed ${t}`;
    await expect(
      web.dataSource.transaction(async (m) => {
        await notifications.sendEmail(m, { to: `rollback-${t}@example.org`, subject: rolledBack, text: 'never sent' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const jobId = await sendCommitted(web.dataSource, notifications, `commit-${t}@example.org`, committed);

    const mail = await waitFor('the committed e-mail in the mailbox', () => mailWithSubject(web.dataSource, committed));
    expect(mail.rcptTo).toBe(`commit-${t}@example.org`);
    expect(mail.mailFrom).toBe(web.config.mailFrom);
    expect(mail.textBody.trimEnd()).toBe(`Body of ${committed}`);
    const row = await web.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id: String(outboxIdOf(jobId)) });
    expect(row.dispatchedAt).toBeInstanceOf(Date);
    // The rolled-back one left no outbox row, so nothing can ever send it.
    expect(await web.dataSource.getRepository(OutboxMessage).countBy({ payload: Like(`%${rolledBack}%`) })).toBe(0);
    expect(await mailWithSubject(web.dataSource, rolledBack)).toBeNull();
  });

  it('refuses to write an outbox row outside a transaction', async () => {
    await expect(notifications.sendEmail(web.dataSource.manager, { to: 'a@example.org', subject: 's', text: 't' })).rejects.toThrow(/open transaction/);
  });

  it('shows received mail to admins: the list newest first, and one message with its body', async () => {
    const t = tag();
    await sendCommitted(web.dataSource, notifications, `first-${t}@example.org`, `first ${t}`);
    await waitFor('the first e-mail', () => mailWithSubject(web.dataSource, `first ${t}`));
    await sendCommitted(web.dataSource, notifications, `second-${t}@example.org`, `second <${t}>`);
    const second = await waitFor('the second e-mail', () => mailWithSubject(web.dataSource, `second <${t}>`));

    const { agent } = await signInAsStaff(web, 'admin');
    const list = await agent.get('/admin/mailbox').expect(200);
    expect(list.text).toContain('<caption class="govuk-table__caption');
    expect(list.text.indexOf(`second &lt;${t}&gt;`)).toBeGreaterThan(-1);
    expect(list.text.indexOf(`second &lt;${t}&gt;`)).toBeLessThan(list.text.indexOf(`first ${t}`));
    expect(list.text).toContain(`href="/admin/mailbox/${second.id}"`);

    const one = await agent.get(`/admin/mailbox/${second.id}`).expect(200);
    expect(one.text).toMatch(new RegExp(`<pre[^>]*>Body of second &lt;${t}&gt;\\s*</pre>`));
    expect(one.text).toContain(`second-${t}@example.org`);
    await agent.get('/admin/mailbox/999999999').expect(404);
  });

  it('lists a job that failed for good on /admin/jobs; retry puts it back, is audited, and then it is delivered', async () => {
    const t = tag();
    const to = `bounce-${t}@example.org`;
    refused.add(to);
    const jobId = await sendCommitted(web.dataSource, notifications, to, `bounce ${t}`);
    const { agent } = await signInAsStaff(web, 'admin');

    const page = await waitFor('the failed job on /admin/jobs', async () => {
      const res = await agent.get('/admin/jobs').expect(200);
      return res.text.includes(`/admin/jobs/notifications/${jobId}/retry`) && res;
    });
    expect(page.text).toContain(`No such recipient: ${to}`);
    expect(await mailWithSubject(web.dataSource, `bounce ${t}`)).toBeNull();

    refused.delete(to); // the mailbox now exists
    const retried = await agent.post(`/admin/jobs/notifications/${jobId}/retry`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect(retried.headers.location).toBe(`/admin/jobs?retried=${encodeURIComponent(`notifications/${jobId}`)}`);
    const confirmation = await agent.get(retried.headers.location).expect(200);
    expect(confirmation.text).toContain('govuk-notification-banner--success');
    expect(confirmation.text).toContain(`notifications/${jobId}`);

    const mail = await waitFor('the retried e-mail', () => mailWithSubject(web.dataSource, `bounce ${t}`));
    expect(mail.rcptTo).toBe(to);
    const audit = await web.dataSource.getRepository(AuditEvent).findBy({ action: 'jobs.retry', targetId: `notifications/${jobId}` });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorKind: 'staff', actorRole: 'admin', outcome: 'success', targetType: 'job' });
    expect(audit[0].summary).toMatchObject({ name: 'email' });

    // It is no longer failed: a second retry is refused and not audited.
    const again = await agent.get('/admin/jobs').expect(200);
    await agent.post(`/admin/jobs/notifications/${jobId}/retry`).type('form').send({ _csrf: csrfFrom(again.text) }).expect(409);
    await agent.post('/admin/jobs/notifications/no-such-job/retry').type('form').send({ _csrf: csrfFrom(again.text) }).expect(404);
    expect(await web.dataSource.getRepository(AuditEvent).countBy({ action: 'jobs.retry', targetId: `notifications/${jobId}` })).toBe(1);
  });

  it('runs the reference summary through the outbox and shows its progress, then its result', async () => {
    const { agent } = await signInAsStaff(web, 'admin');
    const jobs = await agent.get('/admin/jobs').expect(200);
    const started = await agent.post('/admin/jobs/statistics/reference-summary').type('form').send({ _csrf: csrfFrom(jobs.text) }).expect(303);
    const jobId = /^\/admin\/jobs\/statistics\/(outbox-\d+)$/.exec(started.headers.location)?.[1];
    expect(jobId).toBeDefined();
    expect(await web.dataSource.getRepository(AuditEvent).countBy({ action: 'jobs.enqueue', targetId: `statistics/${jobId}` })).toBe(1);

    const first = await agent.get(started.headers.location).expect(200);
    expect(first.text).toMatch(/data-state="(pending|waiting|active|completed)"/);
    const done = await waitFor('the completed summary', async () => {
      const res = await agent.get(started.headers.location).set('HX-Request', 'true').expect(200);
      return res.text.includes('data-state="completed"') && res;
    });
    expect(done.text).not.toContain('<!DOCTYPE html>');
    expect(done.text).not.toContain('hx-trigger'); // polling stops once finished
    const [{ n: institutions }] = await web.dataSource.query('SELECT COUNT(*) AS n FROM institution');
    const [{ n: counters }] = await web.dataSource.query('SELECT COUNT(*) AS n FROM registration_counter WHERE active = 1');
    const [{ n: taipei }] = await web.dataSource.query("SELECT COUNT(*) AS n FROM institution WHERE county_code = '63000'");
    const totals = /<th scope="row" class="govuk-table__header">合計<\/th>\s*<td[^>]*>(\d+)<\/td>(?:\s*<td[^>]*>\d+<\/td>){3}\s*<td[^>]*>(\d+)<\/td>/.exec(done.text);
    expect(totals?.slice(1).map(Number)).toEqual([Number(institutions), Number(counters)]);
    expect(done.text).toMatch(new RegExp(`臺北市</th>\\s*<td[^>]*>${Number(taipei)}</td>`));
    expect(Number(counters)).toBeGreaterThan(0);

    await agent.get('/admin/jobs/statistics/outbox-999999999').expect(404);
  });

  it('refuses the admin pages to anonymous users (sign-in redirect) and to other staff roles (403)', async () => {
    for (const path of ['/admin/jobs', '/admin/mailbox', '/admin/mailbox/1', '/admin/jobs/statistics/outbox-1']) {
      const res = await web.agent().get(path).expect(303);
      expect(res.headers.location).toBe(`/staff/login?returnTo=${encodeURIComponent(path)}`);
    }
    const { agent } = await signInAsStaff(web, 'ministry_staff');
    await agent.get('/admin/jobs').expect(403);
    await agent.get('/admin/mailbox').expect(403);
    await agent.get('/admin/mailbox/1').expect(403);
    const home = await agent.get('/').expect(200);
    await agent.post('/admin/jobs/notifications/outbox-1/retry').type('form').send({ _csrf: csrfFrom(home.text) }).expect(403);
    await agent.post('/admin/jobs/statistics/reference-summary').type('form').send({ _csrf: csrfFrom(home.text) }).expect(403);
  });

  it('stops polling the outbox when shut down', async () => {
    // The worker's relay stops with it; a relay of our own on the web app's (still open) database.
    await worker!.close();
    worker = null;
    const relay = new OutboxRelay(new OutboxRepository(web.dataSource), web.config, pino({ level: 'silent' }));
    const outbox = web.app.get(OutboxService);
    const enqueue = () => web.dataSource.transaction((m) => outbox.enqueue(m, QUEUES.statistics, 'reference-summary', {}));
    const row = async (jobId: string) => web.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id: String(outboxIdOf(jobId)) });
    relay.onApplicationBootstrap();
    const before = await enqueue();
    await waitFor('the relay to dispatch', async () => (await row(before)).dispatchedAt);
    await relay.onModuleDestroy();

    const after = await enqueue();
    // Ten poll intervals (OUTBOX_POLL_MS=100): the row stays as it was written.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await row(after)).toMatchObject({ dispatchedAt: null, attempts: 0 });
    await web.dataSource.getRepository(OutboxMessage).delete({ id: String(outboxIdOf(after)) });
  });
});

describe('the outbox across a Redis outage', () => {
  let redisPort: number;
  let redis: ChildProcess | null = null;
  let worker: INestApplicationContext;
  let dataSource: DataSource;

  async function startRedis(): Promise<void> {
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()], { stdio: 'ignore' });
    await waitFor('redis-server to answer', async () => spawnSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 10_000);
  }

  async function stopRedis(): Promise<void> {
    const child = redis;
    if (!child) return;
    redis = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave']);
    await exited;
  }

  beforeAll(async () => {
    redisPort = await freePort();
    await startRedis();
    const smtpPort = await freePort();
    worker = await startWorker({
      REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
      DEV_SMTP_LISTENER: 'true',
      DEV_SMTP_PORT: String(smtpPort),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    });
    dataSource = worker.get<DataSource>(getDataSourceToken());
  });

  afterAll(async () => {
    await worker?.close();
    await stopRedis();
  });

  it('delivers an e-mail committed while Redis was down once Redis is back', async () => {
    const notifications = worker.get(NotificationsService);
    const t = tag();
    // Everything works to begin with (through the worker's own development SMTP listener).
    await sendCommitted(dataSource, notifications, `before-${t}@example.org`, `before outage ${t}`);
    await waitFor('the e-mail sent before the outage', () => mailWithSubject(dataSource, `before outage ${t}`));

    await stopRedis();
    const jobId = await sendCommitted(dataSource, notifications, `during-${t}@example.org`, `during outage ${t}`);
    const id = String(outboxIdOf(jobId));
    // The relay tried, failed, recorded why, and kept the row.
    const failed = await waitFor('the relay to record the Redis failure', async () => {
      const row = await dataSource.getRepository(OutboxMessage).findOneByOrFail({ id });
      return row.attempts >= 3 && row;
    });
    expect(failed.dispatchedAt).toBeNull();
    expect(failed.lastError).toBeTruthy();

    await startRedis();
    const mail = await waitFor('the e-mail committed during the outage', () => mailWithSubject(dataSource, `during outage ${t}`), 45_000);
    expect(mail.rcptTo).toBe(`during-${t}@example.org`);
    const row = await dataSource.getRepository(OutboxMessage).findOneByOrFail({ id });
    expect(row.dispatchedAt).toBeInstanceOf(Date);
  }, 120_000);

  it('purges dispatched outbox rows after a week; a row no queue takes stays pending with its error', async () => {
    const day = 24 * 3600_000;
    const now = Date.now();
    const repo = dataSource.getRepository(OutboxMessage);
    const insert = async (queue: string, dispatchedAgoDays: number | null) =>
      String(
        (
          await repo.insert({
            queue,
            jobName: 'purge-test',
            payload: '{}',
            createdAt: new Date(now - 9 * day),
            dispatchedAt: dispatchedAgoDays === null ? null : new Date(now - dispatchedAgoDays * day),
            attempts: 0,
          })
        ).identifiers[0].id,
      );
    const old = await insert(QUEUES.statistics, 8);
    const recent = await insert(QUEUES.statistics, 6);
    const poisoned = await insert('no-such-queue', null);
    const stuck = await waitFor('the relay to refuse the row', async () => {
      const row = await repo.findOneByOrFail({ id: poisoned });
      return row.attempts > 0 && row;
    });
    expect(stuck.lastError).toBe('unknown queue "no-such-queue"');

    expect(await worker.get(OutboxRelay).purgeDispatched(new Date(now))).toBeGreaterThanOrEqual(1);
    expect(await repo.existsBy({ id: old })).toBe(false);
    expect(await repo.existsBy({ id: recent })).toBe(true);
    expect(await repo.findOneByOrFail({ id: poisoned })).toMatchObject({ dispatchedAt: null });
    await repo.delete([recent, poisoned]);
  });
});
