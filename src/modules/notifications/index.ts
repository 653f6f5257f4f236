// The notifications module's face: what other modules may use.
export { NotificationsModule, NotificationsWorkerModule } from './notifications.module';
export { NotificationsService } from './notifications.service';
export type { EmailRequest, EmailTemplate } from './email-composer';
export { OutboxService } from './outbox.service';
export { JobsService, JOB_STATE_TAG, RUNNING_JOB_STATES, type JobsBacklog, type JobState, type JobView } from './jobs.service';
export { SmsService, SmsUnavailableError, type SmsSender } from './sms';
