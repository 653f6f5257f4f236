import { Injectable } from '@nestjs/common';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { maskNationalId } from '../../../common/identifiers';
import { ReferenceService } from '../../reference';
import type { ApplicationPdfData } from './application-pdf';
import type { CardReservation } from '../lifecycle/card-reservation.entity';
import { CardReservationService, type CounterChoice } from './card-reservation.service';
import { firstBookableDay, lastBookableDay, openDays, taipeiDay, type CounterCalendar } from '../lifecycle/counter-date';

/** How many open days the details step offers as choices (about three weeks). */
const DAYS_OFFERED = 15;
import { applicantPerson, type ReservationApplicant, type ReservationDetails, type ReservationDraft } from '../lifecycle/reservation-draft';
import { formatDay } from '../../../common/i18n/dates';
import { categoryText, counterView, documentKeys, progressSteps, type CounterView, type ProgressStep } from './reservation-view';

/** A summary-list row (views/partials/summary-list.hbs). */
export interface SummaryRow {
  keyKey: string;
  value?: string;
  valueKey?: string;
  lines?: string[];
  /** The "change" link back to the question. */
  href?: string;
}

export interface ReservationPage {
  reference: string;
  cardType: CardReservation['cardType'];
  /** The service's name (醫事機構附卡預約申請 …), shown above the confirmation. */
  serviceKey: string;
  status: CardReservation['status'];
  statusText: string;
  steps: ProgressStep[];
  counter: CounterView | null;
  counterDate: string;
  email: string | null;
  byAgent: boolean;
  documentKeys: string[];
  applicantRows: SummaryRow[];
  appointmentRows: SummaryRow[];
  pdfHref: string;
  /** The same form shown in the browser rather than downloaded. */
  pdfOpenHref: string;
  detailsHref: string;
}

/** A fact about an institution, attached-card or test-card applicant: label key, value, and the form field it answers (for the "change" link). */
type Fact = [keyKey: string, value: string, field: string | null];

/** The applicant rows of a card type other than personnel, in order (`nationalId` as it is to be shown). */
function organisationFacts(
  cardType: Exclude<CardReservation['cardType'], 'personnel'>,
  x: { institutionCode: string; institutionName: string; organisationName: string; businessNumber: string; name: string; nationalId: string; cardCount: number | null; purpose: string },
): Fact[] {
  const request: Fact[] = [
    ['cards.field.cardCount', String(x.cardCount ?? ''), 'cardCount'],
    ['cards.field.purpose', x.purpose, 'purpose'],
  ];
  if (cardType === 'test') {
    return [
      ['cards.field.organisationName', x.organisationName, 'organisationName'],
      ['cards.field.businessNumber', x.businessNumber, 'businessNumber'],
      ['cards.field.contactName', x.name, 'contactName'],
      ['cards.field.contactNationalId', x.nationalId, 'contactNationalId'],
      ...request,
    ];
  }
  return [
    ['cards.field.institutionCode', x.institutionCode, 'institutionCode'],
    ['cards.field.institutionName', x.institutionName, null],
    ['cards.field.responsibleName', x.name, 'responsibleName'],
    ['cards.field.responsibleNationalId', x.nationalId, 'responsibleNationalId'],
    ...(cardType === 'attached' ? request : []),
  ];
}

/** The stored reservation's answers for organisationFacts. */
function storedFacts(reservation: CardReservation, institutionName: string, nationalId: string) {
  return {
    institutionCode: reservation.institutionCode ?? '',
    institutionName,
    organisationName: reservation.organisationName ?? '',
    businessNumber: reservation.businessNumber ?? '',
    name: reservation.applicantName,
    nationalId,
    cardCount: reservation.cardCount,
    purpose: reservation.purpose ?? '',
  };
}

/** Turns a draft or a stored reservation into what its pages and its printable form show. */
@Injectable()
export class ReservationPresenter {
  constructor(
    private readonly reservations: CardReservationService,
    private readonly reference: ReferenceService,
  ) {}

  /** The details step: the counters on offer (and why), the dates that can be booked, whether a user code is set. */
  async detailsPage(applicant: ReservationApplicant, choice: CounterChoice, calendar: CounterCalendar, userCodeSet: boolean, lang: Lang) {
    const counties = await this.reference.counties();
    const institution = choice.rule === 'own-hospital' ? choice.institution : await this.reservations.institutionOf(applicant);
    const first = firstBookableDay(calendar);
    const last = lastBookableDay(calendar);
    return {
      ownHospital: choice.rule === 'own-hospital',
      institutionName: institution ? (lang === 'en' ? institution.nameEn : institution.nameZh) : '',
      countyItems: counties.map((c) => ({ value: c.code, text: lang === 'en' ? c.nameEn : c.nameZh })),
      counterItems: choice.counters.map((c, i) => {
        const view = counterView(c, lang);
        return { id: i === 0 ? 'counter' : `counter-${i}`, value: c.code, name: view.name, kindKey: view.kindKey, hintParts: [view.address, view.phone, view.hours] };
      }),
      dateMin: first ?? '',
      dateMax: last,
      dateFirst: first ? formatDay(first, lang) : '',
      dateLast: formatDay(last, lang),
      userCodeSet,
      // the next open days (weekdays the counters are not closed) for the coming three weeks, then any later day
      dayItems: [
        ...openDays(calendar, DAYS_OFFERED).map((day) => ({ value: day, text: formatDay(day, lang) })),
        { value: 'later', labelKey: 'cards.details.laterDay', conditional: 'cards/counter-date-later' },
      ],
      agentItems: [
        { value: 'self', labelKey: 'cards.details.bySelf' },
        { value: 'agent', labelKey: 'cards.details.byAgent', conditional: 'cards/agent-fields' },
      ],
    };
  }

  /**
   * Check your answers: the draft as summary rows, each with its link back to the question (`base`:
   * the journey's path). National IDs in full: the applicant must be able to verify what they
   * typed (docs/ui-conventions.md, "National IDs").
   */
  async draftAnswers(draft: ReservationDraft, base: string, lang: Lang): Promise<{ applicantRows: SummaryRow[]; detailRows: SummaryRow[] }> {
    const a = draft.applicant!;
    const d = draft.details as ReservationDetails;
    const applicantHref = `${base}/applicant`;
    const detailsHref = `${base}/details`;
    const institution = await this.reservations.institutionOf(a);
    const institutionName = institution ? (lang === 'en' ? institution.nameEn : institution.nameZh) : '';
    const applicantRows: SummaryRow[] =
      a.kind === 'personnel'
        ? [
            { keyKey: 'cards.field.nationalId', value: a.nationalId, href: `${applicantHref}#nationalId` },
            { keyKey: 'cards.field.certificate', value: translate(lang, 'cards.certificateText', { category: categoryText(a.categoryCode, lang), number: a.certificateNumber }), href: `${applicantHref}#category` },
            { keyKey: 'cards.field.name', value: a.name, href: `${applicantHref}#name` },
            ...(institutionName ? [{ keyKey: 'cards.field.homeInstitution', value: institutionName }] : []),
          ]
        : organisationFacts(a.kind, { institutionName, organisationName: '', businessNumber: '', institutionCode: '', cardCount: null, purpose: '', ...a, ...applicantPerson(a) }).map(
            ([keyKey, value, field]) => ({ keyKey, value, ...(field ? { href: `${applicantHref}#${field}` } : {}) }),
          );
    const choice = await this.reservations.counterChoice(a, d.county || undefined);
    const counter = choice.counters.find((c) => c.code === d.counter);
    const place = counter ? counterView(counter, lang) : null;
    const detailRows: SummaryRow[] = [
      { keyKey: 'cards.field.counter', lines: place ? [place.name, place.address, place.phone, place.hours] : [d.counter], href: `${detailsHref}#counter` },
      { keyKey: 'cards.field.counterDate', value: formatDay(d.counterDate, lang), href: `${detailsHref}#counterDate` },
      { keyKey: 'cards.field.phone', value: d.phone, href: `${detailsHref}#phone` },
      d.email ? { keyKey: 'cards.field.email', value: d.email, href: `${detailsHref}#email` } : { keyKey: 'cards.field.email', valueKey: 'cards.notGiven', href: `${detailsHref}#email` },
      d.agentName
        ? { keyKey: 'cards.field.agent', lines: [d.agentName, d.agentNationalId], href: `${detailsHref}#agentName` }
        : { keyKey: 'cards.field.agent', valueKey: 'cards.noAgent', href: `${detailsHref}#agentName` },
      { keyKey: 'cards.field.userCode', valueKey: 'cards.check.userCodeSet', href: `${detailsHref}#userCode` },
      { keyKey: 'cards.field.mailingAddress', value: d.mailingAddress, href: `${detailsHref}#mailingAddress` },
    ];
    return { applicantRows, detailRows };
  }

  /**
   * A stored reservation's page. National IDs are masked, unless `fullIds` (the counter's page
   * after an explicit, audited "show": the clerk compares them with the ID cards).
   */
  async page(reservation: CardReservation, lang: Lang, fullIds = false): Promise<ReservationPage> {
    const shown = (id: string) => (fullIds ? id : maskNationalId(id));
    const [counter, institution] = await Promise.all([this.reservations.counterOf(reservation), reservation.institutionCode ? this.reference.institution(reservation.institutionCode) : null]);
    const place = counter ? counterView(counter, lang) : null;
    const maskedId = shown(this.reservations.revealNationalId(reservation));
    const agentId = this.reservations.revealAgentNationalId(reservation);
    const institutionName = institution ? (lang === 'en' ? institution.nameEn : institution.nameZh) : '';
    const counterDate = formatDay(reservation.counterDate, lang);
    const applicantRows: SummaryRow[] =
      reservation.cardType === 'personnel'
        ? [
            { keyKey: 'cards.field.nationalId', value: maskedId },
            { keyKey: 'cards.field.name', value: reservation.applicantName },
            { keyKey: 'cards.field.certificate', value: translate(lang, 'cards.certificateText', { category: categoryText(reservation.categoryCode ?? '', lang), number: reservation.certificateNumber ?? '' }) },
            ...(institutionName ? [{ keyKey: 'cards.field.homeInstitution', value: institutionName }] : []),
          ]
        : organisationFacts(reservation.cardType, storedFacts(reservation, institutionName, maskedId)).map(([keyKey, value]) => ({ keyKey, value }));
    const appointmentRows: SummaryRow[] = [
      { keyKey: 'cards.field.counter', lines: place ? [place.name, place.address, place.phone, place.hours] : [reservation.counterCode] },
      { keyKey: 'cards.field.counterDate', value: counterDate },
      { keyKey: 'cards.field.phone', value: reservation.phone },
      reservation.email ? { keyKey: 'cards.field.email', value: reservation.email } : { keyKey: 'cards.field.email', valueKey: 'cards.notGiven' },
      reservation.agentName && agentId
        ? { keyKey: 'cards.field.agent', lines: [reservation.agentName, shown(agentId)] }
        : { keyKey: 'cards.field.agent', valueKey: 'cards.noAgent' },
      { keyKey: 'cards.field.mailingAddress', value: reservation.mailingAddress },
    ];
    return {
      reference: reservation.reference,
      cardType: reservation.cardType,
      serviceKey: `cards.reserve.${reservation.cardType}.title`,
      status: reservation.status,
      statusText: translate(lang, `cards.status.${reservation.status}`, { date: counterDate, counter: place?.name ?? reservation.counterCode }),
      steps: progressSteps(reservation.status),
      counter: place,
      counterDate,
      email: reservation.email,
      byAgent: reservation.agentName !== null,
      documentKeys: documentKeys(reservation.cardType, reservation.agentName !== null),
      applicantRows,
      appointmentRows,
      pdfHref: `/cards/reservations/${reservation.reference}/application.pdf`,
      pdfOpenHref: `/cards/reservations/${reservation.reference}/application.pdf?open=1`,
      detailsHref: `/cards/reservations/${reservation.reference}`,
    };
  }

  /** The printable form's content, always in zh-TW (see application-pdf.ts for what is masked). */
  async pdfData(reservation: CardReservation): Promise<ApplicationPdfData> {
    const t = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);
    const [counter, institution] = await Promise.all([this.reservations.counterOf(reservation), reservation.institutionCode ? this.reference.institution(reservation.institutionCode) : null]);
    const nationalId = this.reservations.revealNationalId(reservation);
    const agentId = this.reservations.revealAgentNationalId(reservation);
    const contact: Array<[string, string]> = [
      [t('cards.field.phone'), reservation.phone],
      [t('cards.field.email'), reservation.email ?? t('cards.notGiven')],
      [t('cards.field.mailingAddress'), reservation.mailingAddress],
    ];
    const applicantRows: Array<[string, string]> =
      reservation.cardType === 'personnel'
        ? [
            [t('cards.field.nationalId'), nationalId],
            [t('cards.field.name'), reservation.applicantName],
            [t('cards.field.certificate'), t('cards.certificateText', { category: categoryText(reservation.categoryCode ?? '', 'zh-TW'), number: reservation.certificateNumber ?? '' })],
            [t('cards.field.homeInstitution'), institution ? `${institution.nameZh}（${institution.code}）` : t('cards.notGiven')],
            ...contact,
          ]
        : [...organisationFacts(reservation.cardType, storedFacts(reservation, institution?.nameZh ?? '', nationalId)).map(([keyKey, value]): [string, string] => [t(keyKey), value]), ...contact];
    const place = counter ? counterView(counter, 'zh-TW') : null;
    return {
      cardType: reservation.cardType,
      reference: reservation.reference,
      createdDay: formatDay(taipeiDay(reservation.createdAt), 'zh-TW'),
      fileName: `${t(`cards.pdf.title.${reservation.cardType}`)}-${reservation.reference}`,
      applicantRows,
      // the day to go first, under its own label: not to be confused with the day it was reserved (the header's)
      counterRows: [
        [t('cards.pdf.counterDate'), formatDay(reservation.counterDate, 'zh-TW')],
        [t('cards.field.counter'), place ? place.name : reservation.counterCode],
        [t('cards.field.counterAddress'), place ? `${place.address}　${place.phone}` : ''],
        [t('cards.field.counterHours'), place?.hours ?? ''],
      ],
      agentRows:
        reservation.agentName && agentId
          ? [
              [t('cards.field.agentName'), reservation.agentName],
              [t('cards.field.agentNationalId'), maskNationalId(agentId)],
            ]
          : [],
      documents: documentKeys(reservation.cardType, reservation.agentName !== null).map((key) => t(key)),
      stubName: reservation.applicantName,
      stubMaskedId: maskNationalId(nationalId),
    };
  }
}
