import { domainErrors } from '../../common/errors/domain-error';

export type NotificationsErrorCode = 'mailbox-message-not-found' | 'job-not-found' | 'job-not-failed';
export const notificationsError = domainErrors<NotificationsErrorCode>();
