import { Module } from '@nestjs/common';
import { DevSmtpListenerService } from './dev-smtp.listener';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { MailboxController } from './mailbox.controller';
import { MailboxService } from './mailbox.service';
import { Mailer } from './mailer';
import { NotificationsProcessor } from './notifications.jobs';
import { NotificationsService } from './notifications.service';
import { OutboxRelay } from './outbox.relay';
import { OutboxService } from './outbox.service';
import { StatisticsProcessor } from './statistics.jobs';

/**
 * Web app and CLI: the outbox and notifications API for other modules, and the admin pages
 * (/admin/jobs, /admin/mailbox). Needs CoreModule (global: config, database, BullMQ queues with
 * the 'producer' connection) and AuditModule (global).
 */
@Module({
  controllers: [JobsController, MailboxController],
  providers: [OutboxService, NotificationsService, JobsService, MailboxService],
  exports: [OutboxService, NotificationsService, JobsService],
})
export class NotificationsModule {}

/**
 * Worker process: the outbox relay, the job processors (notifications: 'email'; statistics:
 * 'reference-summary') and, when DEV_SMTP_LISTENER=true, the development SMTP listener. Needs
 * CoreModule with the 'worker' BullMQ connection.
 */
@Module({
  providers: [OutboxService, NotificationsService, MailboxService, Mailer, OutboxRelay, NotificationsProcessor, StatisticsProcessor, DevSmtpListenerService],
  exports: [OutboxService, NotificationsService],
})
export class NotificationsWorkerModule {}
