import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A job written in the same transaction as the change it belongs to; the worker's outbox relay
 * adds it to its BullMQ queue and marks it dispatched. Never sent for a rolled-back change, never
 * lost while Redis is down.
 */
@Entity('outbox_message')
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar' })
  queue: string;

  @Column({ name: 'job_name', type: 'varchar' })
  jobName: string;

  /** The job's data as JSON. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'dispatched_at', type: 'datetime', precision: 3, nullable: true })
  dispatchedAt: Date | null;

  /** Failed attempts to add it to Redis. */
  @Column({ type: 'int' })
  attempts: number;

  @Column({ name: 'last_error', type: 'varchar', nullable: true })
  lastError: string | null;
}
