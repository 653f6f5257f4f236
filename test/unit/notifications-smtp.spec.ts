import { UnrecoverableError, type Job } from 'bullmq';
import { createServer, type AddressInfo } from 'node:net';
import pino from 'pino';
import type { AppConfig } from '../../src/config/app-config';
import { startDevSmtpListener, type DevSmtpListener } from '../../src/modules/notifications/dev-smtp.listener';
import type { ReceivedMail } from '../../src/modules/notifications/mailbox.service';
import { isPermanentSmtpError, Mailer } from '../../src/modules/notifications/mailer';
import { NotificationsProcessor } from '../../src/modules/notifications/notifications.jobs';

const silent = pino({ level: 'silent' });

function mailerFor(port: number): Mailer {
  return new Mailer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'no-reply@nhi-services.test' } as AppConfig);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('development SMTP listener and the mailer', () => {
  let listener: DevSmtpListener;
  let mailer: Mailer;
  const received: ReceivedMail[] = [];
  let failStore = false;

  beforeAll(async () => {
    listener = await startDevSmtpListener({
      port: 0,
      store: async (mail) => {
        if (failStore) throw new Error('database down');
        received.push(mail);
      },
    });
    mailer = mailerFor(listener.port);
  });

  afterAll(async () => {
    mailer.onModuleDestroy();
    await listener.close();
  });

  beforeEach(() => {
    received.length = 0;
    failStore = false;
  });

  it('receives a message over SMTP and keeps its envelope, subject and text (UTF-8)', async () => {
    const messageId = await mailer.send({ to: ['a@example.org', 'b@example.org'], subject: '醫事人員卡 已寄出', text: '您好：\n卡片已寄出。' });
    expect(received).toHaveLength(1);
    expect(received[0]).toEqual({
      mailFrom: 'no-reply@nhi-services.test',
      rcptTo: ['a@example.org', 'b@example.org'],
      subject: '醫事人員卡 已寄出',
      text: '您好：\n卡片已寄出。',
      messageId,
    });
  });

  it('refuses a recipient at a .invalid domain with 550, a permanent error', async () => {
    const err = await mailer.send({ to: ['nobody@example.invalid'], subject: 'x', text: 'x' }).catch((e: unknown) => e);
    expect((err as { responseCode?: number }).responseCode).toBe(550);
    expect(isPermanentSmtpError(err)).toBe(true);
    expect(received).toHaveLength(0);
  });

  it('answers 451 (try again later) when the message cannot be stored, a transient error', async () => {
    failStore = true;
    const err = await mailer.send({ to: ['a@example.org'], subject: 'x', text: 'x' }).catch((e: unknown) => e);
    expect((err as { responseCode?: number }).responseCode).toBe(451);
    expect(isPermanentSmtpError(err)).toBe(false);
  });

  it('treats a refused connection as transient', async () => {
    const offline = mailerFor(await closedPort());
    const err = await offline.send({ to: ['a@example.org'], subject: 'x', text: 'x' }).catch((e: unknown) => e);
    offline.onModuleDestroy();
    expect(String((err as Error).message)).toMatch(/ECONNREFUSED/);
    expect(isPermanentSmtpError(err)).toBe(false);
  });

  it('refuses to start on a port already in use', async () => {
    await expect(startDevSmtpListener({ port: listener.port, store: async () => undefined })).rejects.toThrow(/EADDRINUSE/);
  });

  describe('the email job', () => {
    const job = (name: string, data: unknown) => ({ name, data }) as Job;

    it('sends the e-mail and returns its message id', async () => {
      const processor = new NotificationsProcessor(mailer, silent);
      const result = await processor.process(job('email', { to: ['a@example.org'], subject: '通知', text: '內容', template: 'test.notice' }));
      expect(received.map((m) => m.messageId)).toEqual([result.messageId]);
    });

    it('fails for good (no retries) when SMTP refuses the recipient', async () => {
      const processor = new NotificationsProcessor(mailer, silent);
      await expect(processor.process(job('email', { to: ['nobody@example.invalid'], subject: 'x', text: 'x' }))).rejects.toBeInstanceOf(UnrecoverableError);
    });

    it('throws a retryable error when the SMTP server cannot be reached', async () => {
      const offline = mailerFor(await closedPort());
      const processor = new NotificationsProcessor(offline, silent);
      const err = await processor.process(job('email', { to: ['a@example.org'], subject: 'x', text: 'x' })).catch((e: unknown) => e);
      offline.onModuleDestroy();
      expect(String((err as Error).message)).toMatch(/ECONNREFUSED/);
      expect(err).not.toBeInstanceOf(UnrecoverableError);
    });

    it('fails for good on a malformed payload or an unknown job name', async () => {
      const processor = new NotificationsProcessor(mailer, silent);
      await expect(processor.process(job('email', { to: ['not an address'], subject: 'x', text: 'x' }))).rejects.toBeInstanceOf(UnrecoverableError);
      await expect(processor.process(job('fax', {}))).rejects.toBeInstanceOf(UnrecoverableError);
      expect(received).toHaveLength(0);
    });
  });
});

describe('development SMTP listener with a credential', () => {
  let listener: DevSmtpListener;
  const received: ReceivedMail[] = [];
  const credentials = { user: 'dev', pass: 'a-long-development-password' };
  const mailerWith = (auth: string) => new Mailer({ smtpUrl: `smtp://${auth}127.0.0.1:${listener.port}`, mailFrom: 'no-reply@nhi-services.test' } as AppConfig);

  beforeAll(async () => {
    listener = await startDevSmtpListener({ port: 0, credentials, store: async (mail) => void received.push(mail) });
  });
  afterAll(() => listener.close());

  it('accepts mail only from a sender that knows the user and password', async () => {
    const anonymous = mailerWith('');
    const wrong = mailerWith('dev:guess@');
    const right = mailerWith(`dev:${credentials.pass}@`);
    try {
      await expect(anonymous.send({ to: ['a@example.org'], subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 530 });
      await expect(wrong.send({ to: ['a@example.org'], subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 535 });
      expect(received).toHaveLength(0);
      await right.send({ to: ['a@example.org'], subject: '已登入的寄件者', text: 'ok' });
      expect(received.map((m) => m.subject)).toEqual(['已登入的寄件者']);
    } finally {
      for (const m of [anonymous, wrong, right]) m.onModuleDestroy();
    }
  });
});
