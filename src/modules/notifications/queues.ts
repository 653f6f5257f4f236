import type { JobsOptions } from 'bullmq';
import { QUEUES, type QueueName } from '../../core/core.module';

/** The jobs each queue knows, by name. */
export const JOBS = {
  email: { queue: QUEUES.notifications, name: 'email' },
  referenceSummary: { queue: QUEUES.statistics, name: 'reference-summary' },
} as const;

export function isQueueName(value: string): value is QueueName {
  return (Object.values(QUEUES) as string[]).includes(value);
}

/** Payload of the notifications queue's 'email' job. */
export interface EmailPayload {
  to: string[];
  subject: string;
  text: string;
  /** Which kind of message this is (e.g. 'staff.welcome'); sent as the X-NHI-Template header. */
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

/**
 * Rejects when `promise` has not settled within `ms`: BullMQ waits for Redis' first connection
 * without limit, which must not hold an outbox transaction or a page.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // settles after the timeout: nobody waits for it any more
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
