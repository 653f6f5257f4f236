import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { withTimeout } from '../../common/async/timeout';
import { QueueHub } from '../../core/jobs';
import { isQueueName, type QueueName } from '../../core/queues';
import { Database } from '../../core/database';
import { AuditService } from '../audit';
import { notificationsError } from './notifications.errors';
import { OutboxService, type OutboxBacklog } from './outbox.service';
import { outboxIdOf } from './queues';

const REDIS_TIMEOUT_MS = 3000;
const FAILED_SHOWN = 50;

export type JobCounts = { waiting: number; active: number; delayed: number; completed: number; failed: number };

export interface FailedJob {
  id: string;
  name: string;
  attemptsMade: number;
  attempts: number;
  failedReason: string;
  failedAt: Date | null;
}

export interface QueueOverview {
  name: QueueName;
  counts: JobCounts;
  /** The newest failed jobs (at most 50). */
  failed: FailedJob[];
}

/** For the health check. */
export interface JobsBacklog {
  queues: Record<QueueName, { waiting: number; active: number; delayed: number; failed: number }>;
  outbox: { pending: number; oldestSeconds: number };
}

/** 'pending': still in the outbox, not yet in Redis. */
export type JobState = 'pending' | 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'unknown';

/** A job as a progress page shows it. */
export interface JobView<R> {
  id: string;
  state: JobState;
  progress: number;
  result: R | null;
  failedReason: string | null;
}

/** The admin view of the queues and the outbox (web process): counts, failed jobs, retry, one job's progress. */
@Injectable()
export class JobsService {
  constructor(
    private readonly queues: QueueHub,
    private readonly outbox: OutboxService,
    private readonly database: Database,
    private readonly audit: AuditService,
  ) {}

  /** Queue counts and the outbox backlog; rejects when Redis does not answer. */
  async backlog(): Promise<JobsBacklog> {
    const [counts, outbox] = await Promise.all([this.allCounts(), this.outbox.backlog()]);
    const queues = Object.fromEntries(
      counts.map(([name, c]) => [name, { waiting: c.waiting, active: c.active, delayed: c.delayed, failed: c.failed }]),
    ) as JobsBacklog['queues'];
    return { queues, outbox: { pending: outbox.pending, oldestSeconds: outbox.oldestSeconds } };
  }

  /** Everything /admin/jobs shows; `queues` is null when Redis does not answer (the outbox still does). */
  async overview(): Promise<{ queues: QueueOverview[] | null; outbox: OutboxBacklog }> {
    const outbox = await this.outbox.backlog();
    try {
      const counts = await this.allCounts();
      const queues = await Promise.all(
        counts.map(async ([name, c]) => ({
          name,
          counts: c,
          failed: (await withTimeout(this.queues.get(name).getFailed(0, FAILED_SHOWN - 1), REDIS_TIMEOUT_MS, 'failed jobs')).filter(Boolean).map(failedJob),
        })),
      );
      return { queues, outbox };
    } catch {
      return { queues: null, outbox };
    }
  }

  /** Puts a failed job back in its queue with a fresh set of attempts; audited as 'jobs.retry'. */
  async retry(queueName: string, id: string): Promise<void> {
    const job = await this.findJob(queueName, id);
    if (!(await job.isFailed())) throw notificationsError.conflict('job-not-failed', 'jobs.errors.notFailed');
    await this.database.transaction(async (tx) => {
      await this.audit.record(tx, {
        action: 'jobs.retry',
        targetType: 'job',
        targetId: `${queueName}/${id}`,
        summary: { name: job.name, attemptsMade: job.attemptsMade, failedReason: (job.failedReason ?? '').slice(0, 200) },
      });
      await withTimeout(job.retry('failed', { resetAttemptsMade: true }), REDIS_TIMEOUT_MS, 'retry');
    });
  }

  /**
   * A job of `queue` named `name` by its id, as a progress page shows it: 'pending' while its
   * outbox row waits for the relay; not found when it is another kind of job.
   */
  async view<R>(queue: QueueName, name: string, id: string): Promise<JobView<R>> {
    const empty = { id, progress: 0, result: null, failedReason: null };
    const outboxId = outboxIdOf(id);
    const row = outboxId === null ? null : await this.outbox.findByJobId(outboxId);
    if (row && !row.dispatchedAt && row.queue === queue && row.jobName === name) return { ...empty, state: 'pending' };
    const job = await this.findJob(queue, id);
    if (job.name !== name) throw notificationsError.notFound('job-not-found', 'jobs.errors.notFound');
    const state = toJobState(await withTimeout(job.getState(), REDIS_TIMEOUT_MS, 'job state'));
    return {
      ...empty,
      state,
      progress: state === 'completed' ? 100 : typeof job.progress === 'number' ? job.progress : 0,
      result: state === 'completed' ? (job.returnvalue as R) : null,
      failedReason: state === 'failed' ? job.failedReason : null,
    };
  }

  private async findJob(queueName: string, id: string): Promise<Job> {
    if (!isQueueName(queueName) || !/^[\w-]{1,100}$/.test(id)) throw notificationsError.notFound('job-not-found', 'jobs.errors.notFound');
    const job = await withTimeout(this.queues.get(queueName).getJob(id), REDIS_TIMEOUT_MS, 'get job');
    if (!job) throw notificationsError.notFound('job-not-found', 'jobs.errors.notFound');
    return job;
  }

  private allCounts(): Promise<Array<[QueueName, JobCounts]>> {
    return Promise.all(
      this.queues.all().map(async ([name, queue]) => {
        const c = await withTimeout(queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'), REDIS_TIMEOUT_MS, 'job counts');
        return [name, { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 }] as [QueueName, JobCounts];
      }),
    );
  }
}

function failedJob(job: Job): FailedJob {
  return {
    id: String(job.id),
    name: job.name,
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    failedReason: job.failedReason ?? '',
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

function toJobState(state: string): JobState {
  if (state === 'prioritized' || state === 'waiting-children' || state === 'wait') return 'waiting';
  return (['waiting', 'delayed', 'active', 'completed', 'failed'] as const).find((s) => s === state) ?? 'unknown';
}

/** The govuk-tag colour of a job state, and whether a progress page should keep polling. */
export const JOB_STATE_TAG: Record<JobState, string> = {
  pending: 'govuk-tag--grey',
  waiting: 'govuk-tag--grey',
  delayed: 'govuk-tag--yellow',
  active: 'govuk-tag--blue',
  completed: 'govuk-tag--green',
  failed: 'govuk-tag--red',
  unknown: 'govuk-tag--grey',
};
export const RUNNING_JOB_STATES: readonly JobState[] = ['pending', 'waiting', 'delayed', 'active'];
