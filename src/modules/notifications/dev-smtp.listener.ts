import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { LOGGER } from '../../core/core.module';
import { MailboxService, type ReceivedMail } from './mailbox.service';

export interface DevSmtpListenerOptions {
  /** TCP port; 0 picks a free one (see `port` of the result). */
  port: number;
  host?: string;
  /** Keeps a received message; the client gets its 250 only after this resolves. */
  store: (mail: ReceivedMail) => Promise<unknown>;
  /** Recipients answered with 550 (default: any address at a `.invalid` domain, to test bounces). */
  refuseRecipient?: (address: string) => boolean;
  logger?: Pick<Logger, 'warn'>;
  /** When given, mail is accepted only after AUTH (PLAIN or LOGIN) with these (loopback: no TLS needed). */
  credentials?: { user: string; pass: string } | null;
}

export interface DevSmtpListener {
  port: number;
  close(): Promise<void>;
}

/** RFC 2606 reserves `.invalid`: mail to it can never be delivered. */
export const refuseInvalidDomain = (address: string): boolean => /\.invalid$/i.test(address);

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * A real SMTP peer for development and tests: no TLS, every message parsed and stored. Listens
 * on 127.0.0.1 only; with `credentials`, only a sender that knows them may hand in mail (other
 * local processes cannot fill the mailbox).
 */
export async function startDevSmtpListener(options: DevSmtpListenerOptions): Promise<DevSmtpListener> {
  const refuse = options.refuseRecipient ?? refuseInvalidDomain;
  const credentials = options.credentials ?? null;
  const server = new SMTPServer({
    authOptional: !credentials,
    disabledCommands: credentials ? ['STARTTLS'] : ['AUTH', 'STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (credentials && same(auth.username ?? '', credentials.user) && same(auth.password ?? '', credentials.pass)) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    disableReverseLookup: true,
    logger: false,
    banner: 'nhi-services development mailbox',
    size: MAX_MESSAGE_BYTES,
    closeTimeout: 2000,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (!refuse(address.address)) return callback();
      callback(Object.assign(new Error(`No such recipient: ${address.address}`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          if (stream.sizeExceeded) throw Object.assign(new Error('Message too large'), { responseCode: 552 });
          await options.store({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            messageId: parsed.messageId ?? null,
          });
          callback();
        })
        .catch((err: Error & { responseCode?: number }) => {
          options.logger?.warn({ err }, 'dev SMTP listener could not keep a message');
          // 451: the sender keeps the message and tries again later.
          callback(Object.assign(new Error(err.responseCode ? err.message : 'Could not store the message, try again later'), { responseCode: err.responseCode ?? 451 }));
        });
    },
  });
  // Client-side problems (a dropped connection) arrive here; they must not end the process.
  server.on('error', (err) => options.logger?.warn({ err }, 'dev SMTP listener error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Worker process: runs the listener on DEV_SMTP_PORT when DEV_SMTP_LISTENER=true. */
@Injectable()
export class DevSmtpListenerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private listener: DevSmtpListener | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly mailbox: MailboxService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.devSmtpListener) return;
    const logger = this.logger.child({ component: 'dev-smtp' });
    // The sender's own credentials (SMTP_URL) are the ones the listener asks for.
    const url = new URL(this.config.smtpUrl);
    const credentials = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : null;
    if (!credentials) logger.warn('SMTP_URL has no user and password: the development SMTP listener accepts mail from any local process');
    this.listener = await startDevSmtpListener({ port: this.config.devSmtpPort, store: (mail) => this.mailbox.store(mail), logger, credentials });
    logger.info({ port: this.listener.port }, 'development SMTP listener: received mail is kept in the mailbox (/admin/mailbox)');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.listener?.close();
    this.listener = null;
  }
}
