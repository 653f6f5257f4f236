import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';

/** How an operator signs in: a citizen certificate, a medical personnel card, or an NHI card (健保卡 + its registered password). */
export const CREDENTIAL_TYPES = ['citizen', 'personnel', 'nhi'] as const;
export type OperatorCredentialType = (typeof CREDENTIAL_TYPES)[number];

/** An operator of a unit: the certificate serial they sign in with and the functions the manager granted. */
@Entity('employer_delegation')
export class Delegation {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'unit_code', type: 'varchar' }) unitCode: string;
  @Column({ name: 'operator_id_cipher', type: 'varchar' }) operatorIdCipher: string;
  @Column({ name: 'operator_id_index', type: 'char' }) operatorIdIndex: string;
  @Column({ name: 'operator_name', type: 'varchar' }) operatorName: string;
  @Column({ type: 'varchar', nullable: true }) phone: string | null;
  @Column({ type: 'varchar', nullable: true }) mobile: string | null;
  @Column({ type: 'varchar' }) email: string;
  @Column({ name: 'credential_type', type: 'varchar' }) credentialType: OperatorCredentialType;
  /** The certificate's serial number, hex uppercase (as the serial query shows it); for an NHI card, its 12-digit card number. */
  @Column({ name: 'cert_serial', type: 'varchar' }) certSerial: string;
  /** Granted functions, comma-separated. */
  @Column({ type: 'varchar' }) functions: string;
  /** The last day the delegation holds ('YYYY-MM-DD'), or null for no end. */
  @Column({ name: 'ends_on', type: 'date', nullable: true }) endsOn: string | null;
  @Column({ type: 'varchar' }) status: 'active' | 'deleted';
  /** A renewed certificate of the same person (same ID, same CA family) that signed in: its serial, for the manager to confirm. */
  @Column({ name: 'renewal_serial', type: 'varchar', nullable: true }) renewalSerial: string | null;
  @Column({ name: 'renewal_at', type: 'datetime', precision: 3, nullable: true }) renewalAt: Date | null;
  /** When the reminder before `ends_on` was e-mailed (once; a new end date clears it). */
  @Column({ name: 'end_reminded_at', type: 'datetime', precision: 3, nullable: true }) endRemindedAt: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @Column({ name: 'deleted_at', type: 'datetime', precision: 3, nullable: true }) deletedAt: Date | null;
  @VersionColumn() version: number;
}

/** One change of a delegation: who, when, what, with which certificate. */
@Entity('employer_delegation_history')
export class DelegationHistory {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'delegation_id', type: 'bigint' }) delegationId: string;
  @Column({ name: 'unit_code', type: 'varchar' }) unitCode: string;
  @Column({ type: 'varchar' }) action: 'add' | 'modify' | 'delete';
  @Column({ type: 'datetime', precision: 3 }) at: Date;
  @Column({ name: 'actor_name', type: 'varchar' }) actorName: string;
  @Column({ name: 'actor_credential', type: 'varchar' }) actorCredential: string;
  @Column({ type: 'varchar' }) summary: string;
}
