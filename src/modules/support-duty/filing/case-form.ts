// The support-duty case form (seed 002: 支援科別, 支援目的, 支援時間; the person and the supported
// institution): read field by field, every value untrusted. Rules that need the registry (the
// person, the institution, the department) and the quotas live in the services.
import type { FieldError } from '../../../common/errors/domain-error';
import { checkText, choiceField, listField, textField, type FormCheck } from '../../../common/forms';
import { expandPeriods, periodProblem, SESSIONS, WEEKDAYS, type Period, type Session } from '../lifecycle/periods';
import { PURPOSES, type Purpose } from '../lifecycle/support-duty.entity';

/** Period rows on the form (blank rows are ignored; at least one is needed). */
export const PERIOD_ROWS = [1, 2, 3] as const;
export const PURPOSE_TEXT_MAX = 200;

export interface CaseFormInput {
  /** The registry row of the person (institutions choose one of their staff; null for a clinician filing for themself). */
  professionalId: number | null;
  /** What was typed or chosen: a 10-digit code, or part of a name. */
  supportedInstitution: string;
  departmentCode: string;
  purpose: Purpose;
  purposeText: string | null;
  periods: Period[];
  sessionCount: number;
  firstDay: string;
  lastDay: string;
}

export type CaseFormValues = Record<string, string | string[]>;

/** The form's values as a stored case shows them (to edit a draft). */
export function valuesOf(c: { professionalId: number; supportedInstitutionCode: string; departmentCode: string; purpose: string; purposeText: string | null; periods: Period[] }): CaseFormValues {
  const values: CaseFormValues = {
    professionalId: String(c.professionalId),
    supportedInstitution: c.supportedInstitutionCode,
    department: c.departmentCode,
    purpose: c.purpose,
    purposeText: c.purposeText ?? '',
  };
  c.periods.forEach((p, i) => {
    values[`p${i + 1}From`] = p.from;
    values[`p${i + 1}To`] = p.to;
    values[`p${i + 1}Weekdays`] = p.weekdays.map(String);
    values[`p${i + 1}Sessions`] = p.sessions;
  });
  return values;
}

/** Parses the case form; `byInstitution`: the person is chosen on the form. */
export function checkCaseForm(body: unknown, byInstitution: boolean, maxPeriodDays: number): FormCheck<CaseFormInput, CaseFormValues> {
  const errors: FieldError[] = [];
  const values: CaseFormValues = {};
  let professionalId: number | null = null;
  if (byInstitution) {
    values.professionalId = textField(body, 'professionalId');
    professionalId = /^\d{1,9}$/.test(values.professionalId) ? Number(values.professionalId) : null;
    if (professionalId === null) errors.push({ field: 'professionalId', messageKey: 'supportDuty.errors.professional.empty' });
  }
  const supportedInstitution = textField(body, 'supportedInstitution');
  values.supportedInstitution = supportedInstitution;
  if (!supportedInstitution) errors.push({ field: 'supportedInstitution', messageKey: 'supportDuty.errors.institution.empty' });
  checkText(errors, 'supportedInstitution', supportedInstitution, 60, 'supportDuty.errors.institution.notFound');
  const departmentCode = textField(body, 'department');
  values.department = departmentCode;
  if (!departmentCode) errors.push({ field: 'department', messageKey: 'supportDuty.errors.department.empty' });
  const purpose = choiceField(body, 'purpose', PURPOSES);
  values.purpose = purpose ?? '';
  if (!purpose) errors.push({ field: 'purpose', messageKey: 'supportDuty.errors.purpose.empty' });
  const purposeText = textField(body, 'purposeText');
  values.purposeText = purposeText;
  if (purpose === 'other' && !purposeText) errors.push({ field: 'purposeText', messageKey: 'supportDuty.errors.purposeText.empty' });
  checkText(errors, 'purposeText', purposeText, PURPOSE_TEXT_MAX, 'supportDuty.errors.purposeText.tooLong');

  const periods: Period[] = [];
  const rows: number[] = [];
  for (const n of PERIOD_ROWS) {
    const from = textField(body, `p${n}From`);
    const to = textField(body, `p${n}To`);
    const weekdays = listField(body, `p${n}Weekdays`).filter((d) => (WEEKDAYS as readonly number[]).includes(Number(d)) && /^\d$/.test(d));
    const sessions = listField(body, `p${n}Sessions`).filter((s): s is Session => (SESSIONS as readonly string[]).includes(s));
    Object.assign(values, { [`p${n}From`]: from, [`p${n}To`]: to, [`p${n}Weekdays`]: weekdays, [`p${n}Sessions`]: sessions });
    if (!from && !to && !weekdays.length && !sessions.length) continue;
    const period: Period = { from, to, weekdays: [...new Set(weekdays.map(Number))].sort(), sessions: SESSIONS.filter((s) => sessions.includes(s)) };
    const problem = periodProblem(period, maxPeriodDays);
    if (problem) {
      const field = problem === 'no-weekdays' ? `p${n}Weekdays` : problem === 'no-sessions' ? `p${n}Sessions` : `p${n}From`;
      errors.push({ field, messageKey: `supportDuty.errors.period.${problem}`, params: { n, max: maxPeriodDays } });
      continue;
    }
    periods.push(period);
    rows.push(n);
  }
  if (!periods.length && !errors.some((e) => e.field.startsWith('p'))) errors.push({ field: 'p1From', messageKey: 'supportDuty.errors.period.none' });
  const expanded = expandPeriods(periods);
  for (const index of expanded.emptyPeriods) errors.push({ field: `p${rows[index]}From`, messageKey: 'supportDuty.errors.period.no-days', params: { n: rows[index] } });
  if (expanded.repeated.length) errors.push({ field: `p${rows[rows.length - 1]}From`, messageKey: 'supportDuty.errors.period.repeated', params: { day: expanded.repeated[0].day } });

  if (errors.length || !purpose) return { input: null, errors, values };
  return {
    input: {
      professionalId,
      supportedInstitution,
      departmentCode,
      purpose,
      purposeText: purposeText || null,
      periods,
      sessionCount: expanded.slots.length,
      firstDay: expanded.slots[0].day,
      lastDay: expanded.slots[expanded.slots.length - 1].day,
    },
    errors,
    values,
  };
}
