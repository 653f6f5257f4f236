import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { Lang } from '../../../common/i18n/i18n';
import type { CardState } from './card-state';

/**
 * The card types that can be reserved online: personnel, institution, an institution's attached
 * cards (醫事機構附卡) and test cards for developers of HCA-card applications (醫事憑證測試卡).
 */
export const RESERVATION_CARD_TYPES = ['personnel', 'institution', 'attached', 'test'] as const;
export type ReservationCardType = (typeof RESERVATION_CARD_TYPES)[number];

export function isReservationCardType(value: unknown): value is ReservationCardType {
  return typeof value === 'string' && (RESERVATION_CARD_TYPES as readonly string[]).includes(value);
}

/**
 * An online card reservation (預約申請). National IDs are stored protected (AES-GCM cipher + HMAC
 * blind index) and shown masked; the user code only as a scrypt hash.
 * personnel: the applicant's ID, certificate and name as matched in the professional registry,
 * `institutionCode` their home institution at the time. institution: the responsible person's ID
 * and name, `institutionCode` the institution the card is for. attached: as institution, plus
 * `cardCount` and `purpose`. test: the contact person's ID and name, the organisation's name and
 * business number, `cardCount` and `purpose`; no institution.
 */
@Entity('card_reservation')
export class CardReservation {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'char' })
  reference: string;

  @Column({ name: 'card_type', type: 'varchar' })
  cardType: ReservationCardType;

  /** The card state machine (card-state.ts) starts here: 'reserved'. */
  @Column({ type: 'varchar' })
  status: CardState;

  @Column({ name: 'national_id_cipher', type: 'varchar' })
  nationalIdCipher: string;

  @Column({ name: 'national_id_index', type: 'char' })
  nationalIdIndex: string;

  @Column({ name: 'category_code', type: 'varchar', nullable: true })
  categoryCode: string | null;

  @Column({ name: 'certificate_number', type: 'char', nullable: true })
  certificateNumber: string | null;

  @Column({ name: 'applicant_name', type: 'varchar' })
  applicantName: string;

  @Column({ name: 'professional_id', type: 'int', nullable: true })
  professionalId: number | null;

  @Column({ name: 'institution_code', type: 'char', nullable: true })
  institutionCode: string | null;

  /** attached and test cards: how many cards are requested. */
  @Column({ name: 'card_count', type: 'smallint', nullable: true })
  cardCount: number | null;

  /** attached and test cards: what the cards are for (e.g. 分院、另一櫃檯). */
  @Column({ type: 'varchar', nullable: true })
  purpose: string | null;

  /** test cards: the applying organisation and its business number (統一編號). */
  @Column({ name: 'organisation_name', type: 'varchar', nullable: true })
  organisationName: string | null;

  @Column({ name: 'business_number', type: 'char', nullable: true })
  businessNumber: string | null;

  @Column({ name: 'counter_code', type: 'varchar' })
  counterCode: string;

  /** The county of the counter (the list it was chosen from). */
  @Column({ name: 'counter_county_code', type: 'varchar' })
  counterCountyCode: string;

  /** 'YYYY-MM-DD' (a Taiwan calendar day). */
  @Column({ name: 'counter_date', type: 'date', utc: true })
  counterDate: string;

  @Column({ type: 'varchar' })
  phone: string;

  @Column({ type: 'varchar', nullable: true })
  email: string | null;

  @Column({ name: 'agent_name', type: 'varchar', nullable: true })
  agentName: string | null;

  @Column({ name: 'agent_national_id_cipher', type: 'varchar', nullable: true })
  agentNationalIdCipher: string | null;

  @Column({ name: 'agent_national_id_index', type: 'char', nullable: true })
  agentNationalIdIndex: string | null;

  @Column({ name: 'user_code_hash', type: 'varchar' })
  userCodeHash: string;

  @Column({ name: 'mailing_address', type: 'varchar' })
  mailingAddress: string;

  /** The language the applicant used, for later notifications. */
  @Column({ type: 'varchar' })
  lang: Lang;

  /** The counter's decision: when, by whom (staff username), why (rejections), which documents were seen. */
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decided_by', type: 'varchar', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decision_reason', type: 'varchar', nullable: true })
  decisionReason: string | null;

  /** Comma-separated document codes ticked at the counter (id, licence, certificate, agent-id). */
  @Column({ name: 'documents_checked', type: 'varchar', nullable: true })
  documentsChecked: string | null;

  /** A reissue or renewal: the card this reservation replaces. */
  @Column({ name: 'replaces_card_id', type: 'bigint', nullable: true })
  replacesCardId: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}

/** A weekday the registration counters are closed (a national holiday, a typhoon day…). */
@Entity('counter_closed_day')
export class CounterClosedDay {
  /** 'YYYY-MM-DD' */
  @PrimaryColumn({ type: 'date', utc: true })
  day: string;

  @Column({ name: 'reason_zh', type: 'varchar' })
  reasonZh: string;

  @Column({ name: 'reason_en', type: 'varchar' })
  reasonEn: string;
}
