import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { REDIS } from '../../core/core.module';
import { JobsService, type JobsBacklog } from '../notifications/jobs.service';
import { withTimeout } from '../notifications/queues';

const CHECK_TIMEOUT_MS = 2000;

export interface Health {
  status: 'ok' | 'degraded';
  database: 'ok' | 'down';
  redis: 'ok' | 'down';
  backlog: JobsBacklog | 'unknown';
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
    private readonly jobs: JobsService,
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
    const [database, redis] = await Promise.all([
      withTimeout(this.dataSource.query('SELECT 1'), CHECK_TIMEOUT_MS, 'database').then(() => 'ok' as const, () => 'down' as const),
      withTimeout(this.redis.ping(), CHECK_TIMEOUT_MS, 'redis').then(() => 'ok' as const, () => 'down' as const),
    ]);
    const backlog = database === 'ok' && redis === 'ok' ? await withTimeout(this.jobs.backlog(), CHECK_TIMEOUT_MS, 'backlog').catch(() => 'unknown' as const) : 'unknown';
    return { status: database === 'ok' && redis === 'ok' ? 'ok' : 'degraded', database, redis, backlog };
  }
}
