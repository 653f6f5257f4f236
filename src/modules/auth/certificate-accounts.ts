import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/context/request-context';
import type { ValidationSuccess } from '../certificates';

/** A certificate with no account that the owning module recognises: the sign-in says why (login.errors.<refused>). */
export interface CertificateAccountRefusal {
  refused: 'certificate-renewed';
}

/** Finds the account a validated certificate signs in as (null: none), given its "serial@issuer". */
export type CertificateAccountResolver = (result: ValidationSuccess, credential: string) => Promise<Principal | CertificateAccountRefusal | null>;

/**
 * Sign-in card types whose accounts another module owns (the employer registry's units): that
 * module registers a resolver for its card type when it starts, so the certificate sign-in can
 * map the certificate to an account without auth depending on the module.
 */
@Injectable()
export class CertificateAccounts {
  private readonly resolvers = new Map<string, CertificateAccountResolver>();

  register(cardType: string, resolve: CertificateAccountResolver): void {
    this.resolvers.set(cardType, resolve);
  }

  /** Whether another module owns the accounts of this card type. */
  handles(cardType: string): boolean {
    return this.resolvers.has(cardType);
  }

  resolve(cardType: string, result: ValidationSuccess, credential: string): Promise<Principal | CertificateAccountRefusal | null> {
    const resolve = this.resolvers.get(cardType);
    return resolve ? resolve(result, credential) : Promise.resolve(null);
  }
}
