// Turns one DER-encoded ASN.1 value of unknown type into text: character strings give their
// characters, object identifiers their dotted form, anything else '#' + hex (RFC 4514 style).
import * as asn1js from 'asn1js';

export function hex(data: ArrayBuffer | Uint8Array): string {
  return Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)).toString('hex').toUpperCase();
}

export function asn1ValueText(der: ArrayBuffer): string {
  const { offset, result } = asn1js.fromBER(der);
  if (offset === -1) throw new Error(`cannot decode ASN.1 value: ${result.error}`);
  if (result instanceof asn1js.ObjectIdentifier) return result.getValue();
  if (result instanceof asn1js.BaseStringBlock) return result.getValue();
  return `#${hex(der)}`;
}
