// The one place that loads @peculiar/x509: tsyringe inside it needs reflect-metadata first, and
// it must use Node's WebCrypto. Every file of the validator imports x509 from here.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
export const subtle = webcrypto.subtle as unknown as SubtleCrypto;
