// Certificate and CRL pieces every CA operation uses: serial numbers, URLs of what we publish,
// and the extensions @peculiar/x509 has no class for.
import { randomBytes } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { OID, type CrlDocument } from './validation';
import { x509 } from './validation/x509-runtime';

/** A positive random 16-octet serial number (hex), minimally encoded: top bit clear, never a leading zero octet. */
export function randomSerialHex(): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40;
  return serial.toString('hex').toUpperCase();
}

/** Where the CRL signed by the CA with this slug is published. */
export function crlUrlFor(publicOrigin: string, slug: string): string {
  return `${publicOrigin}/pki/crl/${slug}.crl`;
}

/** Where the certificate of the CA with this slug is published. */
export function caCertUrlFor(publicOrigin: string, slug: string): string {
  return `${publicOrigin}/pki/ca/${slug}.crt`;
}

/** CRL number (2.5.29.20), not critical. */
export function crlNumberExtension(crlNumber: number): x509.Extension {
  return new x509.Extension(OID.crlNumber, false, AsnConvert.serialize(new asn1X509.CRLNumber(crlNumber)));
}

/** The CRL number of a CRL, or 0 when it has none. */
export function crlNumberOf(crl: CrlDocument): number {
  const extension = crl.extensions.find((e) => e.extnID === OID.crlNumber);
  return extension ? AsnConvert.parse(extension.extnValue.buffer, asn1X509.CRLNumber).value : 0;
}

/** Where our OCSP responder answers (for every CA of ours). */
export function ocspUrlFor(publicOrigin: string): string {
  return `${publicOrigin}/pki/ocsp`;
}

/** CRL distribution point and authority information access (OCSP, caIssuers) of a certificate we issue. */
export function publicationExtensions(urls: { crl: string; issuerCert: string; ocsp: string }): x509.Extension[] {
  return [new x509.CRLDistributionPointsExtension([urls.crl]), new x509.AuthorityInfoAccessExtension({ ocsp: urls.ocsp, caIssuers: urls.issuerCert })];
}

/** The authority key identifier of what `issuer` signs: its own subject key identifier. */
export async function authorityKeyIdentifier(issuer: x509.X509Certificate, crypto: Crypto): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId, false) : x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, crypto);
}

/** Bytes in the shape @peculiar/x509 accepts (a copy backed by a plain ArrayBuffer). */
export function derBytes(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(data);
}

/** A stored certificate (ca_certificate.der, issued_certificate.der) as an X509Certificate. */
export function certificateOf(der: Uint8Array): x509.X509Certificate {
  return new x509.X509Certificate(derBytes(der));
}
