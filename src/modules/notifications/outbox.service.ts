import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { QueueName } from '../../core/core.module';
import { OutboxMessage } from './outbox-message.entity';
import { isQueueName, outboxJobId } from './queues';

/** The payload column is a TEXT (64 KiB). */
const MAX_PAYLOAD_BYTES = 60_000;

export interface OutboxBacklog {
  /** Rows not yet added to Redis. */
  pending: number;
  /** Age of the oldest of them, in whole seconds (0 when none). */
  oldestSeconds: number;
  /** The last Redis error recorded on a pending row, if any. */
  lastError: string | null;
}

/**
 * The transactional outbox: a job is written as a row in the caller's transaction, and the
 * worker's OutboxRelay adds it to BullMQ after the commit. A rolled-back change sends nothing; a
 * committed one is delivered even if Redis was down at the time.
 */
@Injectable()
export class OutboxService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Writes the job in the transaction of `manager` (from `dataSource.transaction(...)`); returns
   * its BullMQ job id ('outbox-<row id>').
   */
  async enqueue(manager: EntityManager, queue: QueueName, jobName: string, payload: object): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxService.enqueue needs the EntityManager of an open transaction');
    }
    if (!isQueueName(queue)) throw new Error(`Unknown queue "${String(queue)}"`);
    const json = JSON.stringify(payload);
    if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) throw new Error(`Outbox payload of ${queue}/${jobName} is over ${MAX_PAYLOAD_BYTES} bytes`);
    const result = await manager.insert(OutboxMessage, { queue, jobName, payload: json, createdAt: new Date(), attempts: 0 });
    return outboxJobId(result.identifiers[0].id as string | number);
  }

  async backlog(): Promise<OutboxBacklog> {
    const repo = this.dataSource.getRepository(OutboxMessage);
    const [oldest, pending, failing] = await Promise.all([
      repo.findOne({ where: { dispatchedAt: IsNull() }, order: { id: 'ASC' }, select: { id: true, createdAt: true } }),
      repo.countBy({ dispatchedAt: IsNull() }),
      repo
        .createQueryBuilder('o')
        .select(['o.id', 'o.lastError'])
        .where('o.dispatchedAt IS NULL AND o.lastError IS NOT NULL')
        .orderBy('o.id', 'DESC')
        .getOne(),
    ]);
    return {
      pending,
      oldestSeconds: oldest ? Math.max(0, Math.floor((Date.now() - oldest.createdAt.getTime()) / 1000)) : 0,
      lastError: failing?.lastError ?? null,
    };
  }

  /** A row by the job id made from it, or null. */
  findByJobId(outboxId: number): Promise<OutboxMessage | null> {
    return this.dataSource.getRepository(OutboxMessage).findOneBy({ id: String(outboxId) });
  }
}
