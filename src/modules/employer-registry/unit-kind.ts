import type { CredentialFamily, ValidationSuccess } from '../certificates';

/** The kinds of unit in the employer registry, each with the certificate family that identifies it. */
export const UNIT_KINDS = ['agency', 'organization', 'company', 'institution'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const UNIT_KIND_FAMILY: Readonly<Record<UnitKind, CredentialFamily>> = {
  agency: 'gca-agency',
  organization: 'xca-organization',
  company: 'moeaca-company',
  institution: 'hca-institution',
};

/** The families a unit's certificate may be of (any kind). */
export const UNIT_FAMILIES: readonly CredentialFamily[] = Object.values(UNIT_KIND_FAMILY);

/** The identifier an organisation certificate carries, as the registry is compared on it. */
export interface CertificateIdentifier {
  kind: UnitKind;
  /** agency OID (GCA, XCA: attribute 2.16.886.1.100.2.102), business number (MOEACA: 2.16.886.1.100.2.101), institution code (HCA: serialNumber). */
  value: string;
}

/**
 * The unit kind and identifier of a validated organisation certificate; null for a certificate
 * of another family or one without its identifier.
 */
export function certificateIdentifier(result: Pick<ValidationSuccess, 'family' | 'directoryAttributes' | 'subject'>): CertificateIdentifier | null {
  const attributes = result.directoryAttributes;
  const serial = result.subject.serialNumber?.trim() || undefined;
  let found: CertificateIdentifier | null = null;
  switch (result.family) {
    case 'gca-agency':
      found = { kind: 'agency', value: attributes.agencyOid ?? '' };
      break;
    case 'xca-organization':
      found = { kind: 'organization', value: attributes.agencyOid ?? '' };
      break;
    case 'moeaca-company':
      found = { kind: 'company', value: attributes.businessNumber ?? serial ?? '' };
      break;
    case 'hca-institution':
      found = { kind: 'institution', value: serial ?? '' };
      break;
    default:
      return null;
  }
  return found.value ? found : null;
}
