import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../access/roles';

/** The signed-in principal, as kept in the session and written into every audit row. */
export interface Principal {
  kind: 'staff' | 'personnel' | 'institution' | 'employer';
  id: string;
  role: Role;
  displayName: string;
  /** How they proved who they are: 'password+totp', or a certificate as "serial@issuer". */
  credential: string;
  countyCode?: string | null;
  counterCode?: string | null;
  /** Employers' managers and operators: the unit (unit code) they act for in this session. */
  unitCode?: string | null;
  /** Employers' operators: the functions the unit's manager granted them (see the delegation module). */
  functions?: readonly string[];
  /**
   * Employers: signed in as the unit's registered responsible person with their own NHI card +
   * password or one-time code (seed 004). Their own credential counts as the manager's for the
   * delegation pages.
   */
  responsiblePerson?: boolean;
  /** Set by a sign-in resolver: the page the sign-in leads to first (an operator of several units: the unit picker); never kept in the session. */
  landing?: string;
}

export interface RequestContext {
  requestId: string;
  clientIp: string | null;
  principal: Principal | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
};
