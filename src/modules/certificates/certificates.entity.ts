import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';

const bool = { to: (v: boolean) => v, from: (v: number | boolean) => Boolean(v) };
const bigintNumber = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/** The CA families of the trust store (see ca-profiles.ts for what each issues). */
export const CA_FAMILIES = ['hca', 'moica', 'gca', 'xca', 'moeaca', 'nhi'] as const;
export type CredentialFamilyCode = (typeof CA_FAMILIES)[number];

export function isCaFamily(value: unknown): value is CredentialFamilyCode {
  return typeof value === 'string' && (CA_FAMILIES as readonly string[]).includes(value);
}

export type CaRole = 'root' | 'issuing';

export const REVOCATION_POLICIES = ['ocsp-first', 'crl-only', 'both'] as const;
export type RevocationPolicyCode = (typeof REVOCATION_POLICIES)[number];

export function isRevocationPolicy(value: unknown): value is RevocationPolicyCode {
  return typeof value === 'string' && (REVOCATION_POLICIES as readonly string[]).includes(value);
}

/** A CA certificate in the trust store: a root (trust anchor) or an intermediate, by family. */
@Entity('ca_certificate')
export class CaCertificate {
  @PrimaryGeneratedColumn() id: number;
  /** URL name: /pki/ca/<slug>.crt and /pki/crl/<slug>.crl. */
  @Column({ type: 'varchar' }) slug: string;
  @Column({ type: 'varchar' }) family: CredentialFamilyCode;
  @Column({ type: 'varchar' }) role: CaRole;
  /** The CA that issued this one, when it is in the trust store too. */
  @Column({ name: 'parent_id', type: 'int', nullable: true }) parentId: number | null;
  @Column({ name: 'subject_dn', type: 'varchar' }) subjectDn: string;
  /** Serial number, hex uppercase without a sign octet. */
  @Column({ name: 'serial_hex', type: 'varchar' }) serialHex: string;
  /** SHA-256 of the DER encoding, hex uppercase. */
  @Column({ type: 'char' }) fingerprint: string;
  @Column({ type: 'blob' }) der: Buffer;
  @Column({ name: 'not_before', type: 'datetime', precision: 3 }) notBefore: Date;
  @Column({ name: 'not_after', type: 'datetime', precision: 3 }) notAfter: Date;
  @Column({ type: 'tinyint', transformer: bool }) enabled: boolean;
  /** 'dev' (made by `pki dev-init`, key in our PKCS#11 token) or 'imported'. */
  @Column({ type: 'varchar' }) source: 'dev' | 'imported';
  /** Label of the CA's signing key in the HSM, when we are this CA. */
  @Column({ name: 'hsm_key_label', type: 'varchar', nullable: true }) hsmKeyLabel: string | null;
  /** Where the CRL this CA signs is published (the CRL distribution point of what it issues). */
  @Column({ name: 'crl_url', type: 'varchar', nullable: true }) crlUrl: string | null;
  /**
   * Of an anchor (and its issuing CAs): how sign-in checks revocation: 'crl-only', 'ocsp-first'
   * (the CRLs when OCSP gives no usable answer) or 'both' (validation/ocsp-revocation-source.ts).
   */
  @Column({ name: 'revocation_policy', type: 'varchar' }) revocationPolicy: RevocationPolicyCode;
  /** The OCSP responder to ask instead of the address in the certificates' authorityInfoAccess. */
  @Column({ name: 'ocsp_url', type: 'varchar', nullable: true }) ocspUrl: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  /** Set on every change: the trust store notices changes by MAX(updated_at). */
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
}

export type IssuedStatus = 'good' | 'on-hold' | 'revoked';

/** A certificate one of our CAs issued, with its revocation state. */
@Entity('issued_certificate')
export class IssuedCertificate {
  @PrimaryGeneratedColumn() id: number;
  @Column({ name: 'issuer_id', type: 'int' }) issuerId: number;
  /** Serial number, hex uppercase without a sign octet. */
  @Column({ name: 'serial_hex', type: 'varchar' }) serialHex: string;
  @Column({ type: 'varchar' }) family: CredentialFamilyCode;
  /** personnel | institution | citizen | agency | organization | company (ca-profiles.ts). */
  @Column({ name: 'subject_kind', type: 'varchar' }) subjectKind: string;
  /** Subject DN with national IDs masked (the DER holds the real one). */
  @Column({ name: 'subject_dn', type: 'varchar' }) subjectDn: string;
  /** Who holds it, in the caller's terms (e.g. 'card:<id>'). */
  @Column({ name: 'holder_ref', type: 'varchar', nullable: true }) holderRef: string | null;
  @Column({ type: 'blob' }) der: Buffer;
  @Column({ name: 'not_before', type: 'datetime', precision: 3 }) notBefore: Date;
  @Column({ name: 'not_after', type: 'datetime', precision: 3 }) notAfter: Date;
  @Column({ type: 'varchar' }) status: IssuedStatus;
  /** CRL reason name (keyCompromise, certificateHold, ...). */
  @Column({ name: 'revocation_reason', type: 'varchar', nullable: true }) revocationReason: string | null;
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true }) revokedAt: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt: Date;
  @VersionColumn() version: number;
}

/** A CRL: one we signed for our own CA, or one fetched from another CA's distribution point. */
@Entity('crl')
export class CrlRecord {
  @PrimaryGeneratedColumn() id: number;
  @Column({ name: 'issuer_id', type: 'int' }) issuerId: number;
  /** The crlNumber extension (0 when a fetched CRL has none). */
  @Column({ name: 'crl_number', type: 'bigint', transformer: bigintNumber }) crlNumber: number;
  @Column({ name: 'this_update', type: 'datetime', precision: 3 }) thisUpdate: Date;
  @Column({ name: 'next_update', type: 'datetime', precision: 3, nullable: true }) nextUpdate: Date | null;
  /** SHA-256 of the DER encoding, hex uppercase. */
  @Column({ type: 'char' }) fingerprint: string;
  @Column({ type: 'longblob' }) der: Buffer;
  @Column({ name: 'fetched_from', type: 'varchar', nullable: true }) fetchedFrom: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
