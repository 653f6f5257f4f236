import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { withTimeout } from '../../common/async/timeout';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { redisOptions } from '../../core/core.module';
import { isQueueName, QUEUE_NAMES, type QueueName } from '../../core/queues';
import { LOGGER } from '../../core/tokens';
import type { Tx } from '../../core/database';
import { OutboxRepository, type OutboxRow } from './outbox.repository';
import { OUTBOX_JOB_OPTIONS, outboxJobId } from './queues';

const BATCH = 100;
const ADD_TIMEOUT_MS = 5000;
/** Dispatched rows are kept as long as completed jobs (OUTBOX_JOB_OPTIONS), then purged hourly. */
const KEEP_DISPATCHED_MS = 7 * 24 * 3600_000;
const PURGE_EVERY_MS = 3600_000;

/** Logs the first failure of an outage and the recovery, not every failed poll. */
class Outage {
  private since: Date | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  down(err: unknown): void {
    if (this.since) return;
    this.since = new Date();
    this.logger.warn({ err }, `${this.what} unavailable: outbox messages wait in the database until it is back`);
  }

  up(): void {
    if (!this.since) return;
    this.logger.info({ downSeconds: Math.round((Date.now() - this.since.getTime()) / 1000) }, `${this.what} reachable again`);
    this.since = null;
  }
}

/**
 * Worker process only. Every OUTBOX_POLL_MS: in one transaction, takes up to 100 undispatched
 * outbox rows (FOR UPDATE SKIP LOCKED, so several workers never take the same row), adds each to
 * its queue with job id 'outbox-<id>' (a repeat after a crash is a no-op) and marks it
 * dispatched. When Redis fails, the row records the attempt and the error and waits for the next
 * poll. It has its own fail-fast Redis connections: the worker's shared ones queue commands while
 * Redis is down, which would hold the transaction open.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger;
  private readonly redisOutage: Outage;
  private readonly databaseOutage: Outage;
  private queues = new Map<QueueName, Queue>();
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private stopped = false;
  private lastPurge = 0;

  constructor(
    private readonly repository: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'outbox-relay' });
    this.redisOutage = new Outage(this.logger, 'Redis');
    this.databaseOutage = new Outage(this.logger, 'Database');
  }

  onApplicationBootstrap(): void {
    const connection = {
      ...redisOptions(this.config),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(200 * times, 2000),
    };
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection });
      queue.on('error', (err) => this.redisOutage.down(err));
      void queue.client.then((client) => client.on('ready', () => this.redisOutage.up()), () => undefined);
      this.queues.set(name, queue);
    }
    this.schedule(0);
  }

  /** No poll starts after this; the one running finishes first. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      let again = false;
      this.current = this.pollOnce()
        .then(async (n) => {
          this.databaseOutage.up();
          again = n === BATCH;
          if (Date.now() - this.lastPurge > PURGE_EVERY_MS) {
            this.lastPurge = Date.now();
            await this.purgeDispatched();
          }
        })
        .catch((err: unknown) => this.databaseOutage.down(err))
        .finally(() => {
          this.current = null;
          this.schedule(again ? 0 : this.config.outboxPollMs);
        });
    }, delayMs);
  }

  /** One pass over the outbox; returns how many rows it dispatched (a full batch: poll again at once). */
  async pollOnce(): Promise<number> {
    return this.repository.transaction(async (tx) => {
      const rows = await this.repository.takePending(tx, BATCH);
      const dispatched: Array<number | string> = [];
      for (const row of rows) {
        const queue = isQueueName(row.queue) ? this.queues.get(row.queue) : undefined;
        let data: unknown;
        try {
          if (!queue) throw new Error(`unknown queue "${row.queue}"`);
          data = JSON.parse(row.payload);
        } catch (err) {
          // A row no queue can take: it stays pending with its error, shown on /admin/jobs.
          await this.recordFailure(tx, row, err);
          continue;
        }
        try {
          await withTimeout(queue.add(row.job_name, data, { ...OUTBOX_JOB_OPTIONS, jobId: outboxJobId(row.id) }), ADD_TIMEOUT_MS, `add ${outboxJobId(row.id)}`);
          dispatched.push(row.id);
        } catch (err) {
          this.redisOutage.down(err);
          await this.recordFailure(tx, row, err);
          break; // Redis is down: the rest wait for the next poll
        }
      }
      if (dispatched.length) {
        await this.repository.markDispatched(tx, dispatched);
        this.redisOutage.up();
      }
      return dispatched.length;
    });
  }

  /** Deletes (up to 1000 of) the rows dispatched more than a week before `now`; returns how many. */
  async purgeDispatched(now = new Date()): Promise<number> {
    return this.repository.purgeDispatchedBefore(new Date(now.getTime() - KEEP_DISPATCHED_MS));
  }

  private recordFailure(tx: Tx, row: OutboxRow, err: unknown): Promise<void> {
    return this.repository.recordFailure(tx, row.id, (err instanceof Error ? err.message : String(err)).slice(0, 500));
  }
}
