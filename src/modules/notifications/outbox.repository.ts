import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { Tx } from '../../core/database';
import { insertMany } from '../../core/sql';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxRow {
  id: number | string;
  queue: string;
  job_name: string;
  payload: string;
}

/** The outbox table's queries. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes a job in the caller's transaction; returns the row id. */
  async insert(tx: Tx, row: { queue: string; jobName: string; payload: string }): Promise<string | number> {
    const result = await tx.insert(OutboxMessage, { ...row, createdAt: new Date(), attempts: 0 });
    return result.identifiers[0].id as string | number;
  }

  /** Many jobs in the caller's transaction, in multi-row INSERTs. */
  async insertMany(tx: Tx, rows: Array<{ queue: string; jobName: string; payload: string }>): Promise<void> {
    const createdAt = new Date();
    await insertMany(tx, OutboxMessage, rows.map((row) => ({ ...row, createdAt, attempts: 0 }) as OutboxMessage));
  }

  findById(id: number): Promise<OutboxMessage | null> {
    return this.dataSource.getRepository(OutboxMessage).findOneBy({ id: String(id) });
  }

  /** The oldest pending row, how many are pending, and the newest error recorded on one. */
  async backlog(): Promise<{ oldest: Date | null; pending: number; lastError: string | null }> {
    const repo = this.dataSource.getRepository(OutboxMessage);
    const [oldest, pending, failing] = await Promise.all([
      repo.findOne({ where: { dispatchedAt: IsNull() }, order: { id: 'ASC' }, select: { id: true, createdAt: true } }),
      repo.countBy({ dispatchedAt: IsNull() }),
      repo.createQueryBuilder('o').select(['o.id', 'o.lastError']).where('o.dispatchedAt IS NULL AND o.lastError IS NOT NULL').orderBy('o.id', 'DESC').getOne(),
    ]);
    return { oldest: oldest?.createdAt ?? null, pending, lastError: failing?.lastError ?? null };
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Up to `limit` pending rows, oldest first, locked for this transaction (others skip them). */
  takePending(tx: Tx, limit: number): Promise<OutboxRow[]> {
    return tx.query(`SELECT id, queue, job_name, payload FROM outbox_message WHERE dispatched_at IS NULL ORDER BY id LIMIT ${Number(limit)} FOR UPDATE SKIP LOCKED`);
  }

  async markDispatched(tx: Tx, ids: Array<number | string>): Promise<void> {
    if (ids.length) await tx.query('UPDATE outbox_message SET dispatched_at = ? WHERE id IN (?)', [new Date(), ids]);
  }

  async recordFailure(tx: Tx, id: number | string, message: string): Promise<void> {
    await tx.query('UPDATE outbox_message SET attempts = attempts + 1, last_error = ? WHERE id = ?', [message, id]);
  }

  /** Deletes up to 1000 rows dispatched before `before`; returns how many. */
  async purgeDispatchedBefore(before: Date): Promise<number> {
    const result: { affectedRows?: number } = await this.dataSource.query('DELETE FROM outbox_message WHERE dispatched_at < ? ORDER BY id LIMIT 1000', [before]);
    return result.affectedRows ?? 0;
  }
}
