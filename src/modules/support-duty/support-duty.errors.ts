import { domainErrors } from '../../common/errors/domain-error';

/** Every error code of the support-duty module. */
export type SupportDutyErrorCode =
  | 'case-not-found'
  | 'case-changed'
  | 'case-transition-illegal'
  | 'case-not-editable'
  | 'filer-not-registered'
  | 'reviewer-without-county';

export const supportDutyError = domainErrors<SupportDutyErrorCode>();
