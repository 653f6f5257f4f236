import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';


/** pending: registered, e-mail not yet verified; active: may sign in; cancelled: registration withdrawn. */
export type NhiAccountStatus = 'pending' | 'active' | 'cancelled';

/** An NHI card online-service registration (健保卡網路服務註冊): one per card number. */
@Entity('nhi_card_account')
export class NhiCardAccount {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'card_number', type: 'char' }) cardNumber: string;
  /** Blind index of the holder's national ID (from the insured-person registry). */
  @Column({ name: 'national_id_index', type: 'char' }) nationalIdIndex: string;
  @Column({ type: 'varchar' }) phone: string;
  @Column({ type: 'varchar' }) email: string;
  @Column({ name: 'password_hash', type: 'varchar' }) passwordHash: string;
  @Column({ type: 'varchar' }) status: NhiAccountStatus;
  /** The language e-mails are written in. */
  @Column({ type: 'varchar' }) lang: string;
  @Column({ name: 'verified_at', type: 'datetime', precision: 3, nullable: true }) verifiedAt: Date | null;
  /** Set after too many pauses: the password sign-in stays locked until a forgotten-password reset. */
  @Column({ name: 'locked_at', type: 'datetime', precision: 3, nullable: true }) lockedAt: Date | null;
  /** The authenticator secret (SecretBox 'nhi-otp'), once an enrolment began. */
  @Column({ name: 'otp_secret_cipher', type: 'varchar', nullable: true }) otpSecretCipher: string | null;
  /** Set when the holder confirmed the authenticator with a first code. */
  @Column({ name: 'otp_enrolled_at', type: 'datetime', precision: 3, nullable: true }) otpEnrolledAt: Date | null;
  /** The last time step accepted: a code is accepted once. */
  @Column({ name: 'otp_last_step', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } }) otpLastStep: number | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn() version: number;
}

export type NhiLinkPurpose = 'verify' | 'reset';

/** A single-use link sent by e-mail (verification or password reset); only the token's SHA-256 is kept. */
@Entity('nhi_card_link')
export class NhiCardLink {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'account_id', type: 'bigint' }) accountId: string;
  @Column({ type: 'varchar' }) purpose: NhiLinkPurpose;
  @Column({ name: 'token_hash', type: 'char' }) tokenHash: string;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt: Date;
  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true }) usedAt: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
