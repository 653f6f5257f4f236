import 'reflect-metadata';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '../../src/config/app-config';
import { CoreModule } from '../../src/core/core.module';
import { AuditModule } from '../../src/modules/audit';
import { ReferenceModule, ReferenceSeeder } from '../../src/modules/reference';
import { baseEnv, MAX_WORKERS, workerEnv } from './test-env';

/**
 * Before any test: for each jest worker, a fresh schema migrated by the real migrations and
 * seeded with the reference and demo data, and an empty Redis database. Unit-only runs
 * (JEST_NO_SERVICES=1) need none of it.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.JEST_NO_SERVICES === '1') return;
  const base = baseEnv();
  for (let worker = 1; worker <= MAX_WORKERS; worker++) {
    const config = loadConfig({ ...base, ...workerEnv(worker) });
    const admin = await createConnection({ host: config.db.host, port: config.db.port, user: config.db.user, password: config.db.password });
    await admin.query(`DROP DATABASE IF EXISTS \`${config.db.name}\``);
    await admin.query(`CREATE DATABASE \`${config.db.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    const dataSource = await new DataSource(dataSourceOptions(config)).initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    // The seed as `npm run cli -- seed` runs it: the reference module in a Nest context.
    const seeding = await NestFactory.createApplicationContext(SeedModule.forRoot(config), { logger: false });
    try {
      await seeding.get(ReferenceSeeder).seed({ demo: true, dryRun: false, actor: { kind: 'test-setup' } });
    } finally {
      await seeding.close();
    }
    const redis = new Redis(config.redisUrl);
    await redis.flushdb();
    await redis.quit();
  }
}

@Module({})
class SeedModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: SeedModule, imports: [CoreModule.forRoot(config, { queues: false }), AuditModule, ReferenceModule] };
  }
}
