// Presentation helpers shared by the pages, the e-mail and the printable form (dates: the one
// formatter of src/common/i18n/dates.ts): a counter in the reader's language, the documents to bring, the progress steps.
import type { Lang } from '../../../common/i18n/i18n';
import type { RegistrationCounter } from '../../reference';
import { PERSONNEL_CATEGORIES } from '../../../common/identifiers/personnel-categories';
import type { ReservationCardType } from '../lifecycle/card-reservation.entity';
import type { CardState } from '../lifecycle/card-state';

export interface CounterView {
  code: string;
  kindKey: string;
  name: string;
  address: string;
  phone: string;
  hours: string;
}

export function counterView(counter: RegistrationCounter, lang: Lang): CounterView {
  const en = lang === 'en';
  return {
    code: counter.code,
    kindKey: `counters.kind.${counter.kind}`,
    name: en ? counter.nameEn : counter.nameZh,
    address: counter.address,
    phone: counter.phone,
    hours: en ? counter.hoursEn : counter.hoursZh,
  };
}

/** 「A 西醫師」 / "A Physician". */
export function categoryText(code: string, lang: Lang): string {
  const category = PERSONNEL_CATEGORIES.find((c) => c.code === code);
  if (!category) return code;
  return `${code} ${lang === 'en' ? category.nameEn : category.nameZh}`;
}

export function categoryOptions(lang: Lang): Array<{ value: string; text: string }> {
  return PERSONNEL_CATEGORIES.map((c) => ({ value: c.code, text: categoryText(c.code, lang) }));
}

const DOCUMENT_COUNTS: Record<ReservationCardType, { self: number; agent: number }> = {
  personnel: { self: 4, agent: 6 },
  institution: { self: 3, agent: 4 },
  attached: { self: 4, agent: 5 },
  test: { self: 3, agent: 4 },
};

/** What the instructions say you need to fill in the applicant step (cards.start.need.*), before the common items. */
export const NEED_KEYS: Record<ReservationCardType, string[]> = {
  personnel: ['nationalId', 'certificate', 'name'],
  institution: ['institutionCode', 'responsible'],
  attached: ['institutionCode', 'responsible', 'attached'],
  test: ['organisation', 'contact', 'test'],
};

/** Catalog keys of the documents to bring to the counter (seed 000), in order. */
export function documentKeys(cardType: ReservationCardType, byAgent: boolean): string[] {
  const who = byAgent ? 'agent' : 'self';
  return Array.from({ length: DOCUMENT_COUNTS[cardType][who] }, (_, i) => `cards.documents.${cardType}.${who}.${i + 1}`);
}

/**
 * The applicant's progress in four steps: reserve online → documents checked at the counter →
 * card issued → card opened. A state's position is the step now under way; the steps before it
 * are done (an active, suspended, revoked or expired card has done them all). A rejected or
 * cancelled application has no steps ahead: its status says what happened.
 */
export const PROGRESS_STEPS = ['reserve', 'counter', 'issue', 'open'] as const;

const STATE_POSITION: Record<CardState, number | null> = { reserved: 1, approved: 2, issued: 3, active: 4, suspended: 4, revoked: 4, expired: 4, rejected: null, cancelled: null };

export interface ProgressStep {
  /** 1-based */
  number: number;
  labelKey: string;
  statusKey: string;
  done: boolean;
  current: boolean;
}

export function progressSteps(state: CardState): ProgressStep[] {
  const position = STATE_POSITION[state];
  if (position === null) return [];
  return PROGRESS_STEPS.map((step, i) => ({
    number: i + 1,
    labelKey: `cards.progress.step.${step}`,
    statusKey: i < position ? 'cards.progress.done' : i === position ? 'cards.progress.current' : 'cards.progress.notYet',
    done: i < position,
    current: i === position,
  }));
}
