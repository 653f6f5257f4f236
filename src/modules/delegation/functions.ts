// The unit's business functions a manager can grant an operator (seed 004's function menu, for
// the insured-staff roster). Managing operators is the manager's alone and never granted.

export const DELEGABLE_FUNCTIONS = ['roster.enrol', 'roster.withdraw', 'roster.change', 'roster.query', 'roster.export', 'roster.upload'] as const;
export type DelegableFunction = (typeof DELEGABLE_FUNCTIONS)[number];

/** The form's choice meaning every enrolment function (「全部投保作業功能」). */
export const ALL_FUNCTIONS = 'all';

export function isDelegableFunction(value: string): value is DelegableFunction {
  return (DELEGABLE_FUNCTIONS as readonly string[]).includes(value);
}
