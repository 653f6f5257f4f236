// The counter's decision form: which documents must be ticked before approving (seed 000: the
// applicant's ID, practising licence and professional certificate; the agent's ID when an agent
// was named), approve or reject, and the reason (required when rejecting).
import type { FieldError } from '../../../common/errors/domain-error';
import { checkText, choiceField, integerField, listField, textField, type FormCheck } from '../../../common/forms';
import { translate, type Lang } from '../../../common/i18n/i18n';
import type { ReservationCardType } from '../lifecycle/card-reservation.entity';

/** Document codes as stored in card_reservation.documents_checked (comma-separated). */
export const DOCUMENT_CODES = ['id', 'licence', 'certificate', 'agent-id'] as const;
export type DocumentCode = (typeof DOCUMENT_CODES)[number];

export const DECISIONS = ['approve', 'reject'] as const;
export type Decision = (typeof DECISIONS)[number];

export const REASON_MAX = 500;

/**
 * The documents the counter must see before approving, in order. Personnel cards: 身分證,
 * 醫事人員執業執照, 醫事人員證書; institution cards: the responsible person's ID and the
 * institution's licence. Plus the agent's ID when the reservation names an agent.
 */
export function requiredDocuments(cardType: ReservationCardType, byAgent: boolean): DocumentCode[] {
  const own: DocumentCode[] = cardType === 'personnel' ? ['id', 'licence', 'certificate'] : ['id', 'licence'];
  return byAgent ? [...own, 'agent-id'] : own;
}

/** Catalog key of a document's name for a card type. */
export function documentLabelKey(cardType: ReservationCardType, code: DocumentCode): string {
  return `cards.counter.document.${cardType}.${code}`;
}

export interface DecisionInput {
  decision: Decision | null;
  /** Ticked documents among the required ones, in the required order. */
  documents: DocumentCode[];
  reason: string;
  /** The version of the reservation the form was rendered from (null when absent or malformed). */
  version: number | null;
}

/** The parsed form (always: the version decides a 409 before the errors are shown) and the values to re-render with. */
export type DecisionCheck = FormCheck<DecisionInput, { decision: string; documents: string[]; reason: string }> & { input: DecisionInput };

/**
 * Checks a submitted decision form. Approving needs every required document ticked (the error
 * names the missing ones, in `lang`); rejecting needs a reason of at most REASON_MAX characters.
 */
export function checkDecision(body: unknown, cardType: ReservationCardType, byAgent: boolean, lang: Lang): DecisionCheck {
  const required = requiredDocuments(cardType, byAgent);
  const ticked = new Set(listField(body, 'documents'));
  const documents = required.filter((code) => ticked.has(code));
  const decision = choiceField(body, 'decision', DECISIONS);
  const reason = textField(body, 'reason');
  const version = integerField(body, 'version', 1, Number.MAX_SAFE_INTEGER);

  const errors: FieldError[] = [];
  if (!decision) errors.push({ field: 'decision', messageKey: 'cards.counter.errors.decision.empty' });
  if (decision === 'approve' && documents.length < required.length) {
    const missing = required.filter((code) => !ticked.has(code)).map((code) => translate(lang, documentLabelKey(cardType, code)));
    errors.push({ field: 'documents', messageKey: 'cards.counter.errors.documents.missing', params: { missing: missing.join(translate(lang, 'cards.counter.listSeparator')) } });
  }
  if (decision === 'reject' && !reason) errors.push({ field: 'reason', messageKey: 'cards.counter.errors.reason.empty' });
  checkText(errors, 'reason', reason, REASON_MAX, 'cards.counter.errors.reason.tooLong', { multiLine: true });

  return { input: { decision, documents, reason, version }, errors, values: { decision: decision ?? '', documents, reason } };
}
