import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';

const SRC = join(__dirname, '..');
const MIGRATIONS = join(__dirname, '..', '..', 'migrations');

/**
 * One definition of the database connection for the web app, the worker, the CLI and the tests.
 * Migrations only (never synchronize); UTC everywhere; utf8mb4; SQL that runs on MariaDB 10.11
 * and MySQL 8 alike.
 */
export function dataSourceOptions(config: AppConfig, overrides: { database?: string } = {}): DataSourceOptions {
  return {
    type: 'mysql',
    host: config.db.host,
    port: config.db.port,
    username: config.db.user,
    password: config.db.password,
    database: overrides.database ?? config.db.name,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    synchronize: false,
    migrationsRun: false,
    entities: [join(SRC, 'modules', '**', '*.entity.{ts,js}')],
    migrations: [join(MIGRATIONS, '*.{ts,js}')],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    extra: { connectionLimit: 10, dateStrings: false },
    // Query errors surface as exceptions and are logged where handled; no console output from TypeORM.
    logging: false,
  };
}
