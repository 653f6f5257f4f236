import type { JobsOptions, RepeatOptions } from 'bullmq';
import type { AppConfig } from '../config/app-config';

/** A repeatable job the worker keeps scheduled (upserted at every worker start). */
export interface QueueSchedule {
  /** The job scheduler's id in BullMQ. */
  id: string;
  job: string;
  repeat: Omit<RepeatOptions, 'key'>;
  opts?: JobsOptions;
}

interface QueueDefinition {
  name: string;
  /** The jobs the queue's processor knows, by name. */
  jobs: Record<string, string>;
  /** What the worker keeps scheduled on this queue, from the configuration. */
  schedules?: (config: AppConfig) => QueueSchedule[];
}

/**
 * The one queue registry: every BullMQ queue, its jobs and its schedules. CoreModule registers
 * the queues, the outbox relay adds to them, the worker schedules them and /admin/jobs lists
 * them, all from here. A module adds a queue with one entry and a processor extending
 * JobProcessor (src/core/jobs.ts).
 */
export const QUEUE_REGISTRY = {
  notifications: { name: 'notifications', jobs: { email: 'email' } },
  statistics: {
    name: 'statistics',
    jobs: { referenceSummary: 'reference-summary', monthlyReports: 'monthly-reports', reportPdf: 'report-pdf', figuresRefresh: 'figures-refresh' },
    schedules: () => [
      // Each county's report of the month before: on the 1st of every month at 06:00 Taiwan time.
      {
        id: 'reporting-monthly-reports',
        job: 'monthly-reports',
        repeat: { pattern: '0 6 1 * *', tz: 'Asia/Taipei' },
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
      // The card and employer figures recounted from their modules' tables, every 15 minutes.
      { id: 'reporting-figures-refresh', job: 'figures-refresh', repeat: { every: 15 * 60_000 }, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    ],
  },
  // Every support-duty case state change, for the reporting aggregates (consumed by the reporting
  // module's processor when it comes; until then the events wait in the queue, nothing is lost).
  supportDutyEvents: { name: 'support-duty-events', jobs: { caseChanged: 'case-changed' } },
  // An institution's batch entry of support-duty cases (批次登錄), all or nothing.
  supportDutyBatch: { name: 'support-duty-batch', jobs: { import: 'import' } },
  pki: {
    name: 'pki',
    jobs: { crlRefresh: 'crl-refresh' },
    schedules: (config) => [
      // Regenerate our CRLs that need it and fetch other CAs' CRLs, every CRL_REFRESH_MINUTES.
      { id: 'pki-crl-refresh', job: 'crl-refresh', repeat: { every: config.crlRefreshMinutes * 60_000 }, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    ],
  },
  cardServices: {
    name: 'card-services',
    jobs: { expiryReminders: 'expiry-reminders' },
    schedules: () => [
      // Expiry reminders and expiry: every day at 09:00 Taiwan time.
      {
        id: 'card-expiry-reminders',
        job: 'expiry-reminders',
        repeat: { pattern: '0 9 * * *', tz: 'Asia/Taipei' },
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    ],
  },
  delegation: {
    name: 'delegation',
    jobs: { endReminders: 'end-reminders' },
    schedules: () => [
      // The reminder 30 days before a delegation ends: every day at 08:30 Taiwan time.
      {
        id: 'delegation-end-reminders',
        job: 'end-reminders',
        repeat: { pattern: '30 8 * * *', tz: 'Asia/Taipei' },
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    ],
  },
} as const satisfies Record<string, QueueDefinition>;

type Registry = typeof QUEUE_REGISTRY;
export type QueueKey = keyof Registry;
export type QueueName = Registry[QueueKey]['name'];

/** Queue names by key: QUEUES.cardServices === 'card-services'. */
export const QUEUES = Object.fromEntries(Object.entries(QUEUE_REGISTRY).map(([key, q]) => [key, q.name])) as { [K in QueueKey]: Registry[K]['name'] };

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QUEUES);

export function isQueueName(value: unknown): value is QueueName {
  return typeof value === 'string' && (QUEUE_NAMES as readonly string[]).includes(value);
}

/** Whether `job` is one of the jobs the queue declares. */
export function isJobOf(queue: QueueName, job: string): boolean {
  const definition = Object.values(QUEUE_REGISTRY).find((q) => q.name === queue) as QueueDefinition | undefined;
  return !!definition && Object.values(definition.jobs).includes(job);
}

/** Every schedule of every queue, for the worker. */
export function allSchedules(config: AppConfig): Array<QueueSchedule & { queue: QueueName }> {
  return Object.values(QUEUE_REGISTRY).flatMap((q) => ((q as QueueDefinition).schedules?.(config) ?? []).map((s) => ({ ...s, queue: q.name as QueueName })));
}
