import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { withTimeout } from '../../common/async/timeout';
import { Database } from '../../core/database';
import { REDIS } from '../../core/tokens';
import { HsmService } from '../certificates';
import { JobsService, type JobsBacklog } from '../notifications';

const CHECK_TIMEOUT_MS = 2000;

type Check = 'ok' | 'down';

export interface Health {
  status: 'ok' | 'degraded';
  database: Check;
  redis: Check;
  backlog: JobsBacklog | 'unknown';
}

export interface Readiness {
  ready: boolean;
  database: Check;
  redis: Check;
  /** The HSM is needed for issuing and revocation lists, not for serving pages: reported, not required. */
  hsm: Check;
  /** Why not ready (or what is degraded), for operators. */
  reasons: string[];
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
    private readonly database: Database,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly jobs: JobsService,
    private readonly hsm: HsmService,
  ) {
    collectDefaultMetrics({ register: this.registry });
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  onApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  private async servers(): Promise<{ database: Check; redis: Check }> {
    const [database, redis] = await Promise.all([
      withTimeout(this.database.ping(), CHECK_TIMEOUT_MS, 'database').then(() => 'ok' as const, () => 'down' as const),
      withTimeout(this.redis.ping(), CHECK_TIMEOUT_MS, 'redis').then(() => 'ok' as const, () => 'down' as const),
    ]);
    return { database, redis };
  }

  async health(): Promise<Health> {
    const { database, redis } = await this.servers();
    const backlog = database === 'ok' && redis === 'ok' ? await withTimeout(this.jobs.backlog(), CHECK_TIMEOUT_MS, 'backlog').catch(() => 'unknown' as const) : 'unknown';
    return { status: database === 'ok' && redis === 'ok' ? 'ok' : 'degraded', database, redis, backlog };
  }

  /** Ready to take traffic: started, not shutting down, database and Redis answering. */
  async readiness(): Promise<Readiness> {
    const { database, redis } = await this.servers();
    const hsm = this.hsm.health();
    const reasons = [
      ...(this.shuttingDown ? ['shutting down'] : []),
      ...(!this.database.connected || database === 'down' ? ['database: not answering'] : []),
      ...(redis === 'down' ? ['redis: not answering'] : []),
      ...(hsm.ok ? [] : [`hsm: ${hsm.reason}`]),
    ];
    return { ready: !this.shuttingDown && this.database.connected && database === 'ok' && redis === 'ok', database, redis, hsm: hsm.ok ? 'ok' : 'down', reasons };
  }
}
