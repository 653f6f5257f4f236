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
