// The auth module's face: what other modules may use.
export { AuthModule } from './auth.module';
export type { ProofFailure } from './auth.errors';
export { SessionService } from './session.service';
export { StaffService, staffPrincipal, type NewStaff, type StaffCredentials, type StaffView } from './staff.service';
export { TokenProofService, type Proof, type ProofAttempt } from './token-proof.service';
export { generateTotpSecret, matchTotp, otpauthUri, totpCode, totpStep, type TotpWindow } from './totp';
export { CertificateAccounts, type CertificateAccountRefusal, type CertificateAccountResolver } from './certificate-accounts';
export { SessionRegistry } from './session-registry';
