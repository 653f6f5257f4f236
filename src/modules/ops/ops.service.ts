import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { QUEUES, REDIS } from '../../core/core.module';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref())]);
}

export interface Health {
  status: 'ok' | 'degraded';
  database: 'ok' | 'down';
  redis: 'ok' | 'down';
  queues: Record<string, { waiting: number; delayed: number; failed: number } | 'unknown'>;
  outbox: { pending: number; oldestSeconds: number } | 'unknown';
}

/** Liveness/readiness, the health report and Prometheus metrics. */
@Injectable()
export class OpsService implements OnApplicationShutdown {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private shuttingDown = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(QUEUES.notifications) private readonly notifications: Queue,
    @InjectQueue(QUEUES.statistics) private readonly statistics: Queue,
  ) {
    collectDefaultMetrics({ register: this.registry });
  }

  get ready(): boolean {
    return !this.shuttingDown && this.dataSource.isInitialized;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  onApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  async health(): Promise<Health> {
    const [database, redis, outbox] = await Promise.all([
      withTimeout(this.dataSource.query('SELECT 1')).then(() => 'ok' as const, () => 'down' as const),
      withTimeout(this.redis.ping()).then(() => 'ok' as const, () => 'down' as const),
      withTimeout(
        this.dataSource.query(
          'SELECT COUNT(*) AS pending, COALESCE(TIMESTAMPDIFF(SECOND, MIN(created_at), UTC_TIMESTAMP(3)), 0) AS oldest FROM outbox_message WHERE dispatched_at IS NULL',
        ),
      ).then((rows: Array<{ pending: string; oldest: string }>) => ({ pending: Number(rows[0].pending), oldestSeconds: Number(rows[0].oldest) }), () => 'unknown' as const),
    ]);
    const queues: Health['queues'] = {};
    for (const queue of [this.notifications, this.statistics]) {
      queues[queue.name] =
        redis === 'ok'
          ? await withTimeout(queue.getJobCounts('waiting', 'delayed', 'failed')).then(
              (c) => ({ waiting: c.waiting ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 }),
              () => 'unknown' as const,
            )
          : 'unknown';
    }
    return { status: database === 'ok' && redis === 'ok' ? 'ok' : 'degraded', database, redis, queues, outbox };
  }
}
