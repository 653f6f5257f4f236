import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * A database transaction as services see it: a handle they pass to repositories (which alone
 * run queries) so a change, its audit row and its outbox jobs commit or roll back together.
 */
export type Tx = EntityManager;

/** The database as services see it: transactions to hand to repositories, and a health ping. */
@Injectable()
export class Database {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Resolves when the database answers. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  get connected(): boolean {
    return this.dataSource.isInitialized;
  }
}

/** Whether a failed write broke a unique key (MySQL/MariaDB ER_DUP_ENTRY, as TypeORM passes it on). */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  return !!e && (e.code === 'ER_DUP_ENTRY' || e.driverError?.code === 'ER_DUP_ENTRY');
}
