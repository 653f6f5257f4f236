import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { DevSmtpListenerService } from './dev-smtp.listener';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { MailboxMessage } from './mailbox-message.entity';
import { MailboxController } from './mailbox.controller';
import { MailboxRepository } from './mailbox.repository';
import { MailboxService } from './mailbox.service';
import { Mailer } from './mailer';
import { NotificationsProcessor } from './notifications.jobs';
import { NotificationsService } from './notifications.service';
import { OutboxMessage } from './outbox-message.entity';
import { OutboxRelay } from './outbox.relay';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';
import { SmsMessage } from './sms-message.entity';
import { SmsController } from './sms.controller';
import { SmsRepository } from './sms.repository';
import { SmsService } from './sms';

const entities = TypeOrmModule.forFeature([OutboxMessage, MailboxMessage, SmsMessage]);

/**
 * Web app and CLI: the outbox and notifications API for other modules, and the admin pages
 * (/admin/jobs, /admin/mailbox, /admin/sms). Needs CoreModule (global: config, database, BullMQ queues with
 * the 'producer' connection) and AuditModule (global).
 */
@Module({
  imports: [entities],
  controllers: [JobsController, MailboxController, SmsController],
  providers: [
    OutboxRepository,
    OutboxService,
    NotificationsService,
    JobsService,
    MailboxRepository,
    MailboxService,
    SmsRepository,
    SmsService,
    moduleLinks('notifications', {
      nav: [{ href: '/admin/jobs', labelKey: 'nav.admin', audience: ['admin'], order: 40 }],
      services: [
        { href: '/admin/jobs', titleKey: 'home.services.jobs.title', descriptionKey: 'home.services.jobs.description', audienceKey: 'home.audience.admin', audience: ['admin'], staff: true, order: 70 },
        { href: '/admin/mailbox', titleKey: 'home.services.mailbox.title', descriptionKey: 'home.services.mailbox.description', audienceKey: 'home.audience.admin', audience: ['admin'], staff: true, order: 71 },
        { href: '/admin/sms', titleKey: 'home.services.sms.title', descriptionKey: 'home.services.sms.description', audienceKey: 'home.audience.admin', audience: ['admin'], staff: true, order: 72 },
      ],
    }),
  ],
  exports: [OutboxService, NotificationsService, JobsService, SmsService],
})
export class NotificationsModule {}

/**
 * Worker process: the outbox relay, the e-mail processor and, when DEV_SMTP_LISTENER=true, the
 * development SMTP listener. Needs CoreModule with the 'worker' BullMQ connection.
 */
@Module({
  imports: [entities],
  providers: [OutboxRepository, OutboxService, NotificationsService, MailboxRepository, MailboxService, Mailer, OutboxRelay, NotificationsProcessor, DevSmtpListenerService],
  exports: [OutboxService, NotificationsService],
})
export class NotificationsWorkerModule {}
