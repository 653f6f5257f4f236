import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { EmailPayload } from './queues';

/** Sends e-mail over SMTP_URL from MAIL_FROM (worker process). Errors are thrown to the caller. */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = createTransport({
      url: config.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** Resolves with the message id once the SMTP server accepted the message. */
  async send(mail: EmailPayload): Promise<string> {
    const info = await this.transport.sendMail({
      from: this.config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      headers: mail.template ? { 'X-NHI-Template': mail.template } : undefined,
    });
    return String(info.messageId);
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}

/**
 * An SMTP 5xx answer (recipient refused, message rejected, authentication failed) will not change
 * by trying again; anything else (connection refused, timeout, 4xx) may.
 */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
