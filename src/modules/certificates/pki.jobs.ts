import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { LOGGER } from '../../core/core.module';
import { CrlService } from './crl.service';
import { CRL_REFRESH_SCHEDULER, PKI_JOBS, PKI_QUEUE, type CrlRefreshPayload } from './pki-queue';

/** What a 'crl-refresh' job returns (kept with the completed job). */
export interface CrlRefreshResult {
  published: Array<{ slug: string; crlNumber: number; entries: number }>;
  fetched: Array<{ slug: string; outcome: string; detail?: string }>;
}

function issuerIdOf(data: unknown): number | undefined {
  const issuerId = (data as CrlRefreshPayload | null | undefined)?.issuerId;
  if (issuerId === undefined || issuerId === null) return undefined;
  if (!Number.isInteger(issuerId) || issuerId < 1) throw new UnrecoverableError(`crl-refresh: issuerId must be a positive integer, got ${JSON.stringify(issuerId)}`);
  return issuerId;
}

/**
 * The 'pki' queue (worker process). 'crl-refresh': with an issuerId (after a revocation
 * change, through the outbox) re-signs that CA's CRL; without one (the schedule, every
 * CRL_REFRESH_MINUTES) re-signs the CRLs of ours that need it and fetches the other CAs' CRLs.
 * A failure throws, so BullMQ tries again with backoff.
 */
@Processor(PKI_QUEUE)
export class PkiProcessor extends WorkerHost {
  private readonly logger: Logger;

  constructor(
    private readonly crls: CrlService,
    @Inject(LOGGER) logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: 'pki-jobs' });
  }

  async process(job: Job): Promise<CrlRefreshResult> {
    if (job.name !== PKI_JOBS.crlRefresh) throw new UnrecoverableError(`Unknown job "${job.name}" on the ${PKI_QUEUE} queue`);
    const report = await this.crls.refresh({ issuerId: issuerIdOf(job.data) });
    return {
      published: report.published.map(({ slug, crlNumber, entries }) => ({ slug, crlNumber, entries })),
      fetched: report.fetched.map(({ slug, outcome, detail }) => ({ slug, outcome, detail })),
    };
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: err.message }, 'pki job failed');
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.debug({ err: err.message }, 'pki worker error');
  }
}

/** Worker process: keeps the repeatable 'crl-refresh' job scheduled every CRL_REFRESH_MINUTES. */
@Injectable()
export class PkiScheduler implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    @InjectQueue(PKI_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'pki-jobs' });
  }

  onApplicationBootstrap(): void {
    // Not awaited: the worker's Redis connection waits for Redis, which must not hold up the boot.
    this.schedule().catch((err: unknown) => this.logger.warn({ err }, 'could not schedule the CRL refresh'));
  }

  schedule(): Promise<unknown> {
    return this.queue.upsertJobScheduler(
      CRL_REFRESH_SCHEDULER,
      { every: this.config.crlRefreshMinutes * 60_000 },
      { name: PKI_JOBS.crlRefresh, data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    );
  }
}
