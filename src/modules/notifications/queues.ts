import type { JobsOptions } from 'bullmq';

/** Payload of the notifications queue's 'email' job. */
export interface EmailPayload {
  to: string[];
  subject: string;
  text: string;
  /** Which kind of message this is (e.g. 'cards.card-issued'); sent as the X-NHI-Template header. */
  template?: string;
}

/** The BullMQ job id of an outbox row: adding it twice (a relay crash) adds it once. */
export function outboxJobId(outboxId: number | string): string {
  return `outbox-${outboxId}`;
}

/** The outbox row id of a job id made by outboxJobId, or null. */
export function outboxIdOf(jobId: string): number | null {
  const m = /^outbox-(\d{1,18})$/.exec(jobId);
  return m ? Number(m[1]) : null;
}

/**
 * Every job from the outbox: 5 attempts with exponential backoff (2 s, 4 s, 8 s, 16 s); completed
 * jobs kept a week (at most 1000) so a re-added job id stays a no-op; failed jobs kept until an
 * admin retries them (they are listed on /admin/jobs).
 */
export const OUTBOX_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: false,
};
