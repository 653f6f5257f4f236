import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { ProtectedIdCodec } from '../../../common/crypto/protected-id';
import type { SecretBox } from '../../../common/crypto/secret-box';
import { translate } from '../../../common/i18n/i18n';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { Database, type Tx } from '../../../core/database';
import { InjectSecretBox } from '../../../core/secrets';
import { createDevelopmentCard, writeCardCertificate } from '../../../shared/pkcs11';
import { AuditService, type AuditActor } from '../../audit';
import { CertificateIssuer, HsmService, IssueInputError, RevocationService, type IssueRequest } from '../../certificates';
import { NotificationsService } from '../../notifications';
import { ReferenceService } from '../../reference';
import { cardsError } from '../cards.errors';
import { CardLifecycle } from '../lifecycle/card-lifecycle.service';
import type { CardReservation } from '../lifecycle/card-reservation.entity';
import type { Card } from '../lifecycle/card.entity';
import { CardRepository } from '../lifecycle/card.repository';
import { CardReservationService } from '../reservation/card-reservation.service';
import { counterView } from '../reservation/reservation-view';
import { formatDate } from '../../../common/i18n/dates';

/** Card numbers: 12 digits, never starting with 0 (seed 001 shows them without the "GH" prefix). */
export const CARD_NUMBER_PATTERN = /^[1-9]\d{11}$/;
const CARD_NUMBER_RETRIES = 5;

/** The PKCS#11 token label of a card: the reader helper shows only `card-…` tokens. */
export function cardTokenLabel(cardNumber: string): string {
  return `card-${cardNumber}`;
}

/** A random card number (12 digits, the first not 0). */
export function randomCardNumber(): string {
  return String(randomInt(100_000_000_000, 1_000_000_000_000));
}

/** A random initial PIN: 6 digits (the card services' new PINs are 6 digits too). */
export function randomInitialPin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A random PUK: 8 digits (DOMAIN.md), the card's SO PIN. */
export function randomPuk(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

export interface IssuedCard {
  /** The card row, state 'issued'. */
  card: Card;
  /**
   * The initial PIN, for the PIN mailer the counter prints and hands over in a sealed envelope.
   * It exists only in this object: it is stored nowhere (not in the card row, not in the audit).
   */
  initialPin: string;
  certificate: { id: number; serialHex: string; notBefore: Date; notAfter: Date };
}

/**
 * The caller's step before the issuance, in the same transaction: move the reservation to
 * 'approved' (the counter's approval, or a renewal's own rule) and return it as read afterwards.
 */
export type ApproveStep = (tx: Tx) => Promise<CardReservation>;

/** What an issuance has made so far outside the caller's transaction. */
interface Made {
  /** Set once the approval step has passed: from then on a failure is audited. */
  reference?: string;
  cardNumber?: string;
  label?: string;
  puk?: string;
  certificateId?: number;
}

/**
 * Card issuance (製卡) from an approved reservation, for the counter's approval and for renewal
 * and reissue, in this order, in one database transaction:
 *   the caller's approval step (reserved → approved) → a card number (random, unique) → the token
 *   `card-<number>` with its key pair generated on it (random 6-digit initial PIN, random 8-digit
 *   PUK, not opened) → the certificate from the HCA issuing CA for that key → written onto the
 *   token → the `card` row (state 'issued', PUK sealed with SecretBox('card-puk'), the
 *   reservation's user-code hash) → the reservation approved → issued (CardLifecycle, audited
 *   'card.issue') → the "card ready" e-mail (card number only) → commit.
 * The token and the certificate cannot roll back with the transaction, so when any step fails
 * (or the commit does) the transaction is rolled back first, then the token is wiped and the
 * certificate revoked, and the failure is audited on its own: no half card is left, and the
 * reservation is still 'reserved', ready to be approved again.
 */
@Injectable()
export class CardIssuanceService {
  private readonly logger = new Logger(CardIssuanceService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ids: ProtectedIdCodec,
    @InjectSecretBox('card-puk') private readonly pukBox: SecretBox,
    private readonly database: Database,
    private readonly cards: CardRepository,
    private readonly hsm: HsmService,
    private readonly issuer: CertificateIssuer,
    private readonly revocation: RevocationService,
    private readonly lifecycle: CardLifecycle,
    private readonly notifications: NotificationsService,
    private readonly reference: ReferenceService,
    private readonly reservations: CardReservationService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Runs `approve` and then issues the card of the reservation it returns, all in one
   * transaction (see the class comment). Errors of `approve` (e.g. ConflictError 'card-changed'
   * when someone else decided first) come out as they are, before anything is made.
   */
  async issue(approve: ApproveStep, actor?: AuditActor): Promise<IssuedCard> {
    const made: Made = {};
    try {
      return await this.database.transaction((tx) => this.issueIn(tx, approve, made, actor));
    } catch (error) {
      if (made.reference) await this.undo(made, actor, error);
      throw error;
    }
  }

  private async issueIn(manager: Tx, approve: ApproveStep, made: Made, actor: AuditActor | undefined): Promise<IssuedCard> {
    const reservation = await approve(manager);
    if (reservation.status !== 'approved') {
      throw cardsError.conflict('card-transition-illegal', 'cards.errors.transitionIllegal', { state: reservation.status, event: 'issue' });
    }
    made.reference = reservation.reference;
    // Everything the CA checks, before a token is made.
    const request = await this.certificateRequest(reservation);
    const problems = this.issuer.problems(request);
    if (problems.length) throw new IssueInputError(problems);

    const cardNumber = await this.freeCardNumber(manager);
    const label = cardTokenLabel(cardNumber);
    const initialPin = randomInitialPin();
    const puk = randomPuk();
    made.cardNumber = cardNumber;

    const module = this.hsm.module();
    const token = createDevelopmentCard({ module, label, pin: initialPin, soPin: puk, keyType: 'ec-p256', opened: false });
    made.label = label;
    made.puk = puk;

    const issued = await this.issuer.issue({ ...request, spki: token.spki, holderRef: `card:${cardNumber}` }, actor);
    made.certificateId = issued.id;
    writeCardCertificate({ module, label, soPin: puk, certificate: issued.der });

    const now = new Date();
    const row: Omit<Card, 'id'> = {
      cardNumber,
      reservationId: reservation.id,
      // attached and test cards are issued as institution cards
      cardType: reservation.cardType === 'personnel' ? 'personnel' : 'institution',
      state: 'issued',
      holderName: request.subject.name,
      nationalIdIndex: reservation.nationalIdIndex,
      institutionCode: reservation.institutionCode,
      email: reservation.email,
      tokenLabel: label,
      certificateId: issued.id,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      pukCipher: this.pukBox.seal(puk),
      userCodeHash: reservation.userCodeHash,
      userCodeFailures: 0,
      userCodeLockedUntil: null,
      openedAt: null,
      revocationReason: null,
      replacedByCardId: null,
      expiryRemindedAt: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    const card = await this.cards.insert(manager, row);

    await this.lifecycle.moveReservation(manager, {
      row: reservation,
      event: 'issue',
      summary: { cardNumber, tokenLabel: label, certificateId: issued.id, certificateSerial: issued.serialHex, notAfter: issued.notAfter.toISOString() },
      actor,
    });
    if (reservation.email) await this.notifyReady(manager, reservation, card);

    return { card, initialPin, certificate: { id: issued.id, serialHex: issued.serialHex, notBefore: issued.notBefore, notAfter: issued.notAfter } };
  }

  /**
   * The certificate for the holder: personnel (name, national ID, home institution), institution
   * and attached cards (the institution's name and code; card type main/attached), test cards
   * (the developer organisation's name, and as institution code "99" + its business number: a
   * development convention that no real institution code uses; card type test).
   */
  private async certificateRequest(reservation: CardReservation): Promise<Omit<IssueRequest, 'spki'>> {
    const institution = reservation.institutionCode ? await this.reference.institution(reservation.institutionCode) : null;
    if (reservation.cardType === 'personnel') {
      return {
        family: 'hca',
        subjectType: 'personnel',
        subject: {
          name: reservation.applicantName,
          nationalId: this.ids.reveal(reservation.nationalIdCipher),
          ...(institution ? { organization: institution.nameZh } : {}),
        },
      };
    }
    if (reservation.cardType === 'test') {
      return {
        family: 'hca',
        subjectType: 'institution',
        subject: { name: reservation.organisationName ?? '', institutionCode: `99${reservation.businessNumber ?? ''}`, cardType: 'test' },
      };
    }
    return {
      family: 'hca',
      subjectType: 'institution',
      subject: { name: institution?.nameZh ?? '', institutionCode: reservation.institutionCode ?? '', cardType: reservation.cardType === 'attached' ? 'attached' : 'main' },
    };
  }

  /** A random card number that no card row and no token has yet. */
  private async freeCardNumber(manager: Tx): Promise<string> {
    const module = this.hsm.module();
    module.rescan();
    for (let attempt = 1; attempt <= CARD_NUMBER_RETRIES; attempt++) {
      const candidate = randomCardNumber();
      const taken = (await this.cards.numberTaken(manager, candidate)) || module.findToken(cardTokenLabel(candidate)) !== undefined;
      if (!taken) return candidate;
    }
    throw new Error(`no free card number after ${CARD_NUMBER_RETRIES} attempts`);
  }

  private async notifyReady(tx: Tx, reservation: CardReservation, card: Card): Promise<void> {
    const lang = reservation.lang;
    const counter = await this.reservations.counterOf(reservation);
    await this.notifications.notify(tx, {
      to: reservation.email!,
      template: 'cards.card-issued',
      lang,
      params: {
        name: reservation.applicantName,
        cardType: translate(lang, `cards.type.${reservation.cardType}`),
        cardNumber: card.cardNumber,
        counter: counter ? counterView(counter, lang).name : reservation.counterCode,
        notAfter: card.notAfter ? formatDate(card.notAfter, lang) : '',
        cardServicesUrl: `${this.config.publicOrigin}/`,
      },
    });
  }

  /**
   * Revokes the certificate and wipes the token (C_InitToken with the card's PUK: every object
   * erased, relabelled `void-<number>` so no reader helper offers it as a card), then audits the
   * failed issuance. Each step is attempted whatever happened to the one before; none throws.
   */
  private async undo(made: Made, actor: AuditActor | undefined, cause: unknown): Promise<void> {
    const undone: string[] = [];
    if (made.certificateId !== undefined) {
      try {
        await this.revocation.revoke(made.certificateId, 'cessationOfOperation', { actor });
        undone.push('certificate-revoked');
      } catch (error) {
        this.logger.error({ err: error, certificateId: made.certificateId }, 'could not revoke the certificate of a failed card issuance');
      }
    }
    if (made.label && made.puk) {
      try {
        const module = this.hsm.module();
        module.rescan();
        const slot = module.findToken(made.label);
        if (slot) module.initToken(slot, { soPin: made.puk, label: `void-${made.cardNumber}` });
        undone.push('token-wiped');
      } catch (error) {
        this.logger.error({ err: error, token: made.label }, 'could not wipe the token of a failed card issuance');
      }
    }
    try {
      await this.audit.recordAlone({
        action: 'card.issue-failed',
        outcome: 'failure',
        targetType: 'card_reservation',
        targetId: made.reference,
        summary: { cardNumber: made.cardNumber ?? null, certificateId: made.certificateId ?? null, undone, error: cause instanceof Error ? cause.message.slice(0, 200) : String(cause).slice(0, 200) },
        actor,
      });
    } catch (error) {
      this.logger.error({ err: error }, 'could not audit a failed card issuance');
    }
  }
}
