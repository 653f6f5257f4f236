// The subject of a leaf certificate per subject kind: its DN layout and the Taiwan attributes of
// its Subject Directory Attributes extension (2.5.29.9), as the validator reads them back.
//   personnel    CN=<name>, serialNumber=<national ID>, O=<institution name>, C=TW   card type
//   institution  CN=<institution name>, serialNumber=<10-digit institution code>, C=TW card type
//   citizen      CN=<name>, serialNumber=<16-digit card serial>, C=TW               last 4 of the ID
//   agency       CN=<agency name>, O=<parent>, serialNumber=<agency OID>, C=TW       agency OID
//   organization CN=<organization name>, O=<parent>, serialNumber=<org OID>, C=TW    organization OID
//   company      CN=<company name>, serialNumber=<business number>, C=TW            business number
//   nhi-card     CN=<holder's name>, serialNumber=<12-digit NHI card number>, C=TW  (development NHI card CA)
import { randomInt } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { maskNationalId, validateBusinessNumber, validateInstitutionCode, validateNationalId } from '../../common/identifiers';
import { SUBJECT_KIND_PROFILES, SubjectKind } from './ca-profiles';
import { OID } from './validation';
import { x509 } from './validation/x509-runtime';

export const CARD_TYPES = ['main', 'attached', 'test'] as const;
export type CardType = (typeof CARD_TYPES)[number];

export interface LeafSubject {
  /** CN: the person's or the organisation's name (at most 64 characters). */
  name: string;
  /** personnel (serialNumber) and citizen (its last four digits as an attribute). */
  nationalId?: string;
  /** institution: 10-digit medical institution code. */
  institutionCode?: string;
  /** O: personnel's institution, agency's or organisation's parent body (optional). */
  organization?: string;
  /** company: 8-digit business number. */
  businessNumber?: string;
  /** agency, organization: the body's OID. */
  agencyOid?: string;
  /** citizen: card-specific serial in the DN (16 digits; generated when absent). */
  cardSerial?: string;
  /** nhi-card: the 12-digit NHI card number (serialNumber). */
  cardNumber?: string;
  /** personnel, institution: main / attached / test card (default main). */
  cardType?: CardType;
}

type DirectoryValue = { oid: string } | { printable: string };

export interface BuiltSubject {
  name: x509.Name;
  /** The DN as shown, national IDs masked (what issued_certificate.subject_dn stores). */
  maskedDn: string;
  attributes: Record<string, DirectoryValue>;
}

const OID_PATTERN = /^[0-2](\.\d+){2,}$/;
const NAME_MAX = 64;

/** Problems with a subject for a kind (empty when fine). */
export function subjectProblems(kind: SubjectKind, subject: LeafSubject): string[] {
  const problems: string[] = [];
  const name = subject.name?.trim() ?? '';
  if (!name || name.length > NAME_MAX) problems.push(`name: required, at most ${NAME_MAX} characters`);
  if (subject.organization !== undefined && (!subject.organization.trim() || subject.organization.length > NAME_MAX)) {
    problems.push(`organization: at most ${NAME_MAX} characters`);
  }
  const need = (field: keyof LeafSubject, ok: boolean, what: string) => {
    if (!ok) problems.push(`${field}: ${what}`);
  };
  switch (kind) {
    case 'personnel':
    case 'citizen':
      need('nationalId', validateNationalId(subject.nationalId).ok, 'a valid national ID or resident certificate number');
      if (kind === 'citizen' && subject.cardSerial !== undefined) need('cardSerial', /^\d{16}$/.test(subject.cardSerial), '16 digits');
      break;
    case 'institution':
      need('institutionCode', validateInstitutionCode(subject.institutionCode).ok, 'a 10-digit medical institution code');
      break;
    case 'company':
      need('businessNumber', validateBusinessNumber(subject.businessNumber).ok, 'a valid 8-digit business number');
      break;
    case 'agency':
    case 'organization':
      need('agencyOid', OID_PATTERN.test(subject.agencyOid ?? ''), 'an OID such as 2.16.886.101.20003');
      break;
    case 'nhi-card':
      need('cardNumber', /^\d{12}$/.test(subject.cardNumber ?? ''), '12 digits');
      break;
  }
  if (subject.cardType !== undefined && !(CARD_TYPES as readonly string[]).includes(subject.cardType)) problems.push('cardType: main, attached or test');
  return problems;
}

/** A random 16-digit card serial for a citizen certificate. */
export function randomCardSerial(): string {
  return Array.from({ length: 16 }, () => randomInt(10)).join('');
}

/**
 * The subject DN and directory attributes of a leaf (call subjectProblems first).
 * `subjectTypeOid` overrides the kind's subject type (tests make certificates of no family).
 */
export function buildSubject(kind: SubjectKind, subject: LeafSubject, subjectTypeOid = SUBJECT_KIND_PROFILES[kind].subjectTypeOid): BuiltSubject {
  const rdns: Array<[string, string]> = [[OID.commonName, subject.name.trim()]];
  const attributes: Record<string, DirectoryValue> = { [OID.twSubjectType]: { oid: subjectTypeOid } };
  const nationalId = subject.nationalId ? validateNationalId(subject.nationalId) : undefined;
  const id = nationalId?.ok ? nationalId.value : '';
  let masked: string | undefined;
  switch (kind) {
    case 'personnel':
      rdns.push([OID.serialNumber, id]);
      masked = maskNationalId(id);
      if (subject.organization) rdns.push([OID.organization, subject.organization.trim()]);
      attributes[OID.twCardType] = { printable: subject.cardType ?? 'main' };
      break;
    case 'institution':
      rdns.push([OID.serialNumber, (subject.institutionCode ?? '').replace(/[\s-]+/g, '')]);
      attributes[OID.twCardType] = { printable: subject.cardType ?? 'main' };
      break;
    case 'citizen':
      rdns.push([OID.serialNumber, subject.cardSerial ?? randomCardSerial()]);
      attributes[OID.twNationalIdLast4] = { printable: id.slice(-4) };
      break;
    case 'agency':
    case 'organization':
      if (subject.organization) rdns.push([OID.organization, subject.organization.trim()]);
      rdns.push([OID.serialNumber, subject.agencyOid ?? '']);
      attributes[OID.twAgencyOid] = { oid: subject.agencyOid ?? '' };
      break;
    case 'company':
      rdns.push([OID.serialNumber, (subject.businessNumber ?? '').trim()]);
      attributes[OID.twBusinessNumber] = { printable: (subject.businessNumber ?? '').trim() };
      break;
    case 'nhi-card':
      rdns.push([OID.serialNumber, subject.cardNumber ?? '']);
      break;
  }
  rdns.push([OID.country, 'TW']);
  const name = new x509.Name(rdns.map(([type, value]) => ({ [type]: [attributeValue(value)] })) as unknown as x509.JsonNameParams);
  const shown = new x509.Name(
    rdns.map(([type, value]) => ({ [type]: [attributeValue(type === OID.serialNumber && masked ? masked : value)] })) as unknown as x509.JsonNameParams,
    { serialNumber: OID.serialNumber },
  );
  return { name, maskedDn: shown.toString(), attributes };
}

/**
 * A DN attribute value with its string type chosen here (PrintableString when the value allows
 * it, else UTF8String), so that no character of a name is read as escaping or hex.
 */
function attributeValue(value: string): { printableString: string } | { utf8String: string } {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? { printableString: value } : { utf8String: value };
}

function encodeValue(value: DirectoryValue): ArrayBuffer {
  if ('oid' in value) return new asn1js.ObjectIdentifier({ value: value.oid }).toBER();
  return new asn1js.PrintableString({ value: value.printable }).toBER();
}

/** Subject Directory Attributes (2.5.29.9): SEQUENCE OF Attribute { type, SET OF value }, not critical. */
export function directoryAttributesExtension(attributes: Record<string, DirectoryValue>): x509.Extension {
  const value = new asn1X509.SubjectDirectoryAttributes(
    Object.entries(attributes).map(([type, v]) => new asn1X509.Attribute({ type, values: [encodeValue(v)] })),
  );
  return new x509.Extension(OID.subjectDirectoryAttributes, false, AsnConvert.serialize(value));
}
