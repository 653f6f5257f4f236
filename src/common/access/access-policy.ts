import type { Principal } from '../context/request-context';
import { NotFoundError } from '../errors/domain-error';

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
}

/**
 * Whether the principal may see a record with this ownership. Counter staff: their counter's;
 * county reviewers: their county's; institutions: their own; personnel: their own; ministry
 * staff and admins: all. Employers' managers and operators see nothing here yet: their unit
 * and granted functions come with the delegation module, and until then they fail closed.
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
    case 'employer_operator':
      return false;
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
