import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { CardState } from './card-state';

/** An issued card (a SoftHSM2 token in development, a smart card in production). */
@Entity('card')
export class Card {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  /** 12 digits, shown without the "GH" prefix (seed 001). */
  @Column({ name: 'card_number', type: 'char' }) cardNumber: string;
  @Column({ name: 'reservation_id', type: 'bigint' }) reservationId: string;
  @Column({ name: 'card_type', type: 'varchar' }) cardType: 'personnel' | 'institution';
  @Column({ type: 'varchar' }) state: CardState;
  @Column({ name: 'holder_name', type: 'varchar' }) holderName: string;
  @Column({ name: 'national_id_index', type: 'char' }) nationalIdIndex: string;
  @Column({ name: 'institution_code', type: 'char', nullable: true }) institutionCode: string | null;
  @Column({ type: 'varchar', nullable: true }) email: string | null;
  /** The PKCS#11 token label of the card (card-<card number>). */
  @Column({ name: 'token_label', type: 'varchar' }) tokenLabel: string;
  @Column({ name: 'certificate_id', type: 'int', nullable: true }) certificateId: number | null;
  @Column({ name: 'not_before', type: 'datetime', precision: 3, nullable: true }) notBefore: Date | null;
  @Column({ name: 'not_after', type: 'datetime', precision: 3, nullable: true }) notAfter: Date | null;
  /** The PUK (the card's SO PIN), sealed with SecretBox('card-puk'); shown only after the user-code check. */
  @Column({ name: 'puk_cipher', type: 'varchar' }) pukCipher: string;
  @Column({ name: 'user_code_hash', type: 'varchar' }) userCodeHash: string;
  @Column({ name: 'user_code_failures', type: 'int' }) userCodeFailures: number;
  @Column({ name: 'user_code_locked_until', type: 'datetime', precision: 3, nullable: true }) userCodeLockedUntil: Date | null;
  @Column({ name: 'opened_at', type: 'datetime', precision: 3, nullable: true }) openedAt: Date | null;
  @Column({ name: 'revocation_reason', type: 'varchar', nullable: true }) revocationReason: string | null;
  @Column({ name: 'replaced_by_card_id', type: 'bigint', nullable: true }) replacedByCardId: string | null;
  @Column({ name: 'expiry_reminded_at', type: 'datetime', precision: 3, nullable: true }) expiryRemindedAt: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn() version: number;
}
