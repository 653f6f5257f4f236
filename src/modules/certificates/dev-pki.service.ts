import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService, type AuditActor } from '../audit';
import { devIssuingName, devRootName, familyPolicies } from './ca-profiles';
import { CA_FAMILIES, CaCertificate, CaRole, CredentialFamilyCode } from './certificates.entity';
import { CertificatesRepository } from './certificates.repository';
import { CrlService } from './crl.service';
import { HsmService } from './hsm.service';
import { authorityKeyIdentifier, caCertUrlFor, certificateOf, crlUrlFor, derBytes, ocspUrlFor, publicationExtensions, randomSerialHex } from './pki-extensions';
import { x509 } from './validation/x509-runtime';
import { certificatesError } from './certificates.errors';

const YEAR_MS = 365.25 * 24 * 60 * 60 * 1000;
const ROOT_YEARS = 20;
const ISSUING_YEARS = 10;
const BACKDATE_MS = 60 * 60 * 1000;

export type DevCaStatus = 'present' | 'created' | 'replaced' | 'would-create';

export interface DevCaReport {
  family: CredentialFamilyCode;
  role: CaRole;
  status: DevCaStatus;
  slug?: string;
  subject: string;
  fingerprint?: string;
  /** Why an existing CA was replaced. */
  detail?: string;
}

export interface DevInitReport {
  dryRun: boolean;
  token: { label: string; status: 'present' | 'created' | 'would-create' };
  cas: DevCaReport[];
  crls: Array<{ slug: string; crlNumber: number }>;
}

/**
 * `pki dev-init`: the development PKI. Creates (idempotently) the CA token, and for each family
 * a root CA and an issuing CA with keys generated on the token, stored enabled in the trust store
 * (source 'dev'), each change audited; then a first CRL for every CA that has no fresh one.
 * A CA whose key is no longer on the token (the token was wiped) is disabled and replaced.
 * Refused in production.
 */
@Injectable()
export class DevPkiService {
  constructor(
    private readonly repository: CertificatesRepository,
    private readonly hsm: HsmService,
    private readonly crls: CrlService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async init(options: { dryRun?: boolean; actor?: AuditActor } = {}): Promise<DevInitReport> {
    if (this.config.nodeEnv === 'production') throw certificatesError.forbidden('dev-pki-in-production', 'errors.403.message');
    const dryRun = !!options.dryRun;
    const tokenPresent = this.hsm.findToken() !== undefined;
    const report: DevInitReport = {
      dryRun,
      token: { label: this.hsm.tokenLabel, status: tokenPresent ? 'present' : dryRun ? 'would-create' : 'created' },
      cas: [],
      crls: [],
    };
    if (!dryRun && !tokenPresent) this.hsm.ensureToken();
    for (const family of CA_FAMILIES) {
      const root = await this.ensureCa(family, 'root', undefined, dryRun, options.actor);
      report.cas.push(root.report);
      const issuing = await this.ensureCa(family, 'issuing', root.row, dryRun, options.actor);
      report.cas.push(issuing.report);
    }
    if (!dryRun) {
      const refreshed = await this.crls.refresh();
      report.crls = refreshed.published.map((crl) => ({ slug: crl.slug, crlNumber: crl.crlNumber }));
    }
    return report;
  }

  private async ensureCa(
    family: CredentialFamilyCode,
    role: CaRole,
    parent: CaCertificate | undefined,
    dryRun: boolean,
    actor: AuditActor | undefined,
  ): Promise<{ row?: CaCertificate; report: DevCaReport }> {
    const subject = role === 'root' ? devRootName(family) : devIssuingName(family);
    // An issuing CA is looked for under this root only; a root that is about to be created has none.
    const existing = role === 'issuing' && !parent ? [] : await this.repository.devCas(family, role, parent?.id);
    const [current] = existing;
    const tokenPresent = this.hsm.findToken() !== undefined;
    if (current && tokenPresent && current.hsmKeyLabel && this.hsm.hasKey(current.hsmKeyLabel)) {
      return { row: current, report: { family, role, status: 'present', slug: current.slug, subject: current.subjectDn, fingerprint: current.fingerprint } };
    }
    const detail = current ? `the key "${current.hsmKeyLabel}" of ${current.slug} is not on the HSM token` : undefined;
    if (dryRun) return { report: { family, role, status: 'would-create', subject, detail } };
    if (current) await this.disableWithChildren(current, actor);
    const row = await this.createCa(family, role, subject, parent, actor);
    return { row, report: { family, role, status: current ? 'replaced' : 'created', slug: row.slug, subject: row.subjectDn, fingerprint: row.fingerprint, detail } };
  }

  private async disableWithChildren(ca: CaCertificate, actor: AuditActor | undefined): Promise<void> {
    const affected = [ca, ...(await this.repository.childCas(ca.id))];
    await this.repository.transaction(async (manager) => {
      for (const row of affected) {
        await this.repository.setCaEnabled(manager, row.id, false);
        await this.audit.record(manager, {
          action: 'pki.trust.disable',
          targetType: 'ca_certificate',
          targetId: row.id,
          summary: { slug: row.slug, fingerprint: row.fingerprint, reason: 'dev CA key missing from the HSM' },
          actor,
        });
      }
    });
  }

  /** A development CA, key on the HSM, trusted (dev-init; tests make hierarchies of their own with it). */
  async createCa(family: CredentialFamilyCode, role: CaRole, subject: string, parent: CaCertificate | undefined, actor: AuditActor | undefined): Promise<CaCertificate> {
    const slug = await this.repository.uniqueSlug(role === 'root' ? `${family}-root` : `${family}-issuing-1`);
    const keyLabel = `ca-${slug}-${randomBytes(4).toString('hex')}`;
    const spki = derBytes(this.hsm.generateKey(keyLabel));
    const now = Date.now();
    const notBefore = new Date(now - BACKDATE_MS);
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(true, role === 'issuing' ? 0 : undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(spki, false, this.hsm.crypto),
    ];
    let notAfter = new Date(now + ROOT_YEARS * YEAR_MS);
    let issuerName: string | x509.Name = subject;
    let signingKeyLabel = keyLabel;
    if (parent) {
      const parentCert = certificateOf(parent.der);
      notAfter = new Date(Math.min(now + ISSUING_YEARS * YEAR_MS, parentCert.notAfter.getTime()));
      issuerName = parentCert.subjectName;
      signingKeyLabel = parent.hsmKeyLabel as string;
      extensions.push(
        await authorityKeyIdentifier(parentCert, this.hsm.crypto),
        new x509.CertificatePolicyExtension(familyPolicies(family), false),
        ...publicationExtensions({
        crl: parent.crlUrl ?? crlUrlFor(this.config.publicOrigin, parent.slug),
        issuerCert: caCertUrlFor(this.config.publicOrigin, parent.slug),
        ocsp: ocspUrlFor(this.config.publicOrigin),
      }),
      );
    }
    const cert = await this.hsm.createCertificate(signingKeyLabel, {
      serialNumber: randomSerialHex(),
      subject,
      issuer: issuerName,
      notBefore,
      notAfter,
      publicKey: spki,
      extensions,
    });
    const der = Buffer.from(cert.rawData);
    const fingerprint = Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex').toUpperCase();
    return this.repository.transaction(async (manager) => {
      const row = await this.repository.insertCa(manager, {
        slug,
        family,
        role,
        parentId: parent?.id ?? null,
        subjectDn: cert.subject,
        serialHex: cert.serialNumber.toUpperCase(),
        fingerprint,
        der,
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
        enabled: true,
        source: 'dev',
        hsmKeyLabel: keyLabel,
        crlUrl: crlUrlFor(this.config.publicOrigin, slug),
        // Our own CRLs are in our database (re-signed after every change); no OCSP round trip to ourselves.
        revocationPolicy: 'crl-only',
        ocspUrl: null,
      });
      await this.audit.record(manager, {
        action: 'pki.ca.create',
        targetType: 'ca_certificate',
        targetId: row.id,
        summary: { slug, family, role, subject: cert.subject, fingerprint, hsmKeyLabel: keyLabel, notAfter: cert.notAfter.toISOString() },
        actor,
      });
      return row;
    });
  }
}
