import type { Principal } from '../context/request-context';
import { NotFoundError } from '../errors/domain-error';
import { mayPerform } from './function.decorator';

/**
 * What a record belongs to, for record-level access: the counter it was made at, the county
 * whose bureau is responsible, the institution it is of, the person it is about. A module says
 * this of its records once (`ownerOf`), and every read goes through `visibleTo`.
 */
export interface Ownership {
  counterCode?: string | null;
  countyCode?: string | null;
  institutionCode?: string | null;
  /** A principal id of kind 'personnel' (the professional's registry id). */
  personId?: string | null;
  /** The employer unit (unit code) a record belongs to. */
  unitCode?: string | null;
  /** The unit's business function a record is reached through (an operator needs it granted). */
  function?: string | null;
}

/**
 * Whether the principal may see a record with this ownership. Counter staff: their counter's;
 * county reviewers: their county's; institutions: their own; personnel: their own; ministry
 * staff and admins: all. Employers: a unit's manager (signed in with the unit's certificate)
 * its unit's records; an operator its unit's records, and of those reached through a function
 * only when the manager granted that function.
 */
export function canSee(principal: Principal, owner: Ownership): boolean {
  switch (principal.role) {
    case 'admin':
    case 'ministry_staff':
      return true;
    case 'counter_staff':
      return !!principal.counterCode && owner.counterCode === principal.counterCode;
    case 'county_reviewer':
      return !!principal.countyCode && owner.countyCode === principal.countyCode;
    case 'institution':
      return !!owner.institutionCode && owner.institutionCode === principal.id;
    case 'personnel':
      return !!owner.personId && owner.personId === principal.id;
    case 'employer_manager':
      return !!owner.unitCode && owner.unitCode === principal.unitCode;
    case 'employer_operator':
      if (!owner.unitCode || owner.unitCode !== principal.unitCode) return false;
      return !owner.function || mayPerform(principal, owner.function);
  }
}

/**
 * The record when the principal may see it; otherwise (or when there is none) NotFoundError, so
 * a record out of scope cannot be told apart from one that does not exist.
 */
export function visibleTo<T>(principal: Principal, record: T | null | undefined, ownerOf: (record: T) => Ownership, code = 'record-not-found'): T {
  if (record === null || record === undefined || !canSee(principal, ownerOf(record))) throw new NotFoundError(code, 'errors.404.message');
  return record;
}
