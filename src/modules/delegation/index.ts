// The delegation module's face: what other modules may use.
export { DelegationModule, DelegationWorkerModule } from './delegation.module';
export { DelegationService, OPERATOR_CARD_TYPE, operatorPrincipalId, type DelegationView } from './delegation.service';
export { ALL_FUNCTIONS, DELEGABLE_FUNCTIONS, isDelegableFunction, type DelegableFunction } from './functions';
