import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One row per state change or sign-in attempt; append-only (database triggers refuse UPDATE/DELETE). */
@Entity('audit_event')
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt: Date;

  @Column({ name: 'actor_kind', type: 'varchar' })
  actorKind: string;

  @Column({ name: 'actor_id', type: 'varchar', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_role', type: 'varchar', nullable: true })
  actorRole: string | null;

  @Column({ name: 'actor_name', type: 'varchar', nullable: true })
  actorName: string | null;

  @Column({ type: 'varchar', nullable: true })
  credential: string | null;

  @Column({ type: 'varchar' })
  action: string;

  @Column({ type: 'varchar' })
  outcome: 'success' | 'failure';

  @Column({ name: 'target_type', type: 'varchar', nullable: true })
  targetType: string | null;

  @Column({ name: 'target_id', type: 'varchar', nullable: true })
  targetId: string | null;

  @Column({ type: 'simple-json', nullable: true })
  summary: Record<string, unknown> | null;

  @Column({ name: 'client_ip', type: 'varchar', nullable: true })
  clientIp: string | null;

  @Column({ name: 'request_id', type: 'varchar', nullable: true })
  requestId: string | null;
}
