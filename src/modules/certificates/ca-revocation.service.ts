import { Injectable } from '@nestjs/common';
import { AuditService, type AuditActor } from '../audit';
import { CaCertificate, IssuedCertificate } from './certificates.entity';
import { certificatesError } from './certificates.errors';
import { CertificatesRepository } from './certificates.repository';
import { CrlService } from './crl.service';
import { CA_SUBJECT_KIND, RevocationService, type CaRevocationReason } from './revocation.service';
import { serialKey } from './validation/parse';

export interface CaRevocationPlan {
  ca: CaCertificate;
  parent: CaCertificate;
  /** The issued_certificate row of the CA under its parent, when there is one already. */
  recorded: IssuedCertificate | null;
}

export interface CaRevocationResult extends CaRevocationPlan {
  revoked: IssuedCertificate;
  /** The parent's CRL signed at once, listing the CA. */
  crl: { slug: string; crlNumber: number; entries: number } | null;
}

/**
 * Revoking one of the issuing CAs (`pki ca revoke`): its certificate is recorded under its parent
 * in issued_certificate (subject_kind 'ca', when it is not yet) and revoked there by
 * RevocationService, so the parent's CRL lists it and the parent's OCSP responder answers
 * revoked, exactly as for any certificate the parent issued; the sign-in checks every
 * intermediate against its parent's CRL, so certificates under the CA fail with `revoked`. The
 * parent must be one of our CAs (we sign its CRL); a root has no parent (disable it in the
 * trust store instead). The CA stays in the trust store, so what it issued is refused as
 * revoked rather than as unknown, and it issues nothing more (CertificateIssuer.issuingCa).
 */
@Injectable()
export class CaRevocationService {
  constructor(
    private readonly repository: CertificatesRepository,
    private readonly revocation: RevocationService,
    private readonly crls: CrlService,
    private readonly audit: AuditService,
  ) {}

  /** What `revoke` would do, or the domain error it would fail with. */
  async plan(ca: CaCertificate): Promise<CaRevocationPlan> {
    if (ca.role !== 'issuing' || ca.parentId === null) throw certificatesError.conflict('ca-not-revocable', 'errors.409.message', { slug: ca.slug, why: 'a root has no parent to revoke it: disable it with pki trust disable' });
    const parent = await this.repository.findCa(ca.parentId);
    if (!parent) throw certificatesError.conflict('ca-not-revocable', 'errors.409.message', { slug: ca.slug, why: 'its parent is not in the trust store' });
    if (!parent.hsmKeyLabel) throw certificatesError.conflict('ca-parent-not-ours', 'errors.409.message', { slug: ca.slug, parent: parent.slug });
    const recorded = await this.repository.findIssuedBySerial(parent.id, serialKey(ca.serialHex));
    if (recorded && recorded.status === 'revoked') throw certificatesError.conflict('ca-already-revoked', 'errors.409.message', { slug: ca.slug });
    return { ca, parent, recorded };
  }

  /** Revokes the CA (one transaction, audited as pki.ca.revoke and pki.certificate.revoke), then re-signs the parent's CRL. */
  async revoke(ca: CaCertificate, reason: CaRevocationReason, actor?: AuditActor): Promise<CaRevocationResult> {
    const plan = await this.plan(ca);
    const { parent } = plan;
    const revoked = await this.repository.transaction(async (manager) => {
      const row =
        plan.recorded ??
        (await this.repository.insertIssued(manager, {
          issuerId: parent.id,
          serialHex: serialKey(ca.serialHex),
          family: ca.family,
          subjectKind: CA_SUBJECT_KIND,
          subjectDn: ca.subjectDn,
          holderRef: `ca:${ca.id}`,
          der: ca.der,
          notBefore: ca.notBefore,
          notAfter: ca.notAfter,
          status: 'good',
          revocationReason: null,
          revokedAt: null,
        }));
      const changed = await this.revocation.revoke(row.id, reason, { manager, actor });
      await this.audit.record(manager, {
        action: 'pki.ca.revoke',
        targetType: 'ca_certificate',
        targetId: ca.id,
        summary: { slug: ca.slug, parent: parent.slug, serial: changed.serialHex, reason, issuedCertificateId: changed.id, fingerprint: ca.fingerprint },
        actor,
      });
      return changed;
    });
    // The worker re-signs it too (outbox); a CA revocation should not wait for it.
    const report = await this.crls.refresh({ issuerId: parent.id, force: true, actor });
    const crl = report.published.find((entry) => entry.slug === parent.slug);
    return { ...plan, revoked, crl: crl ? { slug: crl.slug, crlNumber: crl.crlNumber, entries: crl.entries } : null };
  }
}
