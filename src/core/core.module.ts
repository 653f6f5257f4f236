import { readFileSync } from 'node:fs';
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import Redis from 'ioredis';
import pino, { type Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { JobSchedules, QueueHub } from './jobs';
import { QUEUE_NAMES } from './queues';
import { RateLimiter } from './rate-limiter';
import { protectedIdCodecProvider } from './secrets';
import { LOGGER, REDIS } from './tokens';
import { Database } from './database';

export { LOGGER, REDIS } from './tokens';
export { QUEUES, type QueueName } from './queues';

/**
 * ioredis options from REDIS_URL (redis://[user:password@]host:port/db; rediss:// for TLS, its
 * server certificate checked against REDIS_TLS_CA_FILE when given, else the system's CAs).
 */
export function redisOptions(config: Pick<AppConfig, 'redisUrl' | 'redisTlsCaFile'>) {
  const u = new URL(config.redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    db: Number(u.pathname.slice(1) || 0),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:' ? { servername: u.hostname, ...(config.redisTlsCaFile ? { ca: readFileSync(config.redisTlsCaFile) } : {}) } : undefined,
  };
}

export function createLogger(config: AppConfig): Logger {
  return pino({ level: config.logLevel, base: { service: 'nhi-services' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/**
 * What every process (web, worker, CLI) shares: the validated configuration, the database (each
 * module registers its own entities with TypeOrmModule.forFeature), transactions, Redis, the rate
 * limiter, the national-ID codec, BullMQ's queues (src/core/queues.ts) and the logger. `queues`:
 * 'producer' (web, CLI: adding a job fails fast while Redis is down, and the outbox keeps it),
 * 'worker' (reconnects and waits; keeps the registry's schedules), or false (no BullMQ).
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forRoot(config: AppConfig, options: { queues?: 'producer' | 'worker' | false } = {}): DynamicModule {
    const queues = options.queues ?? 'producer';
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRoot({ ...dataSourceOptions(config), entities: [], autoLoadEntities: true }),
        ...(queues
          ? [
              BullModule.forRoot({
                connection: { ...redisOptions(config), enableOfflineQueue: queues === 'worker', maxRetriesPerRequest: null },
              }),
              BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
            ]
          : []),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: createLogger(config) },
        { provide: REDIS, useFactory: () => new Redis({ ...redisOptions(config), maxRetriesPerRequest: 2, lazyConnect: false }) },
        Database,
        RateLimiter,
        protectedIdCodecProvider,
        ...(queues ? [QueueHub] : []),
        ...(queues === 'worker' ? [JobSchedules] : []),
      ],
      exports: [APP_CONFIG, LOGGER, REDIS, Database, RateLimiter, protectedIdCodecProvider, ...(queues ? [BullModule, QueueHub] : [])],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
