import { getQueueToken, OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { allSchedules, QUEUE_NAMES, type QueueName } from './queues';
import { LOGGER } from './tokens';

/**
 * The base of every BullMQ processor (worker process): the subclass names its queue with
 * `@Processor(QUEUES.x)` and lists a handler per job name; an unknown job fails at once
 * (UnrecoverableError); failures are logged once per attempt, connection errors at debug (the
 * outbox relay reports a Redis outage once).
 */
export abstract class JobProcessor<R = unknown> extends WorkerHost {
  protected readonly logger: Logger;
  protected abstract readonly handlers: Record<string, (job: Job) => Promise<R>>;

  protected constructor(
    private readonly queue: QueueName,
    logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: `${queue}-jobs` });
  }

  async process(job: Job): Promise<R> {
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, job.name) ? this.handlers[job.name] : undefined;
    if (!handler) throw new UnrecoverableError(`Unknown job "${job.name}" on the ${this.queue} queue`);
    return handler(job);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: err.message }, `${this.queue} job failed`);
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.debug({ err: err.message }, `${this.queue} worker error`);
  }
}

/** Every registered queue by name (web, worker, CLI: the BullMQ queues CoreModule registered). */
@Injectable()
export class QueueHub {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly moduleRef: ModuleRef) {}

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      this.queues.set(name, queue);
    }
    return queue;
  }

  all(): Array<[QueueName, Queue]> {
    return QUEUE_NAMES.map((name) => [name, this.get(name)]);
  }
}

/** Worker process: keeps every schedule of the queue registry (upserted at start). */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    private readonly queues: QueueHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'job-schedules' });
  }

  onApplicationBootstrap(): void {
    // Not awaited: the worker's Redis connection waits for Redis, which must not hold up the boot.
    this.schedule().catch((err: unknown) => this.logger.warn({ err }, 'could not schedule the repeatable jobs'));
  }

  schedule(): Promise<unknown> {
    return Promise.all(
      allSchedules(this.config).map((s) => this.queues.get(s.queue).upsertJobScheduler(s.id, s.repeat, { name: s.job, data: {}, opts: s.opts })),
    );
  }
}
