// The first registration's draft, kept in the browser session between the task-list pages.

/** The unit certificate read and compared (match, or approved on review). */
export interface UnitStep {
  unitCode: string;
  unitName: string;
  serial: string;
  issuer: string;
  family: string;
  identifier: string | null;
  subject: string;
}

/** The manager's citizen certificate read, with the national ID typed (protected). */
export interface ManagerStep {
  idCipher: string;
  idMasked: string;
  serial: string;
  issuer: string;
  certName: string;
}

/** The manager's name and contacts (授權管理者資料). */
export interface ContactsStep {
  managerName: string;
  email: string;
  phone: string | null;
  mobile: string | null;
}

export interface DetailsStep extends ContactsStep {
  unitName: string;
  businessNumber: string;
  labourInsuranceNumber: string | null;
  threeInOne: boolean;
  responsibleIdCipher: string;
  responsibleIdMasked: string;
  responsibleIsManager: boolean;
}

export interface EmployerRegistrationDraft {
  terms?: boolean;
  unit?: UnitStep;
  /** A unit certificate that did not match: the applicant may leave contacts for a review case. */
  mismatch?: UnitStep;
  manager?: ManagerStep;
  details?: DetailsStep;
  /** A review case of the unit certificate is open: the day to try again. */
  underReview?: { nextBusinessDay: string };
  /** The reference of the registration this session just completed. */
  reference?: string;
}

/** The tasks of the task list, in order, with whether each is done and may be started. */
export function tasks(draft: EmployerRegistrationDraft) {
  const list = [
    { key: 'terms', href: '/employers/register/terms', done: !!draft.terms, ready: true },
    { key: 'unit', href: '/employers/register/unit', done: !!draft.unit, ready: !!draft.terms },
    { key: 'manager', href: '/employers/register/manager', done: !!draft.manager, ready: !!draft.unit },
    { key: 'details', href: '/employers/register/details', done: !!draft.details, ready: !!draft.manager },
    { key: 'check', href: '/employers/register/check', done: false, ready: !!draft.details },
  ];
  return list;
}

/** Seed 003's three replacements: the unit certificate, the manager's certificate, or both. */
export const REPLACEMENT_KINDS = ['unit', 'manager', 'both'] as const;
export type ReplacementKind = (typeof REPLACEMENT_KINDS)[number];

/** A certificate replacement in progress (更換憑證), kept in the browser session. */
export interface ReplacementDraft {
  kind: ReplacementKind;
  terms?: boolean;
  /** The unit certificate read (the registered one, or the new one), with the active registration it changes, at the version read. */
  unit?: UnitStep & { registrationId: string; version: number };
  manager?: ManagerStep;
  /** The reference of the replacement this session just completed. */
  reference?: string;
}
