// The 'pki' BullMQ queue (registered with the others in src/core/core.module.ts) and its jobs.
import { QUEUES } from '../../core/core.module';

export const PKI_QUEUE = QUEUES.pki;

export const PKI_JOBS = {
  /** Regenerate our CRLs (one issuer, or those that need it) and fetch other CAs' CRLs. */
  crlRefresh: 'crl-refresh',
} as const;

/** Payload of 'crl-refresh': an issuer whose certificates changed, or nothing (the schedule). */
export interface CrlRefreshPayload {
  issuerId?: number;
}

/** Id of the repeatable 'crl-refresh' job scheduler. */
export const CRL_REFRESH_SCHEDULER = 'pki-crl-refresh';
