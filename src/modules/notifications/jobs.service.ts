import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import { QUEUES, type QueueName } from '../../core/core.module';
import { AuditService } from '../audit/audit.service';
import { OutboxService, type OutboxBacklog } from './outbox.service';
import { isQueueName, JOBS, outboxIdOf, withTimeout } from './queues';
import type { ReferenceSummary } from './statistics.jobs';

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

export interface StatisticsJobView {
  id: string;
  state: JobState;
  progress: number;
  result: ReferenceSummary | null;
  failedReason: string | null;
}

/** The admin view of the queues and the outbox (web process): counts, failed jobs, retry. */
@Injectable()
export class JobsService {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QUEUES.notifications) notifications: Queue,
    @InjectQueue(QUEUES.statistics) statistics: Queue,
    @InjectQueue(QUEUES.pki) pki: Queue,
    @InjectQueue(QUEUES.cardServices) cardServices: Queue,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {
    this.queues = { notifications, statistics, pki, 'card-services': cardServices };
  }

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
          failed: (await withTimeout(this.queues[name].getFailed(0, FAILED_SHOWN - 1), REDIS_TIMEOUT_MS, 'failed jobs')).filter(Boolean).map(failedJob),
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
    if (!(await job.isFailed())) throw new ConflictError('job-not-failed', 'jobs.errors.notFailed');
    await this.dataSource.transaction(async (manager) => {
      await this.audit.record(manager, {
        action: 'jobs.retry',
        targetType: 'job',
        targetId: `${queueName}/${id}`,
        summary: { name: job.name, attemptsMade: job.attemptsMade, failedReason: (job.failedReason ?? '').slice(0, 200) },
      });
      await withTimeout(job.retry('failed', { resetAttemptsMade: true }), REDIS_TIMEOUT_MS, 'retry');
    });
  }

  /** Queues the 'reference-summary' statistics job through the outbox; audited as 'jobs.enqueue'. */
  requestReferenceSummary(): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      const jobId = await this.outbox.enqueue(manager, JOBS.referenceSummary.queue, JOBS.referenceSummary.name, {});
      await this.audit.record(manager, { action: 'jobs.enqueue', targetType: 'job', targetId: `${QUEUES.statistics}/${jobId}`, summary: { name: JOBS.referenceSummary.name } });
      return jobId;
    });
  }

  /** A 'reference-summary' job's state, progress and (when completed) result. */
  async statisticsJob(id: string): Promise<StatisticsJobView> {
    const empty = { id, progress: 0, result: null, failedReason: null };
    const outboxId = outboxIdOf(id);
    const row = outboxId === null ? null : await this.outbox.findByJobId(outboxId);
    if (row && !row.dispatchedAt && row.queue === JOBS.referenceSummary.queue && row.jobName === JOBS.referenceSummary.name) {
      return { ...empty, state: 'pending' };
    }
    const job = await this.findJob(QUEUES.statistics, id);
    if (job.name !== JOBS.referenceSummary.name) throw new NotFoundError('job-not-found', 'jobs.errors.notFound');
    const state = toJobState(await withTimeout(job.getState(), REDIS_TIMEOUT_MS, 'job state'));
    return {
      ...empty,
      state,
      progress: state === 'completed' ? 100 : typeof job.progress === 'number' ? job.progress : 0,
      result: state === 'completed' ? (job.returnvalue as ReferenceSummary) : null,
      failedReason: state === 'failed' ? job.failedReason : null,
    };
  }

  private async findJob(queueName: string, id: string): Promise<Job> {
    if (!isQueueName(queueName) || !/^[\w-]{1,100}$/.test(id)) throw new NotFoundError('job-not-found', 'jobs.errors.notFound');
    const job = await withTimeout(this.queues[queueName].getJob(id), REDIS_TIMEOUT_MS, 'get job');
    if (!job) throw new NotFoundError('job-not-found', 'jobs.errors.notFound');
    return job;
  }

  private allCounts(): Promise<Array<[QueueName, JobCounts]>> {
    return Promise.all(
      (Object.keys(this.queues) as QueueName[]).map(async (name) => {
        const c = await withTimeout(this.queues[name].getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'), REDIS_TIMEOUT_MS, 'job counts');
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
