import { translate, type Lang } from '../../common/i18n/i18n';

/** The kinds of e-mail the service sends; each has `email.<template>.subject` and `.body` in the catalogs. */
export const EMAIL_TEMPLATES = [
  'cards.reservation-confirmation',
  'cards.reservation-rejected',
  'cards.card-issued',
  'cards.user-code-reminder',
  'cards.expiry-reminder',
  'nhi-card.verify',
  'nhi-card.reset',
  'support-duty.approved',
  'support-duty.rejected',
  'employers.registered',
  'employers.replaced',
  'employers.review-approved',
  'employers.review-rejected',
  'delegation.changed',
  'reporting.monthly-report',
  'delegation.ending',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

/** One e-mail to compose: who to, which template, in which language, with which values. */
export interface EmailRequest {
  to: string | string[];
  template: EmailTemplate;
  lang: Lang;
  params: Record<string, string | number>;
}

/** The one e-mail composer: subject and body from the catalogs, in the recipient's language. */
export function composeEmail(request: Pick<EmailRequest, 'template' | 'lang' | 'params'>): { subject: string; text: string } {
  const key = `email.${request.template}`;
  return { subject: translate(request.lang, `${key}.subject`, request.params), text: translate(request.lang, `${key}.body`, request.params) };
}
