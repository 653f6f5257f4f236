import { domainErrors } from '../../common/errors/domain-error';

/** Every error code of the delegation module. */
export type DelegationErrorCode = 'delegation-not-found' | 'delegation-changed' | 'manager-not-verified';

export const delegationError = domainErrors<DelegationErrorCode>();
