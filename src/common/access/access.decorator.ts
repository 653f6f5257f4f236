import { SetMetadata } from '@nestjs/common';
import { isStaffRole, type Role } from './roles';

export const ACCESS_KEY = 'access:declaration';

/**
 * Who may call a route. Every route declares one (on the method or its controller); the access
 * guard refuses any route without a declaration, and a test enumerates the routes to prove it.
 */
export interface AccessDeclaration {
  /** Anyone, signed in or not. */
  public: boolean;
  /** Roles allowed when not public. */
  roles: Role[];
  /** Answer only to the configured intranet address ranges. */
  intranet: boolean;
  /** Whether a non-GET request must carry the CSRF token (false only for Protocol routes). */
  csrf: boolean;
}

/** Open to anyone; `intranet: true` keeps it to intranet addresses (e.g. the staff sign-in page). */
export const Public = (options: { intranet?: boolean } = {}) =>
  SetMetadata<string, AccessDeclaration>(ACCESS_KEY, { public: true, roles: [], intranet: options.intranet ?? false, csrf: true });

/**
 * A public machine-to-machine protocol endpoint (OCSP): called by relying parties' software, not
 * by pages, and answered from the request alone (no session, no cookie is read), so a POST needs
 * no CSRF token: there is no ambient credential for another site to ride on.
 */
export const Protocol = () => SetMetadata<string, AccessDeclaration>(ACCESS_KEY, { public: true, roles: [], intranet: false, csrf: false });

/** Signed-in users with one of these roles. Routes for staff roles only are intranet-only. */
export const Allow = (...roles: Role[]) =>
  SetMetadata<string, AccessDeclaration>(ACCESS_KEY, { public: false, roles, intranet: roles.every(isStaffRole), csrf: true });
