import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { LOGGER, QUEUES } from '../../core/core.module';
import { isPermanentSmtpError, Mailer } from './mailer';
import { emailPayload, type EmailMessage } from './notifications.service';
import { JOBS } from './queues';

/**
 * The notifications queue (worker process). 'email': sends over SMTP. A failure throws, so BullMQ
 * tries again with backoff; an SMTP 5xx answer or a malformed job fails at once
 * (UnrecoverableError). A job that failed for good stays in the failed set for /admin/jobs.
 */
@Processor(QUEUES.notifications, { concurrency: 2 })
export class NotificationsProcessor extends WorkerHost {
  private readonly logger: Logger;

  constructor(
    private readonly mailer: Mailer,
    @Inject(LOGGER) logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: 'notifications-jobs' });
  }

  async process(job: Job): Promise<{ messageId: string }> {
    if (job.name !== JOBS.email.name) throw new UnrecoverableError(`Unknown job "${job.name}" on the ${QUEUES.notifications} queue`);
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

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: err.message }, 'notification job failed');
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    // Redis connection errors while it is down; the outbox relay reports the outage once.
    this.logger.debug({ err: err.message }, 'notifications worker error');
  }
}
