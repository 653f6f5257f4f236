import { Inject, Injectable } from '@nestjs/common';
import { visibleTo } from '../../../common/access/access-policy';
import type { Principal } from '../../../common/context/request-context';
import type { FieldError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { maskNationalId, validateNationalId } from '../../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { Database } from '../../../core/database';
import { AuditService } from '../../audit';
import { NotificationsService } from '../../notifications';
import { ReferenceService } from '../../reference';
import { cardsError } from '../cards.errors';
import { CardIssuanceService, type IssuedCard } from '../issuance/card-issuance.service';
import { CardLifecycle } from '../lifecycle/card-lifecycle.service';
import type { CardReservation } from '../lifecycle/card-reservation.entity';
import type { CardState } from '../lifecycle/card-state';
import { CardRepository } from '../lifecycle/card.repository';
import { taipeiDay } from '../lifecycle/counter-date';
import { normalizeReference } from '../lifecycle/reference-number';
import { ReservationRepository } from '../lifecycle/reservation.repository';
import { CardReservationService } from '../reservation/card-reservation.service';
import { ReservationPresenter } from '../reservation/reservation-presenter';
import { formatDay, parseDayInput } from '../../../common/i18n/dates';
import { counterView } from '../reservation/reservation-view';
import { checkDecision, DOCUMENT_CODES, documentLabelKey, requiredDocuments, type DecisionInput, type DocumentCode } from './counter-decision';

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
  /** The applicant has more than one pending reservation at this counter. */
  duplicate: boolean;
}

/** What a decision came to: the form again with its errors, a rejection, or an issued card. */
export type DecisionOutcome =
  | { outcome: 'invalid'; errors: FieldError[]; values: Record<string, unknown>; page: Awaited<ReturnType<CounterService['page']>> }
  | { outcome: 'rejected'; reference: string }
  | { outcome: 'issued'; reference: string; issued: IssuedCard };

/** Whose a reservation is, for record-level access: the counter it was made at. */
const ownerOf = (reservation: CardReservation) => ({ counterCode: reservation.counterCode });

export interface CounterList {
  counterName: string;
  rows: CounterListRow[];
  total: number;
  page: number;
  pages: number;
  /** A malformed day filter: the list page's form error. */
  errors: FieldError[];
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: Database,
    private readonly reservationRows: ReservationRepository,
    private readonly cards: CardRepository,
    private readonly lifecycle: CardLifecycle,
    private readonly issuance: CardIssuanceService,
    private readonly reservations: CardReservationService,
    private readonly reference: ReferenceService,
    private readonly notifications: NotificationsService,
    private readonly presenter: ReservationPresenter,
    private readonly audit: AuditService,
  ) {}

  /** The staff member's counter; counter staff without one (a misconfigured account) may do nothing. */
  counterCodeOf(principal: Principal): string {
    if (!principal.counterCode) throw cardsError.forbidden('counter-staff-without-counter', 'errors.403.message');
    return principal.counterCode;
  }

  async counterName(code: string, lang: Lang): Promise<string> {
    const counter = await this.reference.counter(code);
    return counter?.active ? counterView(counter, lang).name : code;
  }

  /**
   * The counter's reservations of `day`, or of today (Taiwan) and later, soonest first; or, with
   * `q`, the one reservation number or the one applicant (national ID) searched for, any day.
   * Applicants with more than one pending reservation here are flagged.
   */
  async list(principal: Principal, filter: { day: string | null; q?: string | null; page: number }, lang: Lang): Promise<CounterList> {
    const counterCode = this.counterCodeOf(principal);
    const invalid = async (field: string, messageKey: string): Promise<CounterList> => ({ counterName: await this.counterName(counterCode, lang), rows: [], total: 0, page: 1, pages: 1, errors: [{ field, messageKey }] });
    const day = filter.day ? parseDayInput(filter.day) : null;
    if (filter.day && !day) return invalid('date', 'cards.counter.errors.date');
    const q = (filter.q ?? '').trim();
    const reference = q ? normalizeReference(q) : null;
    const id = q && !reference ? validateNationalId(q.toUpperCase()) : null;
    if (q && !reference && !id?.ok) return invalid('q', 'cards.counter.errors.search');
    const nationalIdIndex = id?.ok ? this.reservations.nationalIdIndex(id.value) : null;
    const today = taipeiDay();
    const { rows, total } = await this.reservationRows.atCounter({ counterCode, day, from: today, reference, nationalIdIndex, page: filter.page, pageSize: COUNTER_PAGE_SIZE });
    const pendingCounts = await this.reservationRows.pendingCountsAt(counterCode, [...new Set(rows.map((r) => r.nationalIdIndex))], today);
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
        duplicate: r.status === 'reserved' && (pendingCounts.get(r.nationalIdIndex) ?? 0) > 1,
      })),
      total,
      page: filter.page,
      pages: Math.max(1, Math.ceil(total / COUNTER_PAGE_SIZE)),
      errors: [],
    };
  }

  /** A reservation at the staff member's counter; any other (or none) is NotFoundError. */
  async reservationAt(principal: Principal, referenceParam: string): Promise<CardReservation> {
    this.counterCodeOf(principal);
    const reference = normalizeReference(referenceParam);
    return visibleTo(principal, reference ? await this.reservationRows.findByReference(reference) : null, ownerOf, 'reservation-not-at-counter');
  }

  /**
   * The counter's decision on a reservation (seed 000): the documents seen, approve (the card is
   * issued at once) or reject with a reason. Decided meanwhile (or a stale form) is the 409 page,
   * whatever the form says; bad input is the form again.
   */
  async decide(principal: Principal, referenceParam: string, body: unknown, lang: Lang): Promise<DecisionOutcome> {
    const reservation = await this.reservationAt(principal, referenceParam);
    const check = checkDecision(body, reservation.cardType, reservation.agentName !== null, lang);
    this.assertUndecided(reservation, check.input.version);
    if (check.errors.length) return { outcome: 'invalid', errors: check.errors, values: check.values, page: await this.page(reservation, lang) };
    if (check.input.decision === 'reject') {
      await this.reject(principal, reservation, check.input);
      return { outcome: 'rejected', reference: reservation.reference };
    }
    return { outcome: 'issued', reference: reservation.reference, issued: await this.approve(principal, reservation, check.input) };
  }

  /**
   * The reservation page with the national IDs in full, for the clerk to compare with the ID
   * cards in front of them: an explicit request, audited (who, when, which reservation).
   */
  async pageWithFullIds(principal: Principal, referenceParam: string, lang: Lang) {
    const reservation = await this.reservationAt(principal, referenceParam);
    await this.audit.recordAlone({ action: 'card.reservation.national-id-shown', targetType: 'card_reservation', targetId: reservation.reference, summary: { counter: reservation.counterCode } });
    return this.page(reservation, lang, true);
  }

  /** What the reservation page shows: the reservation (IDs masked unless `fullIds`), its decision, its card, and the decision form's choices. */
  async page(reservation: CardReservation, lang: Lang, fullIds = false) {
    const view = await this.presenter.page(reservation, lang, fullIds);
    const others = (await this.reservationRows.pendingOf(reservation.nationalIdIndex, taipeiDay(), reservation.counterCode)).filter((r) => r.id !== reservation.id);
    const byAgent = reservation.agentName !== null;
    const card = reservation.status === 'issued' ? await this.cards.forReservation(reservation.id) : null;
    const checked = (reservation.documentsChecked ?? '').split(',').filter((c): c is DocumentCode => (DOCUMENT_CODES as readonly string[]).includes(c));
    return {
      reservation: view,
      version: reservation.version,
      tag: stateTag(reservation.status),
      decidable: reservation.status === 'reserved',
      byAgent,
      fullIds,
      duplicates: others.map((r) => ({ reference: r.reference, href: `/counter/reservations/${r.reference}`, day: formatDay(r.counterDate, lang) })),
      documentItems: requiredDocuments(reservation.cardType, byAgent).map((code) => ({ value: code, labelKey: documentLabelKey(reservation.cardType, code) })),
      decisionItems: [
        { value: 'approve', labelKey: 'cards.counter.decision.approve', hintKey: 'cards.counter.decision.approveHint' },
        { value: 'reject', labelKey: 'cards.counter.decision.reject', conditional: 'cards/reject-reason' },
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
  private async approve(principal: Principal, reservation: CardReservation, input: DecisionInput): Promise<IssuedCard> {
    const row = this.current(principal, reservation, input);
    return this.issuance.issue(async (manager) => {
      await this.lifecycle.moveReservation(manager, {
        row,
        event: 'approve',
        set: { decidedAt: new Date(), decidedBy: this.decidedBy(principal), decisionReason: null, documentsChecked: input.documents.join(',') },
        summary: { counter: reservation.counterCode, documents: input.documents },
      });
      return this.reservationRows.inTransaction(manager, reservation.id);
    });
  }

  /** Rejects the reservation with the reason; the applicant is told by e-mail when they gave an address. */
  private async reject(principal: Principal, reservation: CardReservation, input: DecisionInput): Promise<void> {
    const row = this.current(principal, reservation, input);
    await this.database.transaction(async (manager) => {
      await this.lifecycle.moveReservation(manager, {
        row,
        event: 'reject',
        set: { decidedAt: new Date(), decidedBy: this.decidedBy(principal), decisionReason: input.reason, documentsChecked: input.documents.join(',') || null },
        summary: { counter: reservation.counterCode, documents: input.documents, reason: input.reason },
      });
      if (reservation.email) {
        await this.notifications.notify(manager, { to: reservation.email, template: 'cards.reservation-rejected', lang: reservation.lang, params: await this.rejectionParams(reservation, input.reason) });
      }
    });
  }

  /**
   * A decision form is for a reservation still undecided, at the version the form was rendered
   * from (`version` null: whatever version it is now); otherwise ConflictError 'card-changed'.
   */
  assertUndecided(reservation: CardReservation, version: number | null): void {
    if (reservation.status !== 'reserved' || (version !== null && version !== reservation.version)) {
      throw cardsError.conflict('card-changed', 'cards.errors.changedMeanwhile');
    }
  }

  /** The row to move: the reservation as the form saw it. */
  private current(principal: Principal, reservation: CardReservation, input: DecisionInput): CardReservation {
    visibleTo(principal, reservation, ownerOf, 'reservation-not-at-counter');
    this.assertUndecided(reservation, input.version);
    return { ...reservation, version: input.version ?? reservation.version };
  }

  /** decided_by: the staff account (its id), as the audit row's actor has it too. */
  private decidedBy(principal: Principal): string {
    return `${principal.kind}:${principal.id}`;
  }

  private async rejectionParams(reservation: CardReservation, reason: string): Promise<Record<string, string>> {
    const counter = await this.reservations.counterOf(reservation);
    return {
      name: reservation.applicantName,
      cardType: translate(reservation.lang, `cards.type.${reservation.cardType}`),
      reference: reservation.reference,
      counter: counter ? counterView(counter, reservation.lang).name : reservation.counterCode,
      reason,
      reserveUrl: `${this.config.publicOrigin}/cards/reserve/${reservation.cardType}`,
    };
  }
}
