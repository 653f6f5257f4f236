import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SmsRepository } from './sms.repository';

/** Sends one text message to a Taiwan mobile number (digits only, 09xxxxxxxx). */
export interface SmsSender {
  send(to: string, text: string): Promise<void>;
}

export class SmsUnavailableError extends Error {}

/**
 * Production: the SMS gateway's HTTP endpoint (SMS_GATEWAY_URL) gets POST {"to", "text"} with
 * "Authorization: Bearer SMS_GATEWAY_TOKEN"; anything but a 2xx answer within 10 s is a failure.
 */
export class HttpGatewaySmsSender implements SmsSender {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async send(to: string, text: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify({ to, text }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new SmsUnavailableError(`SMS gateway unreachable: ${(err as Error).message}`);
    }
    if (!res.ok) throw new SmsUnavailableError(`SMS gateway answered ${res.status}`);
  }
}

/** Development and tests: the message is kept in sms_message, read by admins at /admin/sms. */
export class LoopbackSmsSink implements SmsSender {
  constructor(private readonly repository: SmsRepository) {}

  async send(to: string, text: string): Promise<void> {
    await this.repository.insert({ sentAt: new Date(), toNumber: to, text });
  }
}

/** The one way other modules send text messages: the gateway when SMS_GATEWAY_URL is set, else the loopback sink. */
@Injectable()
export class SmsService {
  private readonly sender: SmsSender;
  private readonly logger = new Logger('SmsService');

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: SmsRepository,
  ) {
    this.sender = config.sms.gatewayUrl ? new HttpGatewaySmsSender(config.sms.gatewayUrl, config.sms.gatewayToken) : new LoopbackSmsSink(repository);
  }

  /** `to`: a mobile number in any form validatePhone accepts; sent as its digits. */
  async send(to: string, text: string): Promise<void> {
    const digits = to.replace(/\D/g, '');
    if (!/^09\d{8}$/.test(digits)) throw new Error(`Not a Taiwan mobile number: "${to}"`);
    await this.sender.send(digits, text);
    this.logger.log(`text message sent to ${digits.slice(0, 4)}***${digits.slice(-3)}`);
  }

  /** A page of what the loopback sink kept, newest first (/admin/sms). */
  async sinkPage(page: number, pageSize = 50) {
    const { rows, total } = await this.repository.page(page, pageSize);
    return { rows, total, pages: Math.max(1, Math.ceil(total / pageSize)) };
  }
}
