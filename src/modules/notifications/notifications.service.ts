import { Injectable } from '@nestjs/common';
import { validateEmail } from '../../common/identifiers/email';
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';
import type { Tx } from '../../core/database';
import { composeEmail, type EmailRequest } from './email-composer';
import { OutboxService } from './outbox.service';
import type { EmailPayload } from './queues';

export interface EmailMessage {
  /** One address or several. */
  to: string | string[];
  subject: string;
  /** Plain-text body. */
  text: string;
  /** Which kind of message this is (e.g. 'cards.card-issued'), for logs and the mailbox. */
  template?: string;
}

/**
 * What other modules call to notify someone. E-mails go through the outbox in the caller's
 * transaction onto the `notifications` queue (job 'email'), sent by the worker over SMTP_URL.
 */
@Injectable()
export class NotificationsService {
  constructor(private readonly outbox: OutboxService) {}

  /** Composes a catalog e-mail (src/modules/notifications/email-composer.ts) and queues it with the caller's change. */
  notify(tx: Tx, request: EmailRequest): Promise<string> {
    return this.sendEmail(tx, { to: request.to, template: request.template, ...composeEmail(request) });
  }

  /** Queues an e-mail with the caller's change; returns the job id. Bad input is a programming error and throws. */
  sendEmail(tx: Tx, message: EmailMessage): Promise<string> {
    return this.outbox.enqueue(tx, QUEUES.notifications, QUEUE_REGISTRY.notifications.jobs.email, emailPayload(message));
  }
}

/** Validated and normalised; throws on an address that is not one, or an empty subject/body. */
export function emailPayload(message: EmailMessage): EmailPayload {
  const to = (Array.isArray(message.to) ? message.to : [message.to]).map((address) => {
    const checked = validateEmail(address);
    if (!checked.ok) throw new Error(`Not an e-mail address: "${address}"`);
    return checked.value;
  });
  if (to.length === 0) throw new Error('An e-mail needs at least one recipient');
  const subject = message.subject.trim();
  if (!subject || subject.length > 200 || /[\r\n]/.test(subject)) throw new Error('An e-mail subject is one line of 1 to 200 characters');
  if (!message.text.trim()) throw new Error('An e-mail needs a body');
  if (message.template !== undefined && !/^[\w.-]{1,64}$/.test(message.template)) throw new Error(`Bad template name "${message.template}"`);
  return { to, subject, text: message.text, ...(message.template ? { template: message.template } : {}) };
}
