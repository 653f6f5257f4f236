/**
 * The support-duty case state machine (seed 002's flow chart: 申請 → 送審 → 審查 → 通過 / 不通過;
 * 變更, 註銷). Every change of a case is one of these transitions, applied by CaseLifecycle.
 *
 *   draft ─submit→ submitted ─approve→ approved ─cancel→ cancelled
 *     │                 │                  └─supersede→ superseded   (its change was approved)
 *     └─discard→ discarded  └─reject→ rejected
 *                       └─cancel→ cancelled (withdrawn before the decision)
 *
 * A change (變更) is a new case (a draft that supersedes an approved one): the approved case stays
 * in force until the change is decided; approving the change supersedes it.
 */
export const CASE_STATES = ['draft', 'submitted', 'approved', 'rejected', 'cancelled', 'superseded', 'discarded'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_EVENTS = {
  submit: { from: ['draft'], to: 'submitted' },
  discard: { from: ['draft'], to: 'discarded' },
  approve: { from: ['submitted'], to: 'approved' },
  reject: { from: ['submitted'], to: 'rejected' },
  cancel: { from: ['submitted', 'approved'], to: 'cancelled' },
  supersede: { from: ['approved'], to: 'superseded' },
} as const satisfies Record<string, { from: readonly CaseState[]; to: CaseState }>;
export type CaseEvent = keyof typeof CASE_EVENTS;

/** States whose periods count against the quotas (their slots exist). */
export const LIVE_CASE_STATES: readonly CaseState[] = ['submitted', 'approved'];

export class IllegalCaseTransition extends Error {
  constructor(
    readonly state: CaseState,
    readonly event: CaseEvent,
  ) {
    super(`A support-duty case that is ${state} cannot take "${event}"`);
    this.name = 'IllegalCaseTransition';
  }
}

export function isCaseState(value: unknown): value is CaseState {
  return typeof value === 'string' && (CASE_STATES as readonly string[]).includes(value);
}

/** The state after `event`, or IllegalCaseTransition. */
export function nextCaseState(state: CaseState, event: CaseEvent): CaseState {
  const rule = CASE_EVENTS[event];
  if (!(rule.from as readonly CaseState[]).includes(state)) throw new IllegalCaseTransition(state, event);
  return rule.to;
}

/** Whether `event` is legal from `state` (what the pages offer). */
export function canTake(state: CaseState, event: CaseEvent): boolean {
  return (CASE_EVENTS[event].from as readonly CaseState[]).includes(state);
}
