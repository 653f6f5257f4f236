// The 'pki' BullMQ queue, its jobs and its schedule: declared in the queue registry (src/core/queues.ts).
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';

export const PKI_QUEUE = QUEUES.pki;

export const PKI_JOBS = QUEUE_REGISTRY.pki.jobs;

/** Payload of 'crl-refresh': an issuer whose certificates changed, or nothing (the schedule). */
export interface CrlRefreshPayload {
  issuerId?: number;
}

/** Id of the repeatable 'crl-refresh' job scheduler. */
export const CRL_REFRESH_SCHEDULER = 'pki-crl-refresh';
