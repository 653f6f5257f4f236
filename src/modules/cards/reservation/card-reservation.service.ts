import { Inject, Injectable } from '@nestjs/common';
import type { Attempter } from '../../../common/access/current-principal.decorator';
import { ProtectedIdCodec } from '../../../common/crypto/protected-id';
import type { SecretBox } from '../../../common/crypto/secret-box';
import { hashSecret } from '../../../common/crypto/secret-hash';
import type { FieldError } from '../../../common/errors/domain-error';
import { checkText, secretField, textField } from '../../../common/forms';
import { translate, type Lang } from '../../../common/i18n/i18n';
import {
  isPersonnelCategoryCode,
  maskNationalId,
  validateBusinessNumber,
  validateEmail,
  validateInstitutionCode,
  validateNationalId,
  validatePhone,
  validateProfessionalCertificate,
  validateUserCode,
} from '../../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { Database } from '../../../core/database';
import { RateLimiter, type RatePolicy } from '../../../core/rate-limiter';
import { InjectSecretBox } from '../../../core/secrets';
import { AuditService } from '../../audit';
import { NotificationsService } from '../../notifications';
import { ReferenceService, type Institution, type RegistrationCounter } from '../../reference';
import { cardsError } from '../cards.errors';
import { CardReservation, type ReservationCardType } from '../lifecycle/card-reservation.entity';
import { checkCounterDate, firstBookableDay, lastBookableDay, MAX_DAYS_AHEAD, taipeiDay, type CounterCalendar } from '../lifecycle/counter-date';
import { generateReference, normalizeReference } from '../lifecycle/reference-number';
import { applicantForm, applicantPerson, hasUserCode, type ReservationApplicant, type ReservationDetails, type ReservationDraft } from '../lifecycle/reservation-draft';
import { ReservationRepository } from '../lifecycle/reservation.repository';
import { formatDay } from '../../../common/i18n/dates';
import { counterView, documentKeys } from './reservation-view';

/** Failed lookups, registry checks, user-code and presence checks: 10 per session and 100 per client address in 15 minutes. */
export function attemptPolicy(name: string): RatePolicy<'session' | 'client'> {
  return { name, windowSeconds: 15 * 60, limits: { session: 10, client: 100 } };
}
const REGISTRY_FAILURES = attemptPolicy('cards:registry-failures');
const LOOKUP_FAILURES = attemptPolicy('cards:lookup-failures');
/** Every details POST (failed or not): 30 per session and 600 per client address in 15 minutes. */
const DETAILS_SAVES: RatePolicy<'session' | 'client'> = { name: 'cards:details-saves', windowSeconds: 15 * 60, limits: { session: 30, client: 600 } };

/** The limiter's subject for an attempt: its session and client address. */
export function attemptSubject(attempter: Attempter) {
  return { session: attempter.sessionId, client: attempter.clientIp ?? 'unknown' };
}

const NAME_MAX = 60;
const ADDRESS_MAX = 200;
const ORGANISATION_MAX = 100;
const PURPOSE_MAX = 200;
/** How many attached / test cards one reservation may ask for. */
export const MAX_CARDS: Record<'attached' | 'test', number> = { attached: 5, test: 3 };
const REFERENCE_RETRIES = 5;

/**
 * Which counters an applicant is offered (seed 000): staff of an initial-review hospital
 * (初審註冊櫃檯) apply at that hospital's counter; everyone else at a health bureau or station
 * (衛生局、所), chosen by county.
 */
export type CounterChoice =
  | { rule: 'own-hospital'; institution: Institution; countyCode: string; counters: RegistrationCounter[] }
  | { rule: 'bureaus'; countyCode: string | null; counters: RegistrationCounter[] };

export interface ApplicantCheck {
  applicant: ReservationApplicant | null;
  errors: FieldError[];
  values: Record<string, string>;
}

export interface DetailsCheck {
  details: ReservationDetails;
  errors: FieldError[];
  /** A valid, confirmed new user code, to be hashed (never stored or shown in clear). */
  newUserCode: string | null;
  choice: CounterChoice;
  calendar: CounterCalendar;
  /** Who goes to the counter as answered (本人辦理 / 代理人辦理), for the form's radios; '' when not answered. */
  by: AgentChoice;
}

export type AgentChoice = 'self' | 'agent' | '';

/** Who goes to the counter: the radio's answer, or (a form posted without it) whether an agent was typed. */
export function agentChoiceOf(answer: string, details: Pick<ReservationDetails, 'agentName' | 'agentNationalId'>): AgentChoice {
  if (answer === 'self' || answer === 'agent') return answer;
  return details.agentName || details.agentNationalId ? 'agent' : '';
}

/**
 * A submitted draft: recorded under its reference, or no longer passing (e.g. the date became
 * today overnight, the registry changed): the step to fix and why.
 */
export type CreateResult = { reference: string } | { reference: null; step: 'applicant' | 'details'; errors: FieldError[] };

type Body = Record<string, unknown>;

const text = textField;

/** Names are compared without spaces and in NFKC form (full-width letters, compatibility forms). */
function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');
  return norm(a) === norm(b);
}

/** Attached and test cards: the number of cards (1–max) and what they are for. */
function checkRequest(body: Body, max: number): { cardCount: number | null; errors: FieldError[]; values: { cardCount: string; purpose: string } } {
  const errors: FieldError[] = [];
  const values = { cardCount: text(body, 'cardCount').normalize('NFKC'), purpose: text(body, 'purpose') };
  const count = /^\d{1,2}$/.test(values.cardCount) ? Number(values.cardCount) : NaN;
  if (!values.cardCount) errors.push({ field: 'cardCount', messageKey: 'cards.errors.cardCount.empty', params: { max } });
  else if (!(count >= 1 && count <= max)) errors.push({ field: 'cardCount', messageKey: 'cards.errors.cardCount.range', params: { max } });
  if (!values.purpose) errors.push({ field: 'purpose', messageKey: 'cards.errors.purpose.empty' });
  else checkText(errors, 'purpose', values.purpose, PURPOSE_MAX, 'cards.errors.purpose.tooLong');
  return { cardCount: errors.some((e) => e.field === 'cardCount') ? null : count, errors, values };
}

/**
 * The online card reservation (預約申請): checks the applicant against the professional registry
 * or the institution table, offers the right counters, checks the counter date and the rest of
 * the form, and records the reservation with its audit row and confirmation e-mail in one
 * transaction. Also the lookup (national ID + reference number) behind reprints and progress.
 */
@Injectable()
export class CardReservationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ids: ProtectedIdCodec,
    private readonly database: Database,
    private readonly limiter: RateLimiter,
    private readonly repository: ReservationRepository,
    private readonly reference: ReferenceService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    @InjectSecretBox('reservation-user-code') private readonly userCodeBox: SecretBox,
  ) {}

  // ---- step: the applicant --------------------------------------------------------------------

  /** Checks the applicant step; a registry mismatch counts against the attempt limit. */
  async checkApplicant(cardType: ReservationCardType, body: Body, subject: Attempter): Promise<ApplicantCheck> {
    switch (cardType) {
      case 'personnel':
        return this.checkPersonnel(body, subject);
      case 'institution':
        return this.checkInstitution(body);
      case 'attached':
        return this.checkAttached(body);
      case 'test':
        return this.checkTest(body);
    }
  }

  private async checkPersonnel(body: Body, subject: Attempter): Promise<ApplicantCheck> {
    const errors: FieldError[] = [];
    const values = {
      nationalId: text(body, 'nationalId').toUpperCase(),
      category: text(body, 'category').toUpperCase(),
      certificateNumber: text(body, 'certificateNumber'),
      name: text(body, 'name'),
    };
    const id = validateNationalId(values.nationalId);
    if (!id.ok) errors.push({ field: 'nationalId', messageKey: `cards.errors.nationalId.${id.reason}` });
    const categoryOk = isPersonnelCategoryCode(values.category);
    if (!values.category) errors.push({ field: 'category', messageKey: 'cards.errors.category.empty' });
    else if (!categoryOk) errors.push({ field: 'category', messageKey: 'cards.errors.category.invalid' });
    // The number is checked whatever the category, so both mistakes show at once.
    const certificate = validateProfessionalCertificate(categoryOk ? values.category : 'A', values.certificateNumber);
    if (!values.certificateNumber) errors.push({ field: 'certificateNumber', messageKey: 'cards.errors.certificateNumber.empty' });
    else if (!certificate.ok) errors.push({ field: 'certificateNumber', messageKey: 'cards.errors.certificateNumber.format' });
    if (certificate.ok) values.certificateNumber = certificate.value;
    if (!values.name) errors.push({ field: 'name', messageKey: 'cards.errors.name.empty' });
    else checkText(errors, 'name', values.name, NAME_MAX, 'cards.errors.name.tooLong');
    if (errors.length || !id.ok || !certificate.ok || !categoryOk) return { applicant: null, errors, values };

    if (await this.limiter.blocked(REGISTRY_FAILURES, attemptSubject(subject))) throw cardsError.tooMany('cards-registry-rate-limited', 'cards.errors.rateLimited');
    const person = await this.reference.professionalByNationalId(id.value);
    const matches = !!person && person.categoryCode === certificate.category && person.certificateNumber === certificate.value && sameName(person.nameZh, values.name);
    if (!person || !matches) {
      await this.limiter.record(REGISTRY_FAILURES, attemptSubject(subject));
      // One message for the whole group of four fields (the registry's data is never revealed field
      // by field: saying "the name is wrong" would tell that the ID is a registered professional's).
      return { applicant: null, errors: [{ field: 'registry', messageKey: 'cards.errors.registryMismatch' }], values };
    }
    return {
      applicant: {
        kind: 'personnel',
        nationalId: id.value,
        categoryCode: certificate.category,
        certificateNumber: certificate.value,
        name: person.nameZh,
        professionalId: person.id,
        homeInstitutionCode: person.homeInstitutionCode,
      },
      errors: [],
      values,
    };
  }

  private async checkInstitution(body: Body): Promise<ApplicantCheck> {
    const errors: FieldError[] = [];
    const values = {
      institutionCode: text(body, 'institutionCode').replace(/[\s-]+/g, ''),
      responsibleName: text(body, 'responsibleName'),
      responsibleNationalId: text(body, 'responsibleNationalId').toUpperCase(),
    };
    const code = validateInstitutionCode(values.institutionCode);
    let institution: Institution | null = null;
    if (!code.ok) errors.push({ field: 'institutionCode', messageKey: `cards.errors.institutionCode.${code.reason}` });
    else {
      institution = await this.reference.institution(code.value);
      if (!institution) errors.push({ field: 'institutionCode', messageKey: 'cards.errors.institutionCode.unknown' });
    }
    if (!values.responsibleName) errors.push({ field: 'responsibleName', messageKey: 'cards.errors.responsibleName.empty' });
    else checkText(errors, 'responsibleName', values.responsibleName, NAME_MAX, 'cards.errors.name.tooLong');
    const id = validateNationalId(values.responsibleNationalId);
    if (!id.ok) errors.push({ field: 'responsibleNationalId', messageKey: `cards.errors.nationalId.${id.reason}` });
    if (errors.length || !institution || !id.ok) return { applicant: null, errors, values };
    return {
      applicant: { kind: 'institution', institutionCode: institution.code, responsibleName: values.responsibleName, responsibleNationalId: id.value },
      errors: [],
      values,
    };
  }

  /** Attached cards: the institution card's answers, plus the number of cards and the reason. */
  private async checkAttached(body: Body): Promise<ApplicantCheck> {
    const main = await this.checkInstitution(body);
    const request = checkRequest(body, MAX_CARDS.attached);
    const errors = [...main.errors, ...request.errors];
    const values = { ...main.values, ...request.values };
    if (errors.length || main.applicant?.kind !== 'institution' || request.cardCount === null) return { applicant: null, errors, values };
    return { applicant: { ...main.applicant, kind: 'attached', cardCount: request.cardCount, purpose: request.values.purpose }, errors, values };
  }

  /** Test cards: the organisation (name, business number), its contact person, how many and why. */
  private checkTest(body: Body): ApplicantCheck {
    const errors: FieldError[] = [];
    const values = {
      organisationName: text(body, 'organisationName'),
      businessNumber: text(body, 'businessNumber').replace(/[\s-]+/g, ''),
      contactName: text(body, 'contactName'),
      contactNationalId: text(body, 'contactNationalId').toUpperCase(),
    };
    if (!values.organisationName) errors.push({ field: 'organisationName', messageKey: 'cards.errors.organisationName.empty' });
    else checkText(errors, 'organisationName', values.organisationName, ORGANISATION_MAX, 'cards.errors.organisationName.tooLong');
    const business = validateBusinessNumber(values.businessNumber);
    if (!business.ok) errors.push({ field: 'businessNumber', messageKey: `cards.errors.businessNumber.${business.reason}` });
    if (!values.contactName) errors.push({ field: 'contactName', messageKey: 'cards.errors.contactName.empty' });
    else checkText(errors, 'contactName', values.contactName, NAME_MAX, 'cards.errors.name.tooLong');
    const id = validateNationalId(values.contactNationalId);
    if (!id.ok) errors.push({ field: 'contactNationalId', messageKey: `cards.errors.nationalId.${id.reason}` });
    const request = checkRequest(body, MAX_CARDS.test);
    errors.push(...request.errors);
    const all = { ...values, ...request.values };
    if (errors.length || !business.ok || !id.ok || request.cardCount === null) return { applicant: null, errors, values: all };
    return {
      applicant: { kind: 'test', organisationName: values.organisationName, businessNumber: business.value, contactName: values.contactName, contactNationalId: id.value, cardCount: request.cardCount, purpose: request.values.purpose },
      errors: [],
      values: all,
    };
  }

  /** The institution behind the applicant: the institution (attached) card's, or the person's home institution; none for test cards. */
  async institutionOf(applicant: ReservationApplicant): Promise<Institution | null> {
    const code = applicant.kind === 'personnel' ? applicant.homeInstitutionCode : applicant.kind === 'test' ? null : applicant.institutionCode;
    return code ? this.reference.institution(code) : null;
  }

  // ---- step: counter, date and the rest -------------------------------------------------------

  /**
   * The counters offered to this applicant. `countyCode` picks the county of bureaus and
   * stations (default: the county of the applicant's institution); it is ignored for staff of an
   * initial-review hospital, who are offered their hospital's counter. Test cards: only the
   * health bureau of the chosen county.
   */
  async counterChoice(applicant: ReservationApplicant, countyCode?: string): Promise<CounterChoice> {
    const institution = await this.institutionOf(applicant);
    if (institution?.isInitialReviewCounter) {
      const own = (await this.reference.searchCounters({ countyCode: institution.countyCode, kind: 'hospital' })).filter((c) => c.institutionCode === institution.code);
      if (own.length) return { rule: 'own-hospital', institution, countyCode: institution.countyCode, counters: own };
    }
    const wanted = countyCode && (await this.reference.countyExists(countyCode)) ? countyCode : (institution?.countyCode ?? null);
    const kind = applicant.kind === 'test' ? 'health_bureau' : undefined;
    const counters = wanted ? (await this.reference.searchCounters({ countyCode: wanted, kind })).filter((c) => c.kind !== 'hospital') : [];
    return { rule: 'bureaus', countyCode: wanted, counters };
  }

  /** Today (Taiwan) and the closed weekdays in the bookable range. */
  async calendar(now: Date = new Date()): Promise<CounterCalendar> {
    const today = taipeiDay(now);
    const last = lastBookableDay({ today, closedDays: new Set() });
    return { today, closedDays: new Set(await this.repository.closedDaysBetween(today, last)), maxDaysAhead: MAX_DAYS_AHEAD };
  }

  /**
   * Checks the details step. `hasUserCode`: a user code was already set in this draft, so both
   * user-code fields may be left empty to keep it.
   */
  async checkDetails(applicant: ReservationApplicant, body: Body, hasUserCode: boolean): Promise<DetailsCheck> {
    const errors: FieldError[] = [];
    const details: ReservationDetails = {
      county: text(body, 'county'),
      counter: text(body, 'counter'),
      // one of the offered days (a radio), or a later day typed under 其他日期 (or a form without the radios)
      counterDate: /^\d{4}-\d{2}-\d{2}$/.test(text(body, 'counterDay')) ? text(body, 'counterDay') : text(body, 'counterDate'),
      phone: text(body, 'phone'),
      email: text(body, 'email'),
      agentName: text(body, 'agentName'),
      agentNationalId: text(body, 'agentNationalId').toUpperCase(),
      mailingAddress: text(body, 'mailingAddress'),
    };
    const choice = await this.counterChoice(applicant, details.county || undefined);
    if (choice.rule === 'bureaus') {
      if (!details.county || details.county !== choice.countyCode) {
        errors.push({ field: 'county', messageKey: 'cards.errors.county.empty' });
      }
    } else {
      details.county = choice.countyCode;
    }
    if (!details.counter) errors.push({ field: 'counter', messageKey: 'cards.errors.counter.empty' });
    else if (!choice.counters.some((c) => c.code === details.counter)) errors.push({ field: 'counter', messageKey: 'cards.errors.counter.notOffered' });

    const calendar = await this.calendar();
    const date = checkCounterDate(details.counterDate, calendar);
    if (date.ok) details.counterDate = date.value; // typed 115/12/8 is kept as 2026-12-08
    if (!date.ok) {
      const first = firstBookableDay(calendar);
      // nothing chosen: the error is the radios'; a later day typed: the date field's (open in its reveal)
      const field = date.reason === 'empty' && text(body, 'counterDay') !== 'later' ? 'counterDay' : 'counterDate';
      errors.push({ field, messageKey: `cards.errors.counterDate.${date.reason}`, params: { first: first ?? '', last: lastBookableDay(calendar), days: calendar.maxDaysAhead ?? MAX_DAYS_AHEAD } });
    }

    const phone = validatePhone(details.phone);
    if (phone.ok) details.phone = phone.value;
    else errors.push({ field: 'phone', messageKey: `cards.errors.phone.${phone.reason}` });

    if (details.email) {
      const email = validateEmail(details.email);
      if (email.ok) details.email = email.value;
      else errors.push({ field: 'email', messageKey: 'cards.errors.email.format' });
    }

    // 本人辦理 clears whatever was typed under 代理人辦理 (hidden, or left from an earlier answer)
    const by = agentChoiceOf(text(body, 'agent'), details);
    if (by !== 'agent') {
      details.agentName = '';
      details.agentNationalId = '';
    }
    if (by === 'agent') {
      if (!details.agentName) errors.push({ field: 'agentName', messageKey: 'cards.errors.agentName.missing' });
      else checkText(errors, 'agentName', details.agentName, NAME_MAX, 'cards.errors.name.tooLong');
      if (!details.agentNationalId) errors.push({ field: 'agentNationalId', messageKey: 'cards.errors.agentNationalId.missing' });
      else {
        const agentId = validateNationalId(details.agentNationalId);
        if (!agentId.ok) errors.push({ field: 'agentNationalId', messageKey: `cards.errors.nationalId.${agentId.reason}` });
        else if (agentId.value === applicantPerson(applicant).nationalId) {
          errors.push({ field: 'agentNationalId', messageKey: 'cards.errors.agentNationalId.self' });
        }
      }
    }

    if (!details.mailingAddress) errors.push({ field: 'mailingAddress', messageKey: 'cards.errors.mailingAddress.empty' });
    else checkText(errors, 'mailingAddress', details.mailingAddress, ADDRESS_MAX, 'cards.errors.mailingAddress.tooLong');

    // The user code: exactly 6 letters/digits, case-sensitive, typed twice. Never echoed back.
    let newUserCode: string | null = null;
    const userCode = secretField(body, 'userCode');
    const confirm = secretField(body, 'userCodeConfirm');
    if (userCode.trim() === '' && confirm.trim() === '') {
      if (!hasUserCode) errors.push({ field: 'userCode', messageKey: 'cards.errors.userCode.empty' });
    } else {
      const code = validateUserCode(userCode);
      if (!code.ok) errors.push({ field: 'userCode', messageKey: `cards.errors.userCode.${code.reason}` });
      else if (confirm.trim() !== code.value) errors.push({ field: 'userCodeConfirm', messageKey: 'cards.errors.userCode.mismatch' });
      else newUserCode = code.value;
    }
    return { details, errors, newUserCode, choice, calendar, by };
  }

  /** Counts a details POST; refuses one past the session's or the client's limit. */
  async countDetailsSave(subject: Attempter): Promise<void> {
    if (await this.limiter.take(DETAILS_SAVES, attemptSubject(subject))) throw cardsError.tooMany('cards-details-rate-limited', 'cards.errors.rateLimited');
  }

  /** The chosen user code, sealed for the session until the reservation is submitted. */
  sealUserCode(code: string): string {
    return this.userCodeBox.seal(code);
  }

  hashUserCode(code: string): Promise<string> {
    return hashSecret(code);
  }

  // ---- submit ---------------------------------------------------------------------------------

  /**
   * Records the reservation from a complete draft, after checking it again (the registry, the
   * counter and the date may have changed since): the row, its audit record and, when an e-mail
   * address was given, the confirmation e-mail, in one transaction.
   */
  async create(draft: ReservationDraft, lang: Lang, subject: Attempter): Promise<CreateResult> {
    if (!draft.applicant || !draft.details || !draft.detailsComplete || !hasUserCode(draft)) return { reference: null, step: 'details', errors: [] };
    // The applicant again, as the registry / institution table has it now.
    const recheck = await this.checkApplicant(draft.applicant.kind, applicantForm(draft.applicant), subject);
    if (!recheck.applicant) return { reference: null, step: 'applicant', errors: recheck.errors };
    const applicant = recheck.applicant;
    const check = await this.checkDetails(applicant, draft.details as Record<string, string>, true);
    if (check.errors.length) return { reference: null, step: 'details', errors: check.errors };
    const details = check.details;
    const counter = check.choice.counters.find((c) => c.code === details.counter)!;
    const institution = await this.institutionOf(applicant);
    const { nationalId, name } = applicantPerson(applicant);
    const protectedId = this.ids.protect(nationalId);
    const agentId = details.agentNationalId ? this.ids.protect(details.agentNationalId) : null;
    // Hashed once, here: the details step only sealed it.
    const userCodeHash = draft.userCodeSealed ? await this.hashUserCode(this.userCodeBox.open(draft.userCodeSealed)) : draft.userCodeHash!;

    const reference = await this.database.transaction(async (manager) => {
      const now = new Date();
      const row: Omit<CardReservation, 'id' | 'version'> = {
        reference: '',
        cardType: draft.cardType,
        status: 'reserved',
        nationalIdCipher: protectedId.cipher,
        nationalIdIndex: protectedId.index,
        categoryCode: applicant.kind === 'personnel' ? applicant.categoryCode : null,
        certificateNumber: applicant.kind === 'personnel' ? applicant.certificateNumber : null,
        applicantName: name,
        professionalId: applicant.kind === 'personnel' ? applicant.professionalId : null,
        institutionCode: institution?.code ?? null,
        cardCount: 'cardCount' in applicant ? applicant.cardCount : null,
        purpose: 'purpose' in applicant ? applicant.purpose : null,
        organisationName: applicant.kind === 'test' ? applicant.organisationName : null,
        businessNumber: applicant.kind === 'test' ? applicant.businessNumber : null,
        counterCode: counter.code,
        counterCountyCode: counter.countyCode,
        counterDate: details.counterDate,
        phone: details.phone,
        email: details.email || null,
        agentName: details.agentName || null,
        agentNationalIdCipher: agentId?.cipher ?? null,
        agentNationalIdIndex: agentId?.index ?? null,
        userCodeHash,
        mailingAddress: details.mailingAddress,
        lang,
        decidedAt: null,
        decidedBy: null,
        decisionReason: null,
        documentsChecked: null,
        replacesCardId: draft.replacesCardId ?? null,
        createdAt: now,
        updatedAt: now,
      };
      for (let attempt = 1; ; attempt++) {
        row.reference = generateReference(now);
        if (await this.repository.insertUnlessReferenceTaken(manager, row)) break;
        if (attempt >= REFERENCE_RETRIES) throw new Error(`no free reservation reference after ${REFERENCE_RETRIES} attempts`);
      }
      await this.audit.record(manager, {
        action: 'cards.reservation.create',
        targetType: 'card_reservation',
        targetId: row.reference,
        summary: {
          cardType: row.cardType,
          nationalId: maskNationalId(nationalId),
          category: row.categoryCode,
          institution: row.institutionCode,
          businessNumber: row.businessNumber,
          cardCount: row.cardCount,
          counter: row.counterCode,
          counterDate: row.counterDate,
          agent: row.agentName !== null,
          email: row.email !== null,
        },
      });
      if (row.email) {
        await this.notifications.notify(manager, { to: row.email, template: 'cards.reservation-confirmation', lang, params: this.confirmationEmail(row, counter, lang) });
      }
      return row.reference;
    });
    return { reference };
  }

  private confirmationEmail(row: Omit<CardReservation, 'id' | 'version'>, counter: RegistrationCounter, lang: Lang): Record<string, string> {
    const place = counterView(counter, lang);
    const t = (key: string) => translate(lang, key);
    return {
      name: row.applicantName,
      cardType: t(`cards.type.${row.cardType}`),
      reference: row.reference,
      counter: place.name,
      address: place.address,
      phone: place.phone,
      hours: place.hours,
      date: formatDay(row.counterDate, lang),
      documents: documentKeys(row.cardType, row.agentName !== null)
        .map((key, i) => `${i + 1}. ${t(key)}`)
        .join('\n'),
      lookupUrl: `${this.config.publicOrigin}/cards/lookup`,
    };
  }

  // ---- reading --------------------------------------------------------------------------------

  findByReference(reference: string): Promise<CardReservation | null> {
    return this.repository.findByReference(reference);
  }

  /**
   * Lookup by national ID + reference number. A wrong combination gets one answer, whether the
   * reference exists or not; failures count per session and client address, and are audited.
   */
  async lookup(body: Body, subject: Attempter): Promise<{ reference: string | null; errors: FieldError[]; values: Record<string, string> }> {
    const values = { nationalId: text(body, 'nationalId').toUpperCase(), reference: text(body, 'reference').toUpperCase() };
    const errors: FieldError[] = [];
    const id = validateNationalId(values.nationalId);
    if (!id.ok) errors.push({ field: 'nationalId', messageKey: `cards.errors.nationalId.${id.reason}` });
    const reference = normalizeReference(values.reference);
    if (!values.reference) errors.push({ field: 'reference', messageKey: 'cards.errors.reference.empty' });
    else if (!reference) errors.push({ field: 'reference', messageKey: 'cards.errors.reference.format' });
    if (errors.length || !id.ok || !reference) return { reference: null, errors, values };
    values.reference = reference;

    if (await this.limiter.blocked(LOOKUP_FAILURES, attemptSubject(subject))) throw cardsError.tooMany('cards-lookup-rate-limited', 'cards.errors.rateLimited');
    const found = await this.repository.findByReference(reference);
    const ok = !!found && found.nationalIdIndex === this.ids.index(id.value);
    await this.audit.recordAlone({
      action: 'cards.reservation.lookup',
      outcome: ok ? 'success' : 'failure',
      targetType: 'card_reservation',
      targetId: reference,
      summary: { nationalId: maskNationalId(id.value) },
    });
    if (!ok) {
      await this.limiter.record(LOOKUP_FAILURES, attemptSubject(subject));
      return { reference: null, errors: [{ field: 'nationalId', messageKey: 'cards.errors.lookupMismatch' }], values };
    }
    return { reference, errors: [], values };
  }

  /** The applicant's (or responsible person's) national ID in full: only for the applicant's own printout. */
  /** The applicant's reservations not yet dealt with (reserved, from today on), for the duplicate warning. */
  pendingFor(nationalId: string, counterCode?: string): Promise<CardReservation[]> {
    return this.repository.pendingOf(this.ids.index(nationalId), taipeiDay(), counterCode);
  }

  /** The national ID's search index (the stored reservations are found by it, never by the ID). */
  nationalIdIndex(nationalId: string): string {
    return this.ids.index(nationalId);
  }

  revealNationalId(reservation: CardReservation): string {
    return this.ids.reveal(reservation.nationalIdCipher);
  }

  revealAgentNationalId(reservation: CardReservation): string | null {
    return reservation.agentNationalIdCipher ? this.ids.reveal(reservation.agentNationalIdCipher) : null;
  }

  /** The reservation's counter, looked up in its county's list (null if it was removed since). */
  async counterOf(reservation: CardReservation): Promise<RegistrationCounter | null> {
    const counter = await this.reference.counter(reservation.counterCode);
    return counter?.active ? counter : null;
  }
}
