// Scale-out: two web processes and two workers, real OS processes started from the real entry
// points (src/main.ts, src/worker.ts) against this jest worker's MariaDB schema and Redis
// database, as two machines behind a load balancer would run them. Nothing one process needs may
// live only in another's memory: sessions, CSRF secrets, challenges, the outbox and revocation.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { get } from 'node:http';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { Queue } from 'bullmq';
import supertest from 'supertest';
import { redisOptions } from '../../src/core/core.module';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { RevocationService } from '../../src/modules/certificates/revocation.service';
import { MailboxMessage } from '../../src/modules/notifications/mailbox-message.entity';
import { MailboxRepository } from '../../src/modules/notifications/mailbox.repository';
import { MailboxService } from '../../src/modules/notifications/mailbox.service';
import { NotificationsService } from '../../src/modules/notifications/notifications.service';
import { startDevSmtpListener, type DevSmtpListener } from '../../src/modules/notifications/dev-smtp.listener';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { signedData, WEB_EID_FORMAT, type WebEidAuthToken } from '../../src/shared/web-eid';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { useSoftHsmTestStore } from '../support/softhsm';
import { createStaff } from '../support/staff';
import { setAsideOtherFilesJobs } from '../support/worker';
import { freePort, waitFor } from '../support/polling';

useSoftHsmTestStore();

const ROOT = join(__dirname, '..', '..');
const person = DEMO_FIXTURES.physicianAtInitialReviewHospital;
const hospital = DEMO_FIXTURES.initialReviewHospital;

/** GET /healthz's status, on a connection of its own that is closed after (no keep-alive left behind). */
function healthStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

/** One of the app's processes, started from its TypeScript entry point. */
class AppProcess {
  private output = '';
  private constructor(
    readonly child: ChildProcess,
    readonly port: number | null,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
  }

  static start(entry: 'main' | 'worker', env: Record<string, string>, port: number | null = null): AppProcess {
    // SoftHSM2's configuration lives in the real environment (see softhsm.ts), not jest's copy.
    const real = (runInThisContext('process') as NodeJS.Process).env;
    const child = spawn(process.execPath, ['-r', join(ROOT, 'test', 'support', 'ts-register.js'), join(ROOT, 'src', `${entry}.ts`)], {
      env: { ...process.env, SOFTHSM2_CONF: real.SOFTHSM2_CONF ?? '', LOG_LEVEL: 'warn', ...env, ...(port ? { APP_PORT: String(port), APP_HOST: '127.0.0.1' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(child, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  async ready(): Promise<void> {
    await waitFor(`the process on ${this.port ?? 'no port'} to be ready (log: ${this.output.slice(-2000)})`, async () => {
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode}: ${this.output.slice(-4000)}`);
      if (this.port === null) return this.output.includes('worker started');
      try {
        return (await healthStatus(this.port)) === 200;
      } catch {
        return false;
      }
    }, 90_000);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** A browser's cookie jar that can talk to any of the web processes, as behind a load balancer. */
class Browser {
  private cookies = new Map<string, string>();

  /** The public origin every process serves (the load balancer's), which a browser names in Origin. */
  constructor(private readonly origin: string) {}

  private remember(res: supertest.Response): supertest.Response {
    const set = res.headers['set-cookie'] as unknown as string[] | undefined;
    for (const line of set ?? []) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    return res;
  }

  private get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(on: AppProcess, path: string): Promise<supertest.Response> {
    return this.remember(await supertest(on.url).get(path).set('Cookie', this.cookieHeader).redirects(0));
  }

  async postForm(on: AppProcess, path: string, form: Record<string, string>): Promise<supertest.Response> {
    return this.remember(await supertest(on.url).post(path).set('Cookie', this.cookieHeader).set('Origin', this.origin).type('form').send(form).redirects(0));
  }

  async postJson(on: AppProcess, path: string, csrf: string, body: unknown): Promise<supertest.Response> {
    return this.remember(
      await supertest(on.url).post(path).set('Cookie', this.cookieHeader).set('X-CSRF-Token', csrf).set('Origin', this.origin).set('Accept', 'application/json').send(body as object),
    );
  }
}

describe('scale-out: two web processes and two workers act as one', () => {
  let tools: TestApp;
  let webA: AppProcess;
  let webB: AppProcess;
  const workers: AppProcess[] = [];
  let listener: DevSmtpListener;
  let publicOrigin: string;

  interface Card {
    key: KeyObject;
    der: Buffer;
    id: number;
  }

  async function personnelCard(): Promise<Card> {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await tools.app.get(CertificateIssuer).issue({
      family: 'hca',
      subjectType: 'personnel',
      subject: { name: person.nameZh, nationalId: person.nationalId, organization: hospital.nameZh },
      spki: publicKey.export({ type: 'spki', format: 'der' }),
    });
    return { key: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })), der: issued.der, id: issued.id };
  }

  /** What the reader helper does: sign hash(origin) || hash(challenge) with the card's key. */
  function tokenFor(card: Card, challenge: string): WebEidAuthToken {
    return {
      format: WEB_EID_FORMAT,
      unverifiedCertificate: card.der.toString('base64'),
      algorithm: 'ES256',
      signature: sign('sha256', signedData(publicOrigin, challenge, 'ES256'), { key: card.key, dsaEncoding: 'ieee-p1363' }).toString('base64'),
      appVersion: 'test-helper/1.0',
    };
  }

  /** Opens the login page and asks for a challenge, on the given process. */
  async function challengeOn(web: AppProcess) {
    const browser = new Browser(publicOrigin);
    const page = await browser.get(web, '/login');
    expect(page.status).toBe(200);
    const res = await browser.postJson(web, '/auth/challenge', csrfFrom(page.text), {});
    expect(res.status).toBe(200);
    return { browser, csrf: res.body.csrfToken as string, challenge: res.body.challenge as string };
  }

  const signIn = (web: AppProcess, b: Awaited<ReturnType<typeof challengeOn>>, card: Card) =>
    b.browser.postJson(web, '/auth/certificate', b.csrf, { challenge: b.challenge, token: tokenFor(card, b.challenge), cardType: 'personnel', returnTo: '/' });

  async function publishHcaCrl(): Promise<void> {
    const issuing = await tools.app.get(CertificateIssuer).issuingCa('hca');
    await tools.app.get(CrlService).publish(issuing.id);
  }

  beforeAll(async () => {
    tools = await createTestApp();
    publicOrigin = tools.config.publicOrigin;
    await tools.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    await publishHcaCrl();

    // The SMTP peer belongs to the test, so both workers deliver to one place it can count.
    const mailbox = new MailboxService(new MailboxRepository(tools.dataSource));
    listener = await startDevSmtpListener({ port: 0, store: (mail) => mailbox.store(mail) });
    await setAsideOtherFilesJobs(tools.dataSource, tools.config.redisUrl);

    const [portA, portB] = [await freePort(), await freePort()];
    webA = AppProcess.start('main', {}, portA);
    webB = AppProcess.start('main', {}, portB);
    for (let n = 0; n < 2; n++) workers.push(AppProcess.start('worker', { LOG_LEVEL: 'info', DEV_SMTP_LISTENER: 'false', SMTP_URL: `smtp://127.0.0.1:${listener.port}` }));
    await Promise.all([webA, webB, ...workers].map((p) => p.ready()));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([webA, webB, ...workers].filter(Boolean).map((p) => p.stop()));
    await listener?.close();
    await tools?.close();
  }, 60_000);

  it('a session made on one web process is valid on the other, with its CSRF token', async () => {
    const creds = await createStaff(tools, 'admin');
    const browser = new Browser(publicOrigin);
    const form = await browser.get(webA, '/staff/login');
    const signedIn = await browser.postForm(webA, '/staff/login', {
      _csrf: csrfFrom(form.text),
      username: creds.account.username,
      password: creds.password,
      code: totpCode(creds.totpSecret, totpStep()),
    });
    expect(signedIn.status).toBe(303);

    const onB = await browser.get(webB, '/admin/audit');
    expect(onB.status).toBe(200);
    expect(onB.text).toContain(creds.account.displayName);
    // A form made on B is accepted by A: the CSRF secret and the session are shared.
    const signedOut = await browser.postForm(webA, '/auth/logout', { _csrf: csrfFrom(onB.text) });
    expect(signedOut.status).toBe(303);
    expect((await browser.get(webB, '/admin/audit')).status).not.toBe(200);
  });

  it('a challenge issued by one web process is consumed once across both', async () => {
    const card = await personnelCard();
    const b = await challengeOn(webA);
    const answers = await Promise.all([signIn(webA, b, card), signIn(webB, b, card)]);
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
    // and the one that lost cannot win later either, on either process
    for (const web of [webA, webB]) expect((await signIn(web, b, card)).status).toBeGreaterThanOrEqual(400);
  });

  it('a revocation made by another process reaches both web processes\' validators', async () => {
    const card = await personnelCard();
    for (const web of [webA, webB]) expect((await signIn(web, await challengeOn(web), card)).status).toBe(200);

    await tools.app.get(RevocationService).revoke(card.id, 'keyCompromise', { actor: { kind: 'test' } });
    await publishHcaCrl();

    for (const web of [webA, webB]) {
      // each process re-reads the trust store when the database says it changed (within seconds)
      const refused = await waitFor(`port ${web.port} to refuse the revoked card`, async () => {
        const res = await signIn(web, await challengeOn(web), card);
        return res.status !== 200 && res;
      });
      expect(refused.body.code).toBe('certificate-revoked');
    }
  });

  it('delivers every outbox e-mail exactly once with two relays and two workers running', async () => {
    const tag = randomBytes(4).toString('hex');
    const notifications = tools.app.get(NotificationsService);
    const subjects = Array.from({ length: 20 }, (_, i) => `scale-out ${tag} #${i}`);
    for (const subject of subjects) {
      await tools.dataSource.transaction((m) => notifications.sendEmail(m, { to: `scale-${tag}@example.org`, subject, text: subject }));
    }
    const mails = tools.dataSource.getRepository(MailboxMessage);
    const delivered = () => mails.createQueryBuilder('m').where('m.subject LIKE :p', { p: `scale-out ${tag} #%` }).getMany();
    await waitFor('all 20 e-mails', async () => (await delivered()).length >= 20);
    // Settle: every outbox row dispatched and no job waiting, running or retrying anywhere.
    const queue = new Queue('notifications', { connection: { ...redisOptions(tools.config), maxRetriesPerRequest: null } });
    try {
      await waitFor('the queues to drain', async () => {
        const [undispatched] = await tools.dataSource.query('SELECT COUNT(*) AS n FROM outbox_message WHERE dispatched_at IS NULL');
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Number(undispatched.n) === 0 && Object.values(counts).every((n) => n === 0);
      });
    } finally {
      await queue.close();
    }
    const bySubject = new Map<string, number>();
    for (const mail of await delivered()) bySubject.set(mail.subject, (bySubject.get(mail.subject) ?? 0) + 1);
    expect([...bySubject.keys()].sort()).toEqual([...subjects].sort());
    expect([...bySubject.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('WEB_PROCESSES: one port served by a group of processes', () => {
  it('starts the configured number of web processes on one port, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const group = AppProcess.start('main', { WEB_PROCESSES: '2' }, port);
    try {
      await group.ready();
      await waitFor('two web processes under the primary', async () => {
        try {
          return execFileSync('pgrep', ['-P', String(group.child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length === 2;
        } catch {
          return false; // pgrep exits 1 while there are none
        }
      });
      // the port answers as long as the group runs
      const answers = await Promise.all(Array.from({ length: 10 }, () => healthStatus(port)));
      expect(answers).toEqual(Array(10).fill(200));
      await group.stop();
      expect(group.child.exitCode).toBe(0);
      // the primary exits only after every process of the group has: nothing listens any more
      await expect(healthStatus(port)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await group.stop();
    }
  }, 180_000);
});
