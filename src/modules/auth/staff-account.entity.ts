import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { Role } from '../../common/access/roles';

/** A staff member (counter, county bureau, ministry, admin). Created, listed and disabled only by the CLI. */
@Entity('staff_account')
export class StaffAccount {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar' })
  username: string;

  @Column({ name: 'display_name', type: 'varchar' })
  displayName: string;

  @Column({ type: 'varchar' })
  role: Role;

  @Column({ name: 'county_code', type: 'varchar', nullable: true })
  countyCode: string | null;

  @Column({ name: 'counter_code', type: 'varchar', nullable: true })
  counterCode: string | null;

  @Column({ type: 'varchar', nullable: true })
  email: string | null;

  @Column({ name: 'password_hash', type: 'varchar' })
  passwordHash: string;

  @Column({ name: 'totp_secret_cipher', type: 'varchar' })
  totpSecretCipher: string;

  @Column({ name: 'totp_last_step', type: 'bigint', nullable: true, transformer: { to: (v) => v, from: (v) => (v === null ? null : Number(v)) } })
  totpLastStep: number | null;

  @Column({ name: 'failed_attempts', type: 'int' })
  failedAttempts: number;

  @Column({ name: 'locked_until', type: 'datetime', precision: 3, nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'last_login_at', type: 'datetime', precision: 3, nullable: true })
  lastLoginAt: Date | null;

  @Column({ name: 'disabled_at', type: 'datetime', precision: 3, nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'cert_serial', type: 'varchar', nullable: true })
  certSerial: string | null;

  @Column({ name: 'cert_issuer', type: 'varchar', nullable: true })
  certIssuer: string | null;

  /** The NHI card (12-digit number) this operator may sign in with instead of a citizen certificate. */
  @Column({ name: 'nhi_card_number', type: 'char', nullable: true })
  nhiCardNumber: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
