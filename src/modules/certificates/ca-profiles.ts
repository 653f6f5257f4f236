// What our CAs issue, in one place: the five CA families with their development hierarchy
// names, and the leaf profiles (subject kinds) each family issues. The subject-type OIDs are
// DOMAIN.md's; which family an OID means is decided by the validator's configurable mapping,
// not here. Where public sources are silent (XCA's subject type, the DN layouts) these are our
// choices for the development CA.
import type { CredentialFamily } from './validation';
import type { CredentialFamilyCode } from './certificates.entity';
import { x509 } from './validation/x509-runtime';

export const SUBJECT_KINDS = ['personnel', 'institution', 'citizen', 'agency', 'organization', 'company', 'nhi-card'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

export function isSubjectKind(value: unknown): value is SubjectKind {
  return typeof value === 'string' && (SUBJECT_KINDS as readonly string[]).includes(value);
}

export const EKU = {
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
} as const;

export interface CaFamilyProfile {
  code: CredentialFamilyCode;
  /** Short name used in CA names: 'HCA'. */
  label: string;
  /** What the family's anchors may issue (the validator refuses other families under them). */
  credentialFamilies: readonly CredentialFamily[];
  subjectKinds: readonly SubjectKind[];
}

export const CA_FAMILY_PROFILES: Readonly<Record<CredentialFamilyCode, CaFamilyProfile>> = {
  hca: { code: 'hca', label: 'HCA', credentialFamilies: ['hca-personnel', 'hca-institution'], subjectKinds: ['personnel', 'institution'] },
  moica: { code: 'moica', label: 'MOICA', credentialFamilies: ['moica-citizen'], subjectKinds: ['citizen'] },
  gca: { code: 'gca', label: 'GCA', credentialFamilies: ['gca-agency'], subjectKinds: ['agency'] },
  xca: { code: 'xca', label: 'XCA', credentialFamilies: ['xca-organization'], subjectKinds: ['organization'] },
  moeaca: { code: 'moeaca', label: 'MOEACA', credentialFamilies: ['moeaca-company'], subjectKinds: ['company'] },
  // The development NHI card CA: its cards sign only the NHI card flows, never a certificate login.
  nhi: { code: 'nhi', label: 'NHI Card', credentialFamilies: ['nhi-card'], subjectKinds: ['nhi-card'] },
};

/** The organisation named in every development CA's DN. */
export const DEV_CA_ORGANIZATION = 'NHI Services Development';

export function devRootName(family: CredentialFamilyCode): string {
  return `CN=${CA_FAMILY_PROFILES[family].label} Root CA (DEV), O=${DEV_CA_ORGANIZATION}, C=TW`;
}

export function devIssuingName(family: CredentialFamilyCode): string {
  return `CN=${CA_FAMILY_PROFILES[family].label} Issuing CA 1 (DEV), O=${DEV_CA_ORGANIZATION}, C=TW`;
}

export interface SubjectKindProfile {
  kind: SubjectKind;
  caFamily: CredentialFamilyCode;
  /** Subject type (SDA attribute 2.16.886.1.100.2.1), also asserted as the certificate policy. */
  subjectTypeOid: string;
  keyUsage: number;
  extKeyUsage: readonly string[];
  validityDays: number;
}

const SIGNING = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation;
const FIVE_YEARS = 5 * 365 + 1;

export const SUBJECT_KIND_PROFILES: Readonly<Record<SubjectKind, SubjectKindProfile>> = {
  personnel: { kind: 'personnel', caFamily: 'hca', subjectTypeOid: '2.16.886.1.100.3.1.7', keyUsage: SIGNING, extKeyUsage: [EKU.clientAuth, EKU.emailProtection], validityDays: FIVE_YEARS },
  institution: { kind: 'institution', caFamily: 'hca', subjectTypeOid: '2.16.886.1.100.3.2.21', keyUsage: SIGNING, extKeyUsage: [EKU.clientAuth, EKU.emailProtection], validityDays: FIVE_YEARS },
  citizen: { kind: 'citizen', caFamily: 'moica', subjectTypeOid: '2.16.886.1.100.3.1.1', keyUsage: SIGNING, extKeyUsage: [EKU.clientAuth, EKU.emailProtection], validityDays: FIVE_YEARS },
  agency: { kind: 'agency', caFamily: 'gca', subjectTypeOid: '2.16.886.1.100.3.2.1.1', keyUsage: SIGNING, extKeyUsage: [EKU.clientAuth, EKU.emailProtection], validityDays: FIVE_YEARS },
  organization: { kind: 'organization', caFamily: 'xca', subjectTypeOid: '2.16.886.1.100.3.2.4', keyUsage: SIGNING, extKeyUsage: [EKU.clientAuth, EKU.emailProtection], validityDays: FIVE_YEARS },
  company: { kind: 'company', caFamily: 'moeaca', subjectTypeOid: '2.16.886.1.100.3.2.2.1.1', keyUsage: SIGNING, extKeyUsage: [EKU.clientAuth, EKU.emailProtection], validityDays: FIVE_YEARS },
  'nhi-card': { kind: 'nhi-card', caFamily: 'nhi', subjectTypeOid: '2.16.886.1.100.3.9.1', keyUsage: x509.KeyUsageFlags.digitalSignature, extKeyUsage: [EKU.clientAuth], validityDays: FIVE_YEARS },
};

/** The subject kinds a family issues, as the issuing CA's certificatePolicies. */
export function familyPolicies(family: CredentialFamilyCode): string[] {
  return CA_FAMILY_PROFILES[family].subjectKinds.map((kind) => SUBJECT_KIND_PROFILES[kind].subjectTypeOid);
}
