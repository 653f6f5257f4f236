// The one place that loads @peculiar/x509: tsyringe inside it needs reflect-metadata first, and
// it must use Node's WebCrypto. Every file of the validator imports x509 from here.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
export const subtle = webcrypto.subtle as unknown as SubtleCrypto;

/**
 * Parse limits for CRLs. asn1js refuses more than 10,000 ASN.1 nodes by default, about 1,300
 * revoked entries: a CA with more would have its CRL refused, and every sign-in with its cards
 * would fail closed. A CRL entry is about 8 nodes; these limits take 1,000,000 entries.
 */
export const CRL_PARSE_OPTIONS = { berOptions: { maxNodes: 8_000_000, maxContentLength: 64 * 1024 * 1024 } };
