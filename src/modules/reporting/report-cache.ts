import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from '../../common/async/timeout';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { LOGGER, REDIS } from '../../core/tokens';
import type { Watermark } from './case-summary.repository';

/** A cached report lives an hour at most (the key changes with every event applied anyway). */
const TTL_SECONDS = 3600;
const REDIS_TIMEOUT_MS = 200;

/**
 * The computed figures of a report, shared by every web process through Redis, keyed by what
 * they are of (the reader's scope, the period, the language) and by the watermark they were read
 * under (events applied, latest event, last rebuild): a new event or rebuild changes the key, so a
 * cached report is never served once the summaries have moved on, without invalidation. The
 * watermark is read before the figures, so figures cached under a watermark are never older than
 * it. Redis slow or down: the figures are computed as if nothing were cached.
 */
@Injectable()
export class ReportCache {
  private readonly logger: Logger;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'report-cache' });
  }

  /** The key of a report: `parts` name the scope and period; the database and watermark make it unique to these figures. */
  key(parts: Array<string | number | boolean | null>, watermark: Watermark): string {
    const stamp = [watermark.events, watermark.lastEventAt?.getTime() ?? 0, watermark.rebuiltAt?.getTime() ?? 0].join('.');
    return `reports:v1:${this.config.db.name}:${parts.map((p) => (p === null ? '-' : String(p))).join(':')}:${stamp}`;
  }

  async get<T>(key: string, revive: (value: T) => T): Promise<T | null> {
    try {
      const text = await withTimeout(this.redis.get(key), REDIS_TIMEOUT_MS, 'report cache get');
      return text ? revive(JSON.parse(text) as T) : null;
    } catch (err) {
      this.logger.debug({ err }, 'report cache unavailable');
      return null;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    try {
      await withTimeout(this.redis.set(key, JSON.stringify(value), 'EX', TTL_SECONDS), REDIS_TIMEOUT_MS, 'report cache set');
    } catch (err) {
      this.logger.debug({ err }, 'report cache unavailable');
    }
  }
}
