import { Injectable } from '@nestjs/common';
import { isJobOf, isQueueName, type QueueName } from '../../core/queues';
import type { Tx } from '../../core/database';
import type { OutboxMessage } from './outbox-message.entity';
import { OutboxRepository } from './outbox.repository';
import { outboxJobId } from './queues';

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
  constructor(private readonly repository: OutboxRepository) {}

  /** Writes the job in the caller's open transaction; returns its BullMQ job id ('outbox-<row id>'). */
  async enqueue(tx: Tx, queue: QueueName, jobName: string, payload: object): Promise<string> {
    return outboxJobId(await this.repository.insert(tx, this.rowOf(tx, queue, jobName, payload)));
  }

  /** Writes many jobs of one kind in the caller's open transaction, in multi-row INSERTs (a batch's events). */
  async enqueueMany(tx: Tx, queue: QueueName, jobName: string, payloads: object[]): Promise<void> {
    await this.repository.insertMany(tx, payloads.map((p) => this.rowOf(tx, queue, jobName, p)));
  }

  private rowOf(tx: Tx, queue: QueueName, jobName: string, payload: object): { queue: string; jobName: string; payload: string } {
    if (!tx.queryRunner?.isTransactionActive) {
      throw new Error('OutboxService.enqueue needs the EntityManager of an open transaction');
    }
    if (!isQueueName(queue)) throw new Error(`Unknown queue "${String(queue)}"`);
    if (!isJobOf(queue, jobName)) throw new Error(`The ${queue} queue has no job "${jobName}" (src/core/queues.ts)`);
    const json = JSON.stringify(payload);
    if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) throw new Error(`Outbox payload of ${queue}/${jobName} is over ${MAX_PAYLOAD_BYTES} bytes`);
    return { queue, jobName, payload: json };
  }

  async backlog(): Promise<OutboxBacklog> {
    const { oldest, pending, lastError } = await this.repository.backlog();
    return { pending, oldestSeconds: oldest ? Math.max(0, Math.floor((Date.now() - oldest.getTime()) / 1000)) : 0, lastError };
  }

  /** A row by the job id made from it, or null. */
  findByJobId(outboxId: number): Promise<OutboxMessage | null> {
    return this.repository.findById(outboxId);
  }
}
