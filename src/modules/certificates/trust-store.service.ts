import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService, type AuditActor } from '../audit';
import { CA_FAMILY_PROFILES } from './ca-profiles';
import { CaCertificate, CaRole, CredentialFamilyCode, isRevocationPolicy, REVOCATION_POLICIES, type RevocationPolicyCode } from './certificates.entity';
import { CertificatesRepository, TrustStamp } from './certificates.repository';
import { loadFamilyMapping } from './family-mapping';
import {
  CertificateInput,
  CertificateValidator,
  createValidator,
  CrlRevocationSource,
  FamilyMapping,
  loadCertificates,
  OcspRevocationSource,
  Purpose,
  ValidationResult,
  type OcspFetcher,
  type OcspSettings,
  type RevocationSource,
} from './validation';
import { HttpOcspFetcher } from './ocsp/ocsp-http-fetcher';
import { x509 } from './validation/x509-runtime';
import { certificatesError } from './certificates.errors';

/** How often, at most, the database is asked whether the trust store or the CRLs changed. */
const STAMP_CHECK_MS = 3000;

export interface TrustValidateOptions {
  purpose: Purpose;
  /** Time of validation (default now). */
  at?: Date;
  /** Untrusted intermediates sent with the leaf. */
  extraIntermediates?: readonly CertificateInput[];
}

export interface TrustAddInput {
  /** PEM or DER of one CA certificate. */
  certificate: string | Uint8Array;
  family: CredentialFamilyCode;
  /** Default: root when self-issued, else issuing. */
  role?: CaRole;
  /** Where this CA publishes its CRL (fetched by the 'crl-refresh' job). */
  crlUrl?: string;
  /** How sign-in checks the revocation of what is under this CA (default 'ocsp-first'). */
  revocationPolicy?: RevocationPolicyCode;
  /** The OCSP responder to ask instead of the certificates' authorityInfoAccess address. */
  ocspUrl?: string;
}

/** What sign-in uses to ask OCSP (validation/ocsp-revocation-source.ts). */
const OCSP_CLIENT = { timeoutMs: 4000, clockSkewSeconds: 300, maxCacheSeconds: 3600, maxAgeWithoutNextUpdateSeconds: 300 };

const URL_PATTERN = /^https?:\/\/\S+$/;

/**
 * The revocation settings of every CA, by SHA-256 fingerprint: an anchor's own, and for an
 * issuing CA its anchor's (its parent, or the root whose subject is its issuer), else its own.
 */
function revocationSettings(cas: CaCertificate[]): Map<string, OcspSettings> {
  const settingsOf = (ca: CaCertificate): OcspSettings => ({ policy: ca.revocationPolicy, ocspUrl: ca.ocspUrl ?? undefined });
  const roots = cas.filter((ca) => ca.role === 'root');
  const rootSubjects = new Map(roots.map((ca) => [Buffer.from(new x509.X509Certificate(new Uint8Array(ca.der)).subjectName.toArrayBuffer()).toString('hex'), ca]));
  const byId = new Map(cas.map((ca) => [ca.id, ca]));
  const settings = new Map<string, OcspSettings>();
  for (const ca of cas) {
    let anchor: CaCertificate | undefined = ca.role === 'root' ? ca : ca.parentId !== null ? byId.get(ca.parentId) : undefined;
    if (!anchor && ca.role !== 'root') anchor = rootSubjects.get(Buffer.from(new x509.X509Certificate(new Uint8Array(ca.der)).issuerName.toArrayBuffer()).toString('hex'));
    settings.set(ca.fingerprint, settingsOf(anchor ?? ca));
  }
  return settings;
}

function fingerprintOf(cert: x509.X509Certificate): string {
  return createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex').toUpperCase();
}

/** A CA certificate that cannot go into the trust store: every problem listed. */
export class TrustInputError extends Error {
  override readonly name = 'TrustInputError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** A trust store row without the DER, for lists and JSON. */
export type TrustEntry = Omit<CaCertificate, 'der'>;

export function trustEntry(row: CaCertificate): TrustEntry {
  const { der: _der, ...entry } = row;
  return entry;
}

function isSelfIssued(cert: x509.X509Certificate): boolean {
  return Buffer.from(cert.subjectName.toArrayBuffer()).equals(Buffer.from(cert.issuerName.toArrayBuffer()));
}

interface Loaded {
  stamp: TrustStamp;
  validator: CertificateValidator;
}

/**
 * The trust store: CA certificates by family (imported with `pki trust add` or made by
 * `pki dev-init`), and the one validator built from it that the login and registration use.
 * The validator trusts the enabled roots (each restricted to its family's credentials) and the
 * enabled issuing CAs, checks revocation with the newest CRL of every CA from the crl table and
 * fails closed ('require'). It is rebuilt when the trust store or the CRLs change: this process
 * invalidates it at once, other processes notice within a few seconds (a cheap stamp query).
 */
@Injectable()
export class TrustStoreService {
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;
  private checkedAt = 0;
  /** Bumped by invalidate(): a rebuild that started before it does not keep its result. */
  private generation = 0;
  private familyMapping: FamilyMapping | undefined;
  /** The network of the OCSP client (replaceable for tests of the Nest side). */
  ocspFetcher: OcspFetcher = new HttpOcspFetcher();

  constructor(
    private readonly repository: CertificatesRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Validates a leaf certificate (PEM or DER) for login or registration. Never throws for a bad certificate. */
  async validate(leaf: CertificateInput, options: TrustValidateOptions): Promise<ValidationResult> {
    const { validator } = await this.current();
    return validator.validate(leaf, { purpose: options.purpose, at: options.at, extraIntermediates: options.extraIntermediates });
  }

  /** Forget the built validator: the next validation rebuilds it from the database. */
  invalidate(): void {
    this.loaded = undefined;
    this.checkedAt = 0;
    this.generation++;
  }

  private async current(): Promise<Loaded> {
    if (this.loaded && Date.now() - this.checkedAt < STAMP_CHECK_MS) return this.loaded;
    this.loading ??= this.refreshIfChanged().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refreshIfChanged(): Promise<Loaded> {
    const generation = this.generation;
    const stamp = await this.repository.trustStamp();
    if (generation === this.generation) this.checkedAt = Date.now();
    const loaded = this.loaded;
    if (loaded && loaded.stamp.crlMaxId === stamp.crlMaxId && loaded.stamp.caCount === stamp.caCount && loaded.stamp.caChangedAt === stamp.caChangedAt) {
      return loaded;
    }
    const [cas, crls] = await Promise.all([this.repository.enabledCas(), this.repository.latestCrls()]);
    this.familyMapping ??= loadFamilyMapping(this.config.familyMappingFile);
    const validator = createValidator({
      anchors: cas
        .filter((ca) => ca.role === 'root')
        .map((ca) => ({ certificate: new Uint8Array(ca.der), families: CA_FAMILY_PROFILES[ca.family].credentialFamilies })),
      intermediates: cas.filter((ca) => ca.role === 'issuing').map((ca) => new Uint8Array(ca.der)),
      familyMapping: this.familyMapping,
      revocation: { source: this.revocationSource(cas, crls.map((crl) => new Uint8Array(crl.der))), mode: 'require' },
    });
    const fresh = { stamp, validator };
    if (generation === this.generation) this.loaded = fresh;
    return fresh;
  }

  /** The CRLs, and OCSP first (or as well) for the anchors whose policy says so. */
  private revocationSource(cas: CaCertificate[], crls: Uint8Array[]): RevocationSource {
    const crlSource = new CrlRevocationSource({ crls });
    if (cas.every((ca) => ca.revocationPolicy === 'crl-only')) return crlSource;
    const settings = revocationSettings(cas);
    const byCertificate = new WeakMap<x509.X509Certificate, OcspSettings | undefined>();
    return new OcspRevocationSource({
      ...OCSP_CLIENT,
      fetcher: this.ocspFetcher,
      crls: crlSource,
      settingsFor: (issuer) => {
        if (!byCertificate.has(issuer)) byCertificate.set(issuer, settings.get(fingerprintOf(issuer)) ?? { policy: 'crl-only' });
        return byCertificate.get(issuer);
      },
    });
  }

  /**
   * Sets how sign-in checks revocation under an anchor (`pki trust revocation`), audited; every
   * process rebuilds its validator (updated_at moves the trust stamp).
   */
  async setRevocation(reference: string, change: { policy: RevocationPolicyCode; ocspUrl: string | null }, actor?: AuditActor): Promise<CaCertificate> {
    const problems: string[] = [];
    if (!isRevocationPolicy(change.policy)) problems.push(`policy: one of ${REVOCATION_POLICIES.join(', ')}`);
    if (change.ocspUrl !== null && !URL_PATTERN.test(change.ocspUrl)) problems.push('ocsp-url: an http(s) URL');
    if (problems.length) throw new TrustInputError(problems);
    const found = await this.find(reference);
    if (!found) throw certificatesError.notFound('trust-not-found', 'errors.404.message', { reference });
    const row = await this.repository.transaction(async (manager) => {
      const locked = await this.repository.lockCa(manager, found.id);
      if (!locked) throw certificatesError.notFound('trust-not-found', 'errors.404.message', { reference });
      await this.repository.setCaRevocation(manager, locked.id, change.policy, change.ocspUrl);
      await this.audit.record(manager, {
        action: 'pki.trust.revocation',
        targetType: 'ca_certificate',
        targetId: locked.id,
        summary: { slug: locked.slug, policy: { from: locked.revocationPolicy, to: change.policy }, ocspUrl: { from: locked.ocspUrl, to: change.ocspUrl } },
        actor,
      });
      return { ...locked, revocationPolicy: change.policy, ocspUrl: change.ocspUrl };
    });
    this.invalidate();
    return row;
  }

  // ------------------------------------------------------------------------------------------
  // Administration (CLI)
  // ------------------------------------------------------------------------------------------

  list(): Promise<CaCertificate[]> {
    return this.repository.listCas();
  }

  /**
   * Checks a CA certificate for the trust store without storing it: it must be one certificate,
   * a CA (basicConstraints cA, keyCertSign when keyUsage is present), and a root must be
   * self-signed. Returns the parsed certificate and the role.
   */
  async inspect(input: TrustAddInput): Promise<{ cert: x509.X509Certificate; role: CaRole; fingerprint: string }> {
    const problems: string[] = [];
    if (!CA_FAMILY_PROFILES[input.family]) throw new TrustInputError([`family: one of ${Object.keys(CA_FAMILY_PROFILES).join(', ')}`]);
    let certs: x509.X509Certificate[];
    try {
      certs = loadCertificates(input.certificate);
    } catch (error) {
      throw new TrustInputError([`certificate: ${(error as Error).message}`]);
    }
    if (certs.length !== 1) throw new TrustInputError([`certificate: the file holds ${certs.length} certificates; add them one at a time`]);
    const [cert] = certs;
    const basic = cert.getExtension(x509.BasicConstraintsExtension);
    if (!basic?.ca) problems.push('certificate: not a CA certificate (basicConstraints cA is not set)');
    const usage = cert.getExtension(x509.KeyUsagesExtension);
    if (usage && !(usage.usages & x509.KeyUsageFlags.keyCertSign)) problems.push('certificate: its keyUsage does not allow signing certificates (keyCertSign)');
    const selfIssued = isSelfIssued(cert);
    const role = input.role ?? (selfIssued ? 'root' : 'issuing');
    if (role === 'root' && !(selfIssued && (await cert.verify({ signatureOnly: true })))) problems.push('role: a root must be self-signed; this certificate is not (use --role issuing)');
    if (input.crlUrl !== undefined && !URL_PATTERN.test(input.crlUrl)) problems.push('crl-url: an http(s) URL');
    if (input.ocspUrl !== undefined && !URL_PATTERN.test(input.ocspUrl)) problems.push('ocsp-url: an http(s) URL');
    if (input.revocationPolicy !== undefined && !isRevocationPolicy(input.revocationPolicy)) problems.push(`revocation: one of ${REVOCATION_POLICIES.join(', ')}`);
    if (cert.notAfter.getTime() < Date.now()) problems.push(`certificate: expired on ${cert.notAfter.toISOString()}`);
    if (problems.length) throw new TrustInputError(problems);
    const fingerprint = Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex').toUpperCase();
    return { cert, role, fingerprint };
  }

  /** Adds an imported CA certificate (enabled), audited. A certificate already present is a ConflictError. */
  async add(input: TrustAddInput, actor?: AuditActor): Promise<CaCertificate> {
    const { cert, role, fingerprint } = await this.inspect(input);
    if (await this.repository.findCaByFingerprint(fingerprint)) throw certificatesError.conflict('trust-already-present', 'errors.409.message', { fingerprint });
    const slug = await this.repository.uniqueSlug(`${input.family}-${role}-${fingerprint.slice(0, 8).toLowerCase()}`);
    const row = await this.repository.transaction(async (manager) => {
      const saved = await this.repository.insertCa(manager, {
        slug,
        family: input.family,
        role,
        parentId: null,
        subjectDn: cert.subject,
        serialHex: cert.serialNumber.toUpperCase(),
        fingerprint,
        der: Buffer.from(cert.rawData),
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
        enabled: true,
        source: 'imported',
        hsmKeyLabel: null,
        crlUrl: input.crlUrl ?? null,
        revocationPolicy: input.revocationPolicy ?? 'ocsp-first',
        ocspUrl: input.ocspUrl ?? null,
      });
      await this.audit.record(manager, {
        action: 'pki.trust.add',
        targetType: 'ca_certificate',
        targetId: saved.id,
        summary: { slug, family: input.family, role, subject: cert.subject, fingerprint, notAfter: cert.notAfter.toISOString(), crlUrl: saved.crlUrl, revocationPolicy: saved.revocationPolicy, ocspUrl: saved.ocspUrl },
        actor,
      });
      return saved;
    });
    this.invalidate();
    return row;
  }

  /** The row a CLI argument names: a numeric id, a slug, or a SHA-256 fingerprint (hex, colons allowed). */
  async find(reference: string): Promise<CaCertificate | null> {
    const text = reference.trim();
    if (/^\d{1,9}$/.test(text)) return this.repository.findCa(Number(text));
    const hex = text.replace(/:/g, '');
    if (/^[0-9a-fA-F]{64}$/.test(hex)) return this.repository.findCaByFingerprint(hex);
    return this.repository.findCaBySlug(text);
  }

  /** Disables a CA certificate (it no longer anchors or chains anything), audited. */
  async disable(reference: string, actor?: AuditActor): Promise<CaCertificate> {
    const found = await this.find(reference);
    if (!found) throw certificatesError.notFound('trust-not-found', 'errors.404.message', { reference });
    const row = await this.repository.transaction(async (manager) => {
      const locked = await this.repository.lockCa(manager, found.id);
      if (!locked) throw certificatesError.notFound('trust-not-found', 'errors.404.message', { reference });
      if (!locked.enabled) throw certificatesError.conflict('trust-already-disabled', 'errors.409.message', { slug: locked.slug });
      await this.repository.setCaEnabled(manager, locked.id, false);
      await this.audit.record(manager, {
        action: 'pki.trust.disable',
        targetType: 'ca_certificate',
        targetId: locked.id,
        summary: { slug: locked.slug, family: locked.family, role: locked.role, fingerprint: locked.fingerprint },
        actor,
      });
      return { ...locked, enabled: false };
    });
    this.invalidate();
    return row;
  }
}
