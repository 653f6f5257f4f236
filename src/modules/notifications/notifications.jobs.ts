import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { JobProcessor } from '../../core/jobs';
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';
import { LOGGER } from '../../core/tokens';
import { isPermanentSmtpError, Mailer } from './mailer';
import { emailPayload, type EmailMessage } from './notifications.service';

/**
 * The notifications queue (worker process). 'email': sends over SMTP. A failure throws, so BullMQ
 * tries again with backoff; an SMTP 5xx answer or a malformed job fails at once
 * (UnrecoverableError). A job that failed for good stays in the failed set for /admin/jobs.
 */
@Processor(QUEUES.notifications, { concurrency: 2 })
export class NotificationsProcessor extends JobProcessor<{ messageId: string }> {
  protected readonly handlers = { [QUEUE_REGISTRY.notifications.jobs.email]: (job: Job) => this.email(job) };

  constructor(
    private readonly mailer: Mailer,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(QUEUES.notifications, logger);
  }

  private async email(job: Job): Promise<{ messageId: string }> {
    let mail;
    try {
      mail = emailPayload(job.data as EmailMessage);
    } catch (err) {
      throw new UnrecoverableError(`Malformed e-mail job: ${(err as Error).message}`);
    }
    try {
      return { messageId: await this.mailer.send(mail) };
    } catch (err) {
      if (isPermanentSmtpError(err)) throw new UnrecoverableError(`SMTP refused the message: ${(err as Error).message}`);
      throw err;
    }
  }
}
