// Which kind of credential a certificate is, decided by configuration rather than code: a
// mapping from subject-type OIDs (Subject Directory Attributes 2.5.29.9, attribute
// 2.16.886.1.100.2.1) and from certificate policy OIDs to a credential family.
import { CertificateValidationError } from './errors';
import { OID } from './oids';
import { located, ParsedCertificate } from './parse';

export const CREDENTIAL_FAMILIES = [
  'hca-personnel',
  'hca-institution',
  'moica-citizen',
  'gca-agency',
  'xca-organization',
  'moeaca-company',
  'nhi-card',
] as const;

export type CredentialFamily = (typeof CREDENTIAL_FAMILIES)[number];

export interface FamilyMapping {
  /** Subject-type OID (SDA attribute 2.16.886.1.100.2.1) → family. */
  readonly subjectTypes: Readonly<Record<string, CredentialFamily>>;
  /** Certificate policy OID → family. */
  readonly policies: Readonly<Record<string, CredentialFamily>>;
}

/**
 * The OIDs of DOMAIN.md. Public sources do not give XCA's subject type: 2.16.886.1.100.3.2.4 is
 * our choice in the same arc (used by the development CA). The same OIDs are also accepted as
 * certificate policy OIDs, so a CA may assert them either way; real CAs' own policy OIDs can be
 * added here by configuration.
 */
const DEFAULT_OIDS: Readonly<Record<string, CredentialFamily>> = {
  '2.16.886.1.100.3.1.1': 'moica-citizen',
  '2.16.886.1.100.3.1.7': 'hca-personnel',
  '2.16.886.1.100.3.2.21': 'hca-institution',
  '2.16.886.1.100.3.2.1.1': 'gca-agency',
  '2.16.886.1.100.3.2.1.2': 'gca-agency',
  '2.16.886.1.100.3.2.2.1.1': 'moeaca-company',
  '2.16.886.1.100.3.2.3.1': 'moeaca-company',
  '2.16.886.1.100.3.2.4': 'xca-organization',
  // The development NHI card CA's subject type (our choice; the NHIA checks real cards itself).
  '2.16.886.1.100.3.9.1': 'nhi-card',
};

export const DEFAULT_FAMILY_MAPPING: FamilyMapping = Object.freeze({
  subjectTypes: Object.freeze({ ...DEFAULT_OIDS }),
  policies: Object.freeze({ ...DEFAULT_OIDS }),
});

/** Throws TypeError when a mapping names a family that does not exist (a configuration typo). */
export function assertFamilyMapping(mapping: FamilyMapping): void {
  for (const table of [mapping.subjectTypes, mapping.policies]) {
    for (const [oid, family] of Object.entries(table)) {
      if (!/^\d+(\.\d+)+$/.test(oid)) throw new TypeError(`family mapping key "${oid}" is not an OID`);
      if (!(CREDENTIAL_FAMILIES as readonly string[]).includes(family)) throw new TypeError(`family mapping for ${oid} names unknown family "${family}"`);
    }
  }
}

/** The Taiwan PKI attributes of the Subject Directory Attributes extension, by name. */
export interface DirectoryAttributes {
  /** 2.16.886.1.100.2.1: subject type OID. */
  subjectType?: string;
  /** 2.16.886.1.100.2.2: main card / attached card. */
  cardType?: string;
  /** 2.16.886.1.100.2.51: last four characters of the national ID (MOICA). */
  nationalIdLast4?: string;
  /** 2.16.886.1.100.2.101: business (unified) number (MOEACA). */
  businessNumber?: string;
  /** 2.16.886.1.100.2.102: agency / organization OID (GCA, XCA). */
  agencyOid?: string;
  /** Every attribute by OID, values as text. */
  all: Record<string, string[]>;
}

export function directoryAttributes(cert: ParsedCertificate): DirectoryAttributes {
  const all = cert.extensions.directoryAttributes;
  const first = (oid: string) => all[oid]?.[0];
  return {
    subjectType: first(OID.twSubjectType),
    cardType: first(OID.twCardType),
    nationalIdLast4: first(OID.twNationalIdLast4),
    businessNumber: first(OID.twBusinessNumber),
    agencyOid: first(OID.twAgencyOid),
    all,
  };
}

/**
 * The family of a leaf certificate. Every subject type and policy the mapping knows must point
 * to the same family; none or several distinct ones fail with 'unknown-family'. When the trust
 * anchor is restricted to some families, the family must be one of them.
 */
export function resolveFamily(
  leaf: ParsedCertificate,
  mapping: FamilyMapping,
  anchorFamilies?: readonly CredentialFamily[],
): CredentialFamily {
  const subjectTypes = leaf.extensions.directoryAttributes[OID.twSubjectType] ?? [];
  const found = new Set<CredentialFamily>();
  const lookUp = (table: Readonly<Record<string, CredentialFamily>>, oid: string) => {
    if (Object.hasOwn(table, oid)) found.add(table[oid]);
  };
  for (const oid of subjectTypes) lookUp(mapping.subjectTypes, oid);
  for (const oid of leaf.extensions.policies) lookUp(mapping.policies, oid);
  const unknown = (message: string) => new CertificateValidationError('unknown-family', message, located(leaf, 0));
  if (found.size === 0) {
    const seen = [...subjectTypes.map((oid) => `subject type ${oid}`), ...leaf.extensions.policies.map((oid) => `policy ${oid}`)];
    throw unknown(`"${leaf.subjectDn}" is not a recognised kind of credential (${seen.length ? seen.join(', ') : 'no subject type or policy'}).`);
  }
  if (found.size > 1) throw unknown(`"${leaf.subjectDn}" claims several kinds of credential: ${[...found].join(', ')}.`);
  const [family] = found;
  if (anchorFamilies && !anchorFamilies.includes(family)) {
    throw unknown(`"${leaf.subjectDn}" is a ${family} credential, which its trust anchor may not issue.`);
  }
  return family;
}
