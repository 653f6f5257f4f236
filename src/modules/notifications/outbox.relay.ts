import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { LOGGER, QUEUES, redisOptions, type QueueName } from '../../core/core.module';
import { isQueueName, OUTBOX_JOB_OPTIONS, outboxJobId, withTimeout } from './queues';

const BATCH = 100;
const ADD_TIMEOUT_MS = 5000;
/** Dispatched rows are kept as long as completed jobs (OUTBOX_JOB_OPTIONS), then purged hourly. */
const KEEP_DISPATCHED_MS = 7 * 24 * 3600_000;
const PURGE_EVERY_MS = 3600_000;

interface OutboxRow {
  id: number | string;
  queue: string;
  job_name: string;
  payload: string;
}

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
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'outbox-relay' });
    this.redisOutage = new Outage(this.logger, 'Redis');
    this.databaseOutage = new Outage(this.logger, 'Database');
  }

  onApplicationBootstrap(): void {
    const connection = {
      ...redisOptions(this.config.redisUrl),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(200 * times, 2000),
    };
    for (const name of Object.values(QUEUES)) {
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
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, queue, job_name, payload FROM outbox_message
         WHERE dispatched_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      );
      const dispatched: Array<number | string> = [];
      for (const row of rows) {
        const queue = isQueueName(row.queue) ? this.queues.get(row.queue) : undefined;
        let data: unknown;
        try {
          if (!queue) throw new Error(`unknown queue "${row.queue}"`);
          data = JSON.parse(row.payload);
        } catch (err) {
          // A row no queue can take: it stays pending with its error, shown on /admin/jobs.
          await this.recordFailure(manager, row, err);
          continue;
        }
        try {
          await withTimeout(queue.add(row.job_name, data, { ...OUTBOX_JOB_OPTIONS, jobId: outboxJobId(row.id) }), ADD_TIMEOUT_MS, `add ${outboxJobId(row.id)}`);
          dispatched.push(row.id);
        } catch (err) {
          this.redisOutage.down(err);
          await this.recordFailure(manager, row, err);
          break; // Redis is down: the rest wait for the next poll
        }
      }
      if (dispatched.length) {
        await manager.query('UPDATE outbox_message SET dispatched_at = ? WHERE id IN (?)', [new Date(), dispatched]);
        this.redisOutage.up();
      }
      return dispatched.length;
    });
  }

  /** Deletes (up to 1000 of) the rows dispatched more than a week before `now`; returns how many. */
  async purgeDispatched(now = new Date()): Promise<number> {
    const result: { affectedRows?: number } = await this.dataSource.query(
      'DELETE FROM outbox_message WHERE dispatched_at < ? ORDER BY id LIMIT 1000',
      [new Date(now.getTime() - KEEP_DISPATCHED_MS)],
    );
    return result.affectedRows ?? 0;
  }

  private async recordFailure(manager: EntityManager, row: OutboxRow, err: unknown): Promise<void> {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    await manager.query('UPDATE outbox_message SET attempts = attempts + 1, last_error = ? WHERE id = ?', [message, row.id]);
  }
}
