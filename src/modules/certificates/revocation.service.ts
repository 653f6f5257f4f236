import { Injectable } from '@nestjs/common';
import type { Tx } from '../../core/database';
import type { QueueName } from '../../core/queues';
import { AuditService, type AuditActor } from '../audit';
import { OutboxService } from '../notifications';
import { IssuedCertificate, IssuedStatus } from './certificates.entity';
import { CertificatesRepository } from './certificates.repository';
import { PKI_JOBS, PKI_QUEUE, type CrlRefreshPayload } from './pki-queue';
import { certificatesError } from './certificates.errors';
import { OcspResponderService } from './ocsp/ocsp-responder.service';

/** issued_certificate.subject_kind of a CA certificate recorded under its parent (CaRevocationService). */
export const CA_SUBJECT_KIND = 'ca';

/** CRL reasons a revocation may give (certificateHold is hold(); removeFromCRL is release()). */
export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export function isRevocationReason(value: unknown): value is RevocationReason {
  return typeof value === 'string' && (REVOCATION_REASONS as readonly string[]).includes(value);
}

/** A CA certificate may also be revoked for cACompromise (RFC 5280 section 5.3.1). */
export const CA_REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'] as const;
export type CaRevocationReason = (typeof CA_REVOCATION_REASONS)[number];

export function isCaRevocationReason(value: unknown): value is CaRevocationReason {
  return typeof value === 'string' && (CA_REVOCATION_REASONS as readonly string[]).includes(value);
}

export interface RevocationOptions {
  /** The version the caller saw; the change fails with 'certificate-changed' when the row moved on. */
  expectedVersion?: number;
  actor?: AuditActor;
  /**
   * Run inside the caller's transaction (e.g. a card's state change and its certificate's hold
   * commit or roll back together). Default: a transaction of its own.
   */
  manager?: Tx;
}

type Change = { action: 'revoke' | 'hold' | 'release'; from: readonly IssuedStatus[]; to: IssuedStatus; reason: string | null };

/**
 * Revocation of certificates our CAs issued: revoke with a reason, hold (suspend: CRL reason
 * certificateHold) and release (resume: off the next CRL). Each change is one transaction (its
 * own, or the caller's: options.manager) with an optimistic version check, its audit row, the
 * OCSP answers cached about it made unusable (before and after the commit: the responder answers
 * the new state at once, in every process) and a 'crl-refresh' job in the outbox, so the CRL is
 * re-signed soon after the change commits (and never for a change that rolled back).
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly repository: CertificatesRepository,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly ocsp: OcspResponderService,
  ) {}

  /** cACompromise only for a CA certificate recorded under its parent (CaRevocationService). */
  revoke(id: number, reason: RevocationReason | CaRevocationReason, options: RevocationOptions = {}): Promise<IssuedCertificate> {
    if (!isCaRevocationReason(reason)) throw certificatesError.conflict('revocation-reason-invalid', 'errors.409.message', { reason: String(reason) });
    return this.change(id, { action: 'revoke', from: ['good', 'on-hold'], to: 'revoked', reason }, options);
  }

  hold(id: number, options: RevocationOptions = {}): Promise<IssuedCertificate> {
    return this.change(id, { action: 'hold', from: ['good'], to: 'on-hold', reason: 'certificateHold' }, options);
  }

  release(id: number, options: RevocationOptions = {}): Promise<IssuedCertificate> {
    return this.change(id, { action: 'release', from: ['on-hold'], to: 'good', reason: null }, options);
  }

  private async change(id: number, change: Change, options: RevocationOptions): Promise<IssuedCertificate> {
    const run = <T>(fn: (manager: Tx) => Promise<T>): Promise<T> => (options.manager ? fn(options.manager) : this.repository.transaction(fn));
    return run(async (manager) => {
      const row = await this.repository.findIssued(id, manager);
      if (!row) throw certificatesError.notFound('certificate-not-found', 'errors.404.message', { id });
      const version = options.expectedVersion ?? row.version;
      if (row.version !== version) throw certificatesError.conflict('certificate-changed', 'errors.409.message', { id });
      if (change.reason === 'cACompromise' && row.subjectKind !== CA_SUBJECT_KIND) {
        throw certificatesError.conflict('revocation-reason-invalid', 'errors.409.message', { reason: change.reason });
      }
      if (!change.from.includes(row.status)) throw certificatesError.conflict('certificate-state', 'errors.409.message', { id, status: row.status, action: change.action });
      const revokedAt = change.to === 'good' ? null : new Date();
      const updated = await this.repository.updateRevocation(manager, id, version, { status: change.to, revocationReason: change.reason, revokedAt });
      if (!updated) throw certificatesError.conflict('certificate-changed', 'errors.409.message', { id });
      await this.audit.record(manager, {
        action: `pki.certificate.${change.action}`,
        targetType: 'issued_certificate',
        targetId: id,
        summary: { serial: row.serialHex, issuerId: row.issuerId, status: { from: row.status, to: change.to }, reason: change.reason },
        actor: options.actor,
      });
      await this.ocsp.certificateChanging(manager, row.issuerId, row.serialHex);
      const payload: CrlRefreshPayload = { issuerId: row.issuerId };
      await this.outbox.enqueue(manager, PKI_QUEUE, PKI_JOBS.crlRefresh, payload);
      return (await this.repository.findIssued(id, manager)) as IssuedCertificate;
    });
  }
}
