// Distinguished names: comparison keys (RFC 5280 section 7.1, simplified RFC 4518 preparation:
// NFKC, case folded, outer spaces trimmed, inner runs of spaces collapsed; the string type
// (PrintableString vs UTF8String) does not matter), subtree tests for name constraints, and the
// readable subject fields handed to callers.
import * as asn1X509 from '@peculiar/asn1-x509';
import { asn1ValueText, hex } from './asn1-text';
import { OID } from './oids';

export interface NormalizedName {
  /** Equal keys mean equal names. */
  readonly key: string;
  /** One entry per RDN, in order, for subtree (prefix) tests. */
  readonly rdns: readonly string[];
}

/** The value of a name attribute as text; undefined when it is not a character string. */
export function attributeValueText(value: asn1X509.AttributeValue): string | undefined {
  const text =
    value.utf8String ??
    value.printableString ??
    value.ia5String ??
    value.bmpString ??
    value.universalString ??
    value.teletexString;
  if (text !== undefined) return text;
  if (value.anyValue) {
    const decoded = asn1ValueText(value.anyValue);
    return decoded.startsWith('#') ? undefined : decoded;
  }
  return undefined;
}

function prepare(value: asn1X509.AttributeValue): string {
  const text = attributeValueText(value);
  if (text === undefined) return `#${hex(value.anyValue ?? new ArrayBuffer(0))}`;
  return text.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}

export function normalizeName(name: asn1X509.Name): NormalizedName {
  const rdns = name.map((rdn) =>
    JSON.stringify(rdn.map((atv) => [atv.type, prepare(atv.value)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
  return { key: JSON.stringify(rdns), rdns };
}

/** True when `name` lies in the subtree rooted at `base` (base's RDNs are a prefix of name's). */
export function nameWithin(name: NormalizedName, base: NormalizedName): boolean {
  return base.rdns.length <= name.rdns.length && base.rdns.every((rdn, index) => rdn === name.rdns[index]);
}

/** Readable fields of a subject (or issuer) name. Multi-valued attributes keep every value. */
export interface SubjectFields {
  /** The whole name as RFC 4514-style text, e.g. "CN=王小明, serialNumber=A123456789, C=TW". */
  dn: string;
  commonName?: string;
  /** X.520 serialNumber (2.5.4.5); for HCA personnel cards it carries the national ID. */
  serialNumber?: string;
  organization?: string;
  organizationalUnits: string[];
  country?: string;
  locality?: string;
  stateOrProvince?: string;
  title?: string;
  givenName?: string;
  surname?: string;
  email?: string;
  /** Every attribute by OID, values as text ('#hex' for non-string values). */
  attributes: Record<string, string[]>;
}

export function subjectFields(name: asn1X509.Name, dn: string): SubjectFields {
  const attributes: Record<string, string[]> = {};
  for (const rdn of name) {
    for (const atv of rdn) {
      const text = attributeValueText(atv.value) ?? `#${hex(atv.value.anyValue ?? new ArrayBuffer(0))}`;
      (attributes[atv.type] ??= []).push(text);
    }
  }
  const first = (oid: string) => attributes[oid]?.[0];
  return {
    dn,
    commonName: first(OID.commonName),
    serialNumber: first(OID.serialNumber),
    organization: first(OID.organization),
    organizationalUnits: attributes[OID.organizationalUnit] ?? [],
    country: first(OID.country),
    locality: first(OID.locality),
    stateOrProvince: first(OID.stateOrProvince),
    title: first(OID.title),
    givenName: first(OID.givenName),
    surname: first(OID.surname),
    email: first(OID.emailAddress),
    attributes,
  };
}
