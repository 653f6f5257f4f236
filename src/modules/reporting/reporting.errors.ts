import { domainErrors } from '../../common/errors/domain-error';

/** Every error code of the reporting module. */
export type ReportingErrorCode = 'report-not-found' | 'reviewer-without-county' | 'role-not-allowed';

export const reportingError = domainErrors<ReportingErrorCode>();
