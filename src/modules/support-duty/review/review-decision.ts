// The county reviewer's decision form: approve, or reject with a reason; the case's version.
import type { FieldError } from '../../../common/errors/domain-error';
import { checkText, choiceField, integerField, textField, type FormCheck } from '../../../common/forms';

export const REVIEW_DECISIONS = ['approve', 'reject'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const REASON_MAX = 500;

export interface ReviewInput {
  decision: ReviewDecision;
  reason: string;
}

export function checkReview(body: unknown): FormCheck<ReviewInput, { decision: string; reason: string }> & { version: number | null } {
  const decision = choiceField(body, 'decision', REVIEW_DECISIONS);
  const reason = textField(body, 'reason');
  const version = integerField(body, 'version', 1, Number.MAX_SAFE_INTEGER);
  const errors: FieldError[] = [];
  if (!decision) errors.push({ field: 'decision', messageKey: 'supportDuty.review.errors.decision' });
  if (decision === 'reject' && !reason) errors.push({ field: 'reason', messageKey: 'supportDuty.review.errors.reason' });
  checkText(errors, 'reason', reason, REASON_MAX, 'supportDuty.review.errors.reasonTooLong', { multiLine: true });
  return { input: decision && !errors.length ? { decision, reason } : null, errors, values: { decision: decision ?? '', reason }, version };
}
