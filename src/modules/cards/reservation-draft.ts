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

export type ReservationApplicant = PersonnelApplicant | InstitutionApplicant;

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
  /** scrypt hash of the user code chosen on the details step. */
  userCodeHash?: string;
  /** A reissue (card reported lost) or renewal by reservation: the card this one replaces. */
  replacesCardId?: string;
}

export interface CardReservationSession {
  draft?: ReservationDraft;
  /** Reservation references this session may see and print, newest last. */
  references?: string[];
}

/** How many references a session remembers. */
export const MAX_SESSION_REFERENCES = 20;
