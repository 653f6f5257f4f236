import type { FieldError } from '../../common/errors/domain-error';
import { formBody, textField, type FormCheck } from '../../common/forms';
import { pageParam } from '../../common/web/pagination';
import { addDays, isIsoDay, startOfTaipeiDay } from '../../common/time/taipei-day';

export interface AuditSearchInput {
  action: string;
  actor: string;
  target: string;
  /** Start of the first Taiwan day, inclusive. */
  from?: Date;
  /** Start of the day after the last Taiwan day, exclusive. */
  to?: Date;
  page: number;
}

export type AuditSearchValues = Record<'action' | 'actor' | 'target' | 'from' | 'to', string>;

/** The audit search form (a GET query): text filters and a Taiwan-day range. */
export function parseAuditSearch(query: unknown): FormCheck<AuditSearchInput, AuditSearchValues> {
  const q = formBody(query);
  const values: AuditSearchValues = {
    action: textField(q, 'action').slice(0, 100),
    actor: textField(q, 'actor').slice(0, 100),
    target: textField(q, 'target').slice(0, 100),
    from: textField(q, 'from'),
    to: textField(q, 'to'),
  };
  const errors: FieldError[] = [];
  for (const field of ['from', 'to'] as const) {
    if (values[field] && !isIsoDay(values[field])) errors.push({ field, messageKey: 'audit.errors.date' });
  }
  if (!errors.length && values.from && values.to && values.from > values.to) errors.push({ field: 'to', messageKey: 'audit.errors.toBeforeFrom' });
  if (errors.length) return { input: null, errors, values };
  return {
    input: {
      action: values.action,
      actor: values.actor,
      target: values.target,
      from: values.from ? startOfTaipeiDay(values.from) : undefined,
      to: values.to ? startOfTaipeiDay(addDays(values.to, 1)) : undefined,
      page: pageParam(textField(q, 'page')),
    },
    errors,
    values,
  };
}
