import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../../common/context/request-context';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { maskNationalId } from '../../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { NotificationsService } from '../../notifications/notifications.service';
import { ReferenceService } from '../../reference/reference.service';
import { CardIssuanceService, type IssuedCard } from '../card-issuance.service';
import { CardLifecycle } from '../card-lifecycle.service';
import type { CardReservation } from '../card-reservation.entity';
import { CardReservationService } from '../card-reservation.service';
import type { CardState } from '../card-state';
import { taipeiDay } from '../counter-date';
import { normalizeReference } from '../reference-number';
import { ReservationPresenter } from '../reservation-presenter';
import { counterView, formatDay } from '../reservation-view';
import { DOCUMENT_CODES, documentLabelKey, requiredDocuments, type DecisionInput, type DocumentCode } from './counter-decision';
import { CounterRepository } from './counter.repository';

export const COUNTER_PAGE_SIZE = 20;

/** The colour of a state's tag in the staff tables (govuk-tag modifiers). */
const STATE_TAG: Record<CardState, string> = {
  reserved: 'govuk-tag--blue',
  approved: 'govuk-tag--yellow',
  issued: 'govuk-tag--green',
  active: 'govuk-tag--green',
  suspended: 'govuk-tag--orange',
  rejected: 'govuk-tag--red',
  cancelled: 'govuk-tag--grey',
  revoked: 'govuk-tag--grey',
  expired: 'govuk-tag--grey',
};

export function stateTag(state: CardState) {
  return { textKey: `cards.counter.state.${state}`, classes: STATE_TAG[state] };
}

export interface CounterListRow {
  reference: string;
  href: string;
  day: string;
  applicantName: string;
  maskedId: string;
  cardTypeKey: string;
  tag: ReturnType<typeof stateTag>;
}

export interface CounterList {
  counterName: string;
  rows: CounterListRow[];
  total: number;
  page: number;
  pages: number;
}

/**
 * Registration counter (RA) work on reservations: the counter's list, one reservation, and the
 * decision: approve (the card is issued in the same transaction through CardIssuanceService) or
 * reject with a reason. Counter staff see and decide only the reservations made at their own
 * counter (principal.counterCode); any other reservation is "not found" for them.
 */
@Injectable()
export class CounterService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: CounterRepository,
    private readonly lifecycle: CardLifecycle,
    private readonly issuance: CardIssuanceService,
    private readonly reservations: CardReservationService,
    private readonly reference: ReferenceService,
    private readonly notifications: NotificationsService,
    private readonly presenter: ReservationPresenter,
  ) {}

  /** The staff member's counter; counter staff without one (a misconfigured account) may do nothing. */
  counterCodeOf(principal: Principal): string {
    if (!principal.counterCode) throw new ForbiddenError('counter-staff-without-counter', 'errors.403.message');
    return principal.counterCode;
  }

  async counterName(code: string, lang: Lang): Promise<string> {
    const counter = (await this.reference.searchCounters({})).find((c) => c.code === code);
    return counter ? counterView(counter, lang).name : code;
  }

  /** The counter's reservations of `day`, or of today (Taiwan) and later; newest days last. */
  async list(principal: Principal, filter: { day: string | null; page: number }, lang: Lang): Promise<CounterList> {
    const counterCode = this.counterCodeOf(principal);
    const { rows, total } = await this.repository.reservations({ counterCode, day: filter.day, from: taipeiDay(), page: filter.page, pageSize: COUNTER_PAGE_SIZE });
    return {
      counterName: await this.counterName(counterCode, lang),
      rows: rows.map((r) => ({
        reference: r.reference,
        href: `/counter/reservations/${r.reference}`,
        day: formatDay(r.counterDate, lang),
        applicantName: r.applicantName,
        maskedId: maskNationalId(this.reservations.revealNationalId(r)),
        cardTypeKey: `cards.type.${r.cardType}`,
        tag: stateTag(r.status),
      })),
      total,
      page: filter.page,
      pages: Math.max(1, Math.ceil(total / COUNTER_PAGE_SIZE)),
    };
  }

  /** A reservation at the staff member's counter; any other (or none) is NotFoundError. */
  async reservationAt(principal: Principal, referenceParam: string): Promise<CardReservation> {
    const counterCode = this.counterCodeOf(principal);
    const reference = normalizeReference(referenceParam);
    const reservation = reference ? await this.repository.findByReference(reference) : null;
    if (!reservation || reservation.counterCode !== counterCode) throw new NotFoundError('reservation-not-at-counter', 'errors.404.message');
    return reservation;
  }

  /** What the reservation page shows: the reservation (IDs masked), its decision, its card, and the decision form's choices. */
  async page(reservation: CardReservation, lang: Lang) {
    const view = await this.presenter.page(reservation, lang);
    const byAgent = reservation.agentName !== null;
    const card = reservation.status === 'issued' ? await this.repository.cardOf(reservation.id) : null;
    const checked = (reservation.documentsChecked ?? '').split(',').filter((c): c is DocumentCode => (DOCUMENT_CODES as readonly string[]).includes(c));
    return {
      reservation: view,
      version: reservation.version,
      tag: stateTag(reservation.status),
      decidable: reservation.status === 'reserved',
      byAgent,
      documentItems: requiredDocuments(reservation.cardType, byAgent).map((code) => ({ value: code, labelKey: documentLabelKey(reservation.cardType, code) })),
      decisionItems: [
        { value: 'approve', labelKey: 'cards.counter.decision.approve', hintKey: 'cards.counter.decision.approveHint' },
        { value: 'reject', labelKey: 'cards.counter.decision.reject' },
      ],
      decision: reservation.decidedAt
        ? {
            decidedAt: reservation.decidedAt,
            reason: reservation.decisionReason,
            documentKeys: checked.map((code) => documentLabelKey(reservation.cardType, code)),
          }
        : null,
      card: card ? { cardNumber: card.cardNumber, tag: stateTag(card.state), notAfter: card.notAfter } : null,
    };
  }

  /**
   * Approves the reservation and issues its card, in one transaction (CardIssuanceService): the
   * reservation goes reserved → approved → issued, or stays reserved when anything fails.
   * Someone else's decision first (or a stale form) is ConflictError 'card-changed'.
   */
  async approve(principal: Principal, reservation: CardReservation, input: DecisionInput): Promise<IssuedCard> {
    const row = this.current(principal, reservation, input);
    return this.issuance.issue(async (manager) => {
      await this.lifecycle.moveReservation(manager, {
        row,
        event: 'approve',
        set: { decidedAt: new Date(), decidedBy: this.decidedBy(principal), decisionReason: null, documentsChecked: input.documents.join(',') },
        summary: { counter: reservation.counterCode, documents: input.documents },
      });
      return this.repository.reservationIn(manager, reservation.id);
    });
  }

  /** Rejects the reservation with the reason; the applicant is told by e-mail when they gave an address. */
  async reject(principal: Principal, reservation: CardReservation, input: DecisionInput): Promise<void> {
    const row = this.current(principal, reservation, input);
    await this.dataSource.transaction(async (manager) => {
      await this.lifecycle.moveReservation(manager, {
        row,
        event: 'reject',
        set: { decidedAt: new Date(), decidedBy: this.decidedBy(principal), decisionReason: input.reason, documentsChecked: input.documents.join(',') || null },
        summary: { counter: reservation.counterCode, documents: input.documents, reason: input.reason },
      });
      if (reservation.email) await this.notifications.sendEmail(manager, { to: reservation.email, template: 'cards.reservation-rejected', ...(await this.rejectionEmail(reservation, input.reason)) });
    });
  }

  /**
   * A decision form is for a reservation still undecided, at the version the form was rendered
   * from (`version` null: whatever version it is now); otherwise ConflictError 'card-changed'.
   */
  assertUndecided(reservation: CardReservation, version: number | null): void {
    if (reservation.status !== 'reserved' || (version !== null && version !== reservation.version)) {
      throw new ConflictError('card-changed', 'cards.errors.changedMeanwhile');
    }
  }

  /** The row to move: the reservation as the form saw it. */
  private current(principal: Principal, reservation: CardReservation, input: DecisionInput): CardReservation {
    if (reservation.counterCode !== this.counterCodeOf(principal)) throw new NotFoundError('reservation-not-at-counter', 'errors.404.message');
    this.assertUndecided(reservation, input.version);
    return { ...reservation, version: input.version ?? reservation.version };
  }

  /** decided_by: the staff account (its id), as the audit row's actor has it too. */
  private decidedBy(principal: Principal): string {
    return `${principal.kind}:${principal.id}`;
  }

  private async rejectionEmail(reservation: CardReservation, reason: string): Promise<{ subject: string; text: string }> {
    const lang = reservation.lang;
    const t = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);
    const counter = await this.reservations.counterOf(reservation);
    const cardType = t(`cards.type.${reservation.cardType}`);
    return {
      subject: t('cards.counter.email.rejected.subject', { cardType, reference: reservation.reference }),
      text: t('cards.counter.email.rejected.body', {
        name: reservation.applicantName,
        cardType,
        reference: reservation.reference,
        counter: counter ? counterView(counter, lang).name : reservation.counterCode,
        reason,
        reserveUrl: `${this.config.publicOrigin}/cards/reserve/${reservation.cardType}`,
      }),
    };
  }
}
