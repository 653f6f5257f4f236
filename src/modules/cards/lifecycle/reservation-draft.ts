// What the reservation journey keeps in the browser session (req.session.cardReservation) between
// its steps: the draft being filled, and the references this session may see (made here, or
// found with the national ID + reference number). Never the user code itself: only its hash.
import type { ReservationCardType } from './card-reservation.entity';

/** A personnel applicant as matched in the professional registry. */
export interface PersonnelApplicant {
  kind: 'personnel';
  nationalId: string;
  categoryCode: string;
  certificateNumber: string;
  name: string;
  professionalId: number;
  homeInstitutionCode: string | null;
}

/** An institution card: the institution (found in the institution table) and its responsible person. */
export interface InstitutionApplicant {
  kind: 'institution';
  institutionCode: string;
  responsibleName: string;
  responsibleNationalId: string;
}

/** An institution's attached cards (附卡): the institution card's answers, plus how many and why. */
export interface AttachedApplicant extends Omit<InstitutionApplicant, 'kind'> {
  kind: 'attached';
  cardCount: number;
  purpose: string;
}

/** Test cards: the developer's organisation (name + business number) and its contact person. */
export interface TestApplicant {
  kind: 'test';
  organisationName: string;
  businessNumber: string;
  contactName: string;
  contactNationalId: string;
  cardCount: number;
  purpose: string;
}

/** The applicant step's answers; `kind` is the card type. */
export type ReservationApplicant = PersonnelApplicant | InstitutionApplicant | AttachedApplicant | TestApplicant;

/** The applicant step's form fields, filled from the applicant (to show again, or to check again). */
export function applicantForm(a: ReservationApplicant): Record<string, string> {
  switch (a.kind) {
    case 'personnel':
      return { nationalId: a.nationalId, category: a.categoryCode, certificateNumber: a.certificateNumber, name: a.name };
    case 'institution':
      return { institutionCode: a.institutionCode, responsibleName: a.responsibleName, responsibleNationalId: a.responsibleNationalId };
    case 'attached':
      return { institutionCode: a.institutionCode, responsibleName: a.responsibleName, responsibleNationalId: a.responsibleNationalId, cardCount: String(a.cardCount), purpose: a.purpose };
    case 'test':
      return { organisationName: a.organisationName, businessNumber: a.businessNumber, contactName: a.contactName, contactNationalId: a.contactNationalId, cardCount: String(a.cardCount), purpose: a.purpose };
  }
}

/** The person who applies and signs (the professional, the responsible person or the contact person). */
export function applicantPerson(a: ReservationApplicant): { nationalId: string; name: string } {
  switch (a.kind) {
    case 'personnel':
      return { nationalId: a.nationalId, name: a.name };
    case 'test':
      return { nationalId: a.contactNationalId, name: a.contactName };
    default:
      return { nationalId: a.responsibleNationalId, name: a.responsibleName };
  }
}

/** The details step as typed (normalised where valid). */
export interface ReservationDetails {
  county: string;
  counter: string;
  counterDate: string;
  phone: string;
  email: string;
  agentName: string;
  agentNationalId: string;
  mailingAddress: string;
}

export interface ReservationDraft {
  cardType: ReservationCardType;
  /** When the subscriber terms were agreed to (ms since epoch). */
  agreedAt: number;
  applicant?: ReservationApplicant;
  details?: Partial<ReservationDetails>;
  /** The details passed validation (cleared when the applicant changes). */
  detailsComplete?: boolean;
  /**
   * The user code chosen on the details step, sealed (SecretBox 'reservation-user-code'): hashed
   * with scrypt only when the reservation is submitted, not on every details POST.
   */
  userCodeSealed?: string;
  /** A user code already hashed: a reissue keeps the replaced card's. */
  userCodeHash?: string;
  /** A reissue (card reported lost) or renewal by reservation: the card this one replaces. */
  replacesCardId?: string;
}

/** Whether the draft has its user code (chosen now, or the replaced card's). */
export function hasUserCode(draft: ReservationDraft): boolean {
  return !!(draft.userCodeSealed || draft.userCodeHash);
}

export interface CardReservationSession {
  draft?: ReservationDraft;
  /** Reservation references this session may see and print, newest last. */
  references?: string[];
}

/** How many references a session remembers. */
export const MAX_SESSION_REFERENCES = 20;
