import { domainErrors } from '../../common/errors/domain-error';

/** Every error code of the employer registry module. */
export type EmployerRegistryErrorCode = 'unit-not-found' | 'review-case-not-found' | 'review-case-changed' | 'registration-changed' | 'replacement-not-found';

export const employerRegistryError = domainErrors<EmployerRegistryErrorCode>();
