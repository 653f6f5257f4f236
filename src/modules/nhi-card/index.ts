// The nhi-card module's face: what other modules may use. The employer registry calls
// NhiCardCredentialService.cardAndPassword for a unit's responsible person (seed 004) and registers
// the units a responsible person signs in for (NhiUnitAccounts).
export { NhiCardModule } from './nhi-card.module';
export { NhiCardCredentialService, NhiRefusal, type NhiCardHolder } from './nhi-card-credential.service';
export { NHI_CARD_CHECK, nhiCredential, type NhiCardCheck, type NhiCardCheckResult, type NhiCardPresentation } from './card-check';
export type { NhiLoginFailure } from './nhi-card.errors';
export { NhiOtpService, OTP_WINDOW, type NhiOtpAttempt } from './nhi-otp.service';
export { NhiUnitAccounts, type NhiOperatorResolver, type NhiUnitFailure, type NhiUnitResolver } from './nhi-unit-accounts';
