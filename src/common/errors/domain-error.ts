/**
 * Typed domain errors. Services throw these; one exception filter (errors.filter.ts) turns each
 * kind into its page: a re-rendered form (422), a 403/404/409 page, a sign-in redirect, or the
 * same as an HTMX fragment.
 */
export type ErrorKind = 'validation' | 'bad-request' | 'not-signed-in' | 'forbidden' | 'not-found' | 'conflict' | 'too-many';

export interface FieldError {
  field: string;
  /** Catalog key of the message; params interpolated into it. */
  messageKey: string;
  params?: Record<string, string | number>;
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(
    /** Stable machine code, e.g. 'csrf-invalid', 'staff-locked'. */
    readonly code: string,
    /** Catalog key of the user-facing message. */
    readonly messageKey: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${code}: ${messageKey}`);
    this.name = new.target.name;
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}
export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
}
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}
export class TooManyAttemptsError extends DomainError {
  readonly kind = 'too-many';
}
export class NotSignedInError extends DomainError {
  readonly kind = 'not-signed-in';
  constructor(readonly loginPath: string) {
    super('not-signed-in', 'errors.401.message');
  }
}

/**
 * Bad input on a form: the filter re-renders `template` with status 422, the values kept, an
 * error summary and a message beside each field.
 */
export class FormValidationError extends DomainError {
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
