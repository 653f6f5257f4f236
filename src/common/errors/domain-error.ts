/**
 * Typed domain errors. Services throw these; one exception filter (errors.filter.ts) turns each
 * kind into its page: a re-rendered form (422), a 400/403/404/409/429/503 page, a sign-in
 * redirect, or the same as an HTMX fragment or JSON. The HTTP status follows from the class.
 * Each module lists its codes as a union and throws through `domainErrors<ItsCodes>()`, so a
 * code is never a free string.
 */
export type ErrorKind = 'validation' | 'bad-request' | 'not-signed-in' | 'forbidden' | 'not-found' | 'conflict' | 'too-many' | 'unavailable';

export interface FieldError {
  field: string;
  /** Catalog key of the message; params interpolated into it. */
  messageKey: string;
  params?: Record<string, string | number>;
}

type Params = Record<string, string | number>;

export abstract class DomainError<C extends string = string> extends Error {
  abstract readonly kind: ErrorKind;
  constructor(
    /** Stable machine code, e.g. 'csrf-invalid', 'staff-locked'. */
    readonly code: C,
    /** Catalog key of the user-facing message. */
    readonly messageKey: string,
    readonly params: Params = {},
  ) {
    super(`${code}: ${messageKey}`);
    this.name = new.target.name;
  }
}

export class BadRequestError<C extends string = string> extends DomainError<C> {
  readonly kind = 'bad-request';
}
export class ForbiddenError<C extends string = string> extends DomainError<C> {
  readonly kind = 'forbidden';
}
export class NotFoundError<C extends string = string> extends DomainError<C> {
  readonly kind = 'not-found';
}
export class ConflictError<C extends string = string> extends DomainError<C> {
  readonly kind = 'conflict';
}
export class TooManyAttemptsError<C extends string = string> extends DomainError<C> {
  readonly kind = 'too-many';
}
/** A service this one needs (the database, Redis, the HSM) is not answering: 503, try again later. */
export class ServiceUnavailableError<C extends string = string> extends DomainError<C> {
  readonly kind = 'unavailable';
}
export class NotSignedInError extends DomainError<'not-signed-in'> {
  readonly kind = 'not-signed-in';
  constructor(readonly loginPath: string) {
    super('not-signed-in', 'errors.401.message');
  }
}

/**
 * Bad input on a form: the filter re-renders `template` with status 422, the values kept, an
 * error summary and a message beside each field.
 */
export class FormValidationError extends DomainError<'validation-failed'> {
  readonly kind = 'validation';
  constructor(
    readonly template: string,
    readonly titleKey: string,
    readonly errors: FieldError[],
    readonly values: Record<string, unknown>,
    readonly context: Record<string, unknown> = {},
  ) {
    super('validation-failed', 'errors.422.message');
  }
}

/**
 * A module's error constructors over its own code union:
 *   export type CardsErrorCode = 'card-changed' | ...;
 *   export const cardsError = domainErrors<CardsErrorCode>();
 *   throw cardsError.conflict('card-changed', 'cards.errors.changedMeanwhile');
 */
export function domainErrors<C extends string>() {
  return {
    badRequest: (code: C, messageKey: string, params?: Params) => new BadRequestError<C>(code, messageKey, params),
    forbidden: (code: C, messageKey: string, params?: Params) => new ForbiddenError<C>(code, messageKey, params),
    notFound: (code: C, messageKey: string = 'errors.404.message', params?: Params) => new NotFoundError<C>(code, messageKey, params),
    conflict: (code: C, messageKey: string, params?: Params) => new ConflictError<C>(code, messageKey, params),
    tooMany: (code: C, messageKey: string, params?: Params) => new TooManyAttemptsError<C>(code, messageKey, params),
    unavailable: (code: C, messageKey: string, params?: Params) => new ServiceUnavailableError<C>(code, messageKey, params),
  };
}

/** The codes of src/common's own errors. */
export type CommonErrorCode =
  | 'access-undeclared'
  | 'intranet-only'
  | 'role-not-allowed'
  | 'csrf-invalid'
  | 'origin-mismatch'
  | 'record-not-found'
  | 'route-not-found'
  | 'database-unavailable'
  | 'redis-unavailable';
export const commonError = domainErrors<CommonErrorCode>();
