// The online reservation journey as pages (預約申請): which step a visitor may see, what the
// session's draft holds between steps, and which reservations the session may open. The rules
// (the registry, the counters on offer, the date, recording the reservation) are the service's;
// this is the page flow around them, one method per route.
import { Injectable } from '@nestjs/common';
import type { Attempter } from '../../../common/access/current-principal.decorator';
import { FormValidationError, type FieldError } from '../../../common/errors/domain-error';
import { textField } from '../../../common/forms';
import { formatDay } from '../../../common/i18n/dates';
import type { Lang } from '../../../common/i18n/i18n';
import { pageOf, redirectTo, type Step } from '../../../common/web/step';
import { cardsError } from '../cards.errors';
import { isReservationCardType, type CardReservation, type ReservationCardType } from '../lifecycle/card-reservation.entity';
import { normalizeReference } from '../lifecycle/reference-number';
import { applicantForm, applicantPerson, hasUserCode, MAX_SESSION_REFERENCES, type CardReservationSession, type ReservationDetails, type ReservationDraft } from '../lifecycle/reservation-draft';
import { agentChoiceOf, CardReservationService, type CounterChoice, type DetailsCheck } from './card-reservation.service';
import { ReservationPresenter } from './reservation-presenter';
import { categoryOptions, documentKeys, NEED_KEYS } from './reservation-view';

/** The card type of a URL, or 404. */
export function cardTypeOf(value: string): ReservationCardType {
  if (!isReservationCardType(value)) throw cardsError.notFound('card-type-unknown');
  return value;
}

const base = (type: ReservationCardType) => `/cards/reserve/${type}`;

/** What every page of the journey shows: the card type and the service's name as the caption. */
function common(type: ReservationCardType) {
  return { cardType: type, serviceKey: `cards.reserve.${type}.title`, base: base(type) };
}

function termsContext(type: ReservationCardType) {
  return { ...common(type), backHref: base(type), agreeItems: [{ value: 'yes', labelKey: 'cards.terms.agreeLabel' }] };
}

/** The radio to check for a counter date: the offered day itself, 'later' for another day, nothing when none. */
function dayChoice(counterDate: string | undefined, dayItems: Array<{ value: string }>): string {
  if (!counterDate) return '';
  return dayItems.some((d) => d.value === counterDate) ? counterDate : 'later';
}

/** Remembers that this session may see a reservation (made here, or found with the ID and number). */
function remember(session: CardReservationSession, reference: string): void {
  session.references = [...(session.references ?? []).filter((r) => r !== reference), reference].slice(-MAX_SESSION_REFERENCES);
}

@Injectable()
export class ReservationFlow {
  constructor(
    private readonly reservations: CardReservationService,
    private readonly presenter: ReservationPresenter,
  ) {}

  private draftFor(session: CardReservationSession, type: ReservationCardType): ReservationDraft | null {
    const draft = session.draft;
    return draft && draft.cardType === type ? draft : null;
  }

  // ---- instructions and terms -----------------------------------------------------------------

  start(type: ReservationCardType): Step {
    return pageOf('cards/reserve-start', {
      ...common(type),
      titleKey: `cards.reserve.${type}.title`,
      introKey: `cards.start.${type}.intro`,
      whoKey: `cards.start.${type}.who`,
      needKeys: NEED_KEYS[type].concat(['phone', 'email', 'userCode', 'address', 'agent']).map((k) => `cards.start.need.${k}`),
      selfDocumentKeys: documentKeys(type, false),
      agentDocumentKeys: documentKeys(type, true),
    });
  }

  terms(session: CardReservationSession, type: ReservationCardType): Step {
    return pageOf('cards/reserve-terms', { ...termsContext(type), titleKey: 'cards.terms.title', values: { agree: this.draftFor(session, type) ? 'yes' : '' } });
  }

  agree(session: CardReservationSession, type: ReservationCardType, body: unknown): Step {
    if (textField(body, 'agree') !== 'yes') {
      throw new FormValidationError('cards/reserve-terms', 'cards.terms.title', [{ field: 'agree', messageKey: 'cards.errors.agree' }], {}, termsContext(type));
    }
    session.draft = { ...(this.draftFor(session, type) ?? { cardType: type }), agreedAt: Date.now() };
    return redirectTo(`${base(type)}/applicant`);
  }

  // ---- the applicant --------------------------------------------------------------------------

  private applicantContext(type: ReservationCardType, lang: Lang) {
    return { ...common(type), backHref: `${base(type)}/terms`, headingKey: `cards.applicant.${type}.title`, categoryItems: type === 'personnel' ? categoryOptions(lang) : [] };
  }

  private applicantError(type: ReservationCardType, lang: Lang, errors: FieldError[], values: Record<string, string>) {
    return new FormValidationError('cards/reserve-applicant', `cards.applicant.${type}.title`, errors, values, this.applicantContext(type, lang));
  }

  applicant(session: CardReservationSession, type: ReservationCardType, lang: Lang): Step {
    const draft = this.draftFor(session, type);
    if (!draft) return redirectTo(`${base(type)}/terms`);
    const values = draft.applicant ? applicantForm(draft.applicant) : {};
    return pageOf('cards/reserve-applicant', { ...this.applicantContext(type, lang), titleKey: `cards.applicant.${type}.title`, values });
  }

  async submitApplicant(session: CardReservationSession, type: ReservationCardType, body: unknown, attempter: Attempter, lang: Lang): Promise<Step> {
    const draft = this.draftFor(session, type);
    if (!draft) return redirectTo(`${base(type)}/terms`);
    const check = await this.reservations.checkApplicant(type, body as Record<string, unknown>, attempter);
    if (!check.applicant) throw this.applicantError(type, lang, check.errors, check.values);
    if (JSON.stringify(check.applicant) !== JSON.stringify(draft.applicant)) {
      // Someone else, or another institution: the counters on offer may differ, so check the details again.
      draft.applicant = check.applicant;
      draft.detailsComplete = false;
    }
    return redirectTo(`${base(type)}/details`);
  }

  // ---- counter, date, contact, agent, user code, address --------------------------------------

  private async detailsContext(type: ReservationCardType, lang: Lang, draft: ReservationDraft, choice: CounterChoice, calendar: DetailsCheck['calendar']) {
    return { ...common(type), backHref: `${base(type)}/applicant`, ...(await this.presenter.detailsPage(draft.applicant!, choice, calendar, hasUserCode(draft), lang)) };
  }

  private async detailsError(type: ReservationCardType, lang: Lang, draft: ReservationDraft, check: DetailsCheck, errors: FieldError[]) {
    const context = await this.detailsContext(type, lang, draft, check.choice, check.calendar);
    return new FormValidationError('cards/reserve-details', 'cards.details.title', errors, { ...check.details, agent: check.by, counterDay: dayChoice(check.details.counterDate, context.dayItems), county: check.details.county || check.choice.countyCode || '' }, context);
  }

  /** `county` (the "update list" button, or htmx on choosing a county) shows that county's counters without changing the draft. */
  async details(session: CardReservationSession, type: ReservationCardType, county: string, lang: Lang): Promise<Step> {
    const draft = this.draftFor(session, type);
    if (!draft?.applicant) return redirectTo(`${base(type)}/${draft ? 'applicant' : 'terms'}`);
    const values: Partial<ReservationDetails> & { agent?: string } = { ...draft.details, ...(county ? { county } : {}) };
    // a saved draft has answered who goes: an agent if one was given, otherwise the applicant
    if (draft.details) values.agent = agentChoiceOf('', { agentName: draft.details.agentName ?? '', agentNationalId: draft.details.agentNationalId ?? '' }) || 'self';
    const choice = await this.reservations.counterChoice(draft.applicant, values.county || undefined);
    values.county = choice.countyCode ?? '';
    const calendar = await this.reservations.calendar();
    const page = await this.detailsContext(type, lang, draft, choice, calendar);
    return pageOf('cards/reserve-details', { ...page, titleKey: 'cards.details.title', values: { ...values, counterDay: dayChoice(values.counterDate, page.dayItems) } });
  }

  async saveDetails(session: CardReservationSession, type: ReservationCardType, body: unknown, attempter: Attempter, lang: Lang): Promise<Step> {
    const draft = this.draftFor(session, type);
    if (!draft?.applicant) return redirectTo(`${base(type)}/${draft ? 'applicant' : 'terms'}`);
    await this.reservations.countDetailsSave(attempter);
    const check = await this.reservations.checkDetails(draft.applicant, body as Record<string, unknown>, hasUserCode(draft));
    if (check.newUserCode) {
      draft.userCodeSealed = this.reservations.sealUserCode(check.newUserCode);
      delete draft.userCodeHash;
    }
    draft.details = check.details;
    draft.detailsComplete = check.errors.length === 0;
    // On bad input the session still keeps what was typed (and a valid user code, sealed) for the next try.
    if (check.errors.length) throw await this.detailsError(type, lang, draft, check, check.errors);
    return redirectTo(`${base(type)}/check`);
  }

  // ---- check your answers and submit ----------------------------------------------------------

  private ready(draft: ReservationDraft | null): draft is ReservationDraft & Required<Pick<ReservationDraft, 'applicant' | 'details'>> {
    return !!draft?.applicant && !!draft.details && !!draft.detailsComplete && hasUserCode(draft);
  }

  async check(session: CardReservationSession, type: ReservationCardType, lang: Lang): Promise<Step> {
    const draft = this.draftFor(session, type);
    if (!this.ready(draft)) return redirectTo(`${base(type)}/${draft?.applicant ? 'details' : draft ? 'applicant' : 'terms'}`);
    // the same applicant already has a reservation of this type not yet dealt with: say so, and offer the lookup
    const pending = (await this.reservations.pendingFor(applicantPerson(draft.applicant).nationalId)).filter((r) => r.cardType === type);
    return pageOf('cards/reserve-check', {
      ...common(type),
      titleKey: 'cards.check.title',
      pending: pending.length ? { count: pending.length, date: formatDay(pending[0].counterDate, lang) } : null,
      applicantHeadingKey: `cards.check.applicantHeading.${type}`,
      backHref: `${base(type)}/details`,
      ...(await this.presenter.draftAnswers(draft, base(type), lang)),
    });
  }

  async submit(session: CardReservationSession, type: ReservationCardType, attempter: Attempter, lang: Lang): Promise<Step> {
    const draft = this.draftFor(session, type);
    if (!this.ready(draft)) return redirectTo(`${base(type)}/check`);
    const result = await this.reservations.create(draft, lang, attempter);
    if (result.reference === null) {
      draft.detailsComplete = false;
      if (result.step === 'applicant') throw this.applicantError(type, lang, result.errors, applicantForm(draft.applicant));
      const check = await this.reservations.checkDetails(draft.applicant, draft.details as Record<string, unknown>, true);
      throw await this.detailsError(type, lang, draft, check, result.errors.length ? result.errors : check.errors);
    }
    delete session.draft;
    remember(session, result.reference);
    return redirectTo(`/cards/reservations/${result.reference}/confirmation`);
  }

  // ---- after: confirmation, lookup, the printable form ----------------------------------------

  /**
   * A reservation this session may see: made here, or found with the national ID and the
   * reservation number; null for any other, whether the number exists or not.
   */
  async accessible(session: CardReservationSession | undefined, referenceParam: string): Promise<CardReservation | null> {
    const reference = normalizeReference(referenceParam);
    const allowed = !!reference && (session?.references ?? []).includes(reference);
    return allowed ? await this.reservations.findByReference(reference) : null;
  }

  /**
   * The way back when this session may not see the reservation (the session ended, or another
   * browser): the lookup, with the number filled in and a note saying why. The same for every
   * number, so it tells nothing about which exist.
   */
  lookupAgain(referenceParam: string): Step {
    const reference = normalizeReference(referenceParam);
    return redirectTo(`/cards/lookup?again=1${reference ? `&reference=${reference}` : ''}`);
  }

  /** The lookup form; `reference` and `again` come from lookupAgain. */
  lookupForm(query: unknown): Step {
    const reference = normalizeReference(textField(query, 'reference')) ?? '';
    return pageOf('cards/lookup', { titleKey: 'cards.lookup.title', again: textField(query, 'again') === '1', values: { reference } });
  }

  async confirmation(session: CardReservationSession | undefined, reference: string, lang: Lang): Promise<Step> {
    const reservation = await this.accessible(session, reference);
    if (!reservation) return this.lookupAgain(reference);
    return pageOf('cards/reservation-confirmation', { titleKey: 'cards.confirmation.title', reservation: await this.presenter.page(reservation, lang) });
  }

  async show(session: CardReservationSession | undefined, reference: string, lang: Lang): Promise<Step> {
    const reservation = await this.accessible(session, reference);
    if (!reservation) return this.lookupAgain(reference);
    return pageOf('cards/reservation', { titleKey: 'cards.reservation.title', backHref: '/cards/lookup', reservation: await this.presenter.page(reservation, lang) });
  }

  async lookup(session: CardReservationSession, body: unknown, attempter: Attempter): Promise<Step> {
    const result = await this.reservations.lookup(body as Record<string, unknown>, attempter);
    if (!result.reference) throw new FormValidationError('cards/lookup', 'cards.lookup.title', result.errors, { nationalId: result.values.nationalId, reference: result.values.reference });
    remember(session, result.reference);
    return redirectTo(`/cards/reservations/${result.reference}`);
  }
}
