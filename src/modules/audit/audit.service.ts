import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, type EntityManager } from 'typeorm';
import { requestContext } from '../../common/context/request-context';
import { AuditEvent } from './audit-event.entity';

/** Who acted: the signed-in principal by default, or the CLI, or the subject of a sign-in attempt. */
export interface AuditActor {
  kind: string;
  id?: string | null;
  role?: string | null;
  displayName?: string | null;
  credential?: string | null;
}

export interface AuditEntry {
  action: string;
  outcome?: 'success' | 'failure';
  targetType?: string;
  targetId?: string | number;
  /** What changed, as field → value or {from, to}; never secrets, national IDs only masked. */
  summary?: Record<string, unknown>;
  /** Who acted, when not the signed-in principal (a sign-in attempt, the CLI). */
  actor?: AuditActor;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  target?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

/**
 * Writes audit rows in the caller's transaction (pass its EntityManager), so a change and its
 * record commit or roll back together. Who, with which credential, from where and under which
 * request id come from the request context, or from `actor` for the CLI and sign-in attempts.
 */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const ctx = requestContext.get();
    const actor: AuditActor = entry.actor ?? ctx?.principal ?? { kind: 'anonymous' };
    await manager.insert(AuditEvent, {
      occurredAt: new Date(),
      actorKind: actor.kind,
      actorId: actor.id ?? null,
      actorRole: actor.role ?? null,
      actorName: actor.displayName ?? null,
      credential: actor.credential ?? null,
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      targetType: entry.targetType ?? null,
      targetId: entry.targetId === undefined ? null : String(entry.targetId),
      summary: (entry.summary ?? null) as never,
      clientIp: ctx?.clientIp ?? null,
      requestId: ctx?.requestId ?? null,
    });
  }

  /** A record on its own, for events that change nothing else (a refused sign-in). */
  recordAlone(entry: AuditEntry): Promise<void> {
    return this.record(this.dataSource.manager, entry);
  }

  async search(query: AuditQuery): Promise<{ rows: AuditEvent[]; total: number }> {
    const qb = this.dataSource.getRepository(AuditEvent).createQueryBuilder('e');
    if (query.action) qb.andWhere('e.action LIKE :action', { action: `${escapeLike(query.action)}%` });
    if (query.actor) {
      qb.andWhere(
        new Brackets((w) =>
          w.where('e.actorId = :actor', { actor: query.actor }).orWhere('e.actorName LIKE :actorLike', { actorLike: `%${escapeLike(query.actor!)}%` }),
        ),
      );
    }
    if (query.target) qb.andWhere('(e.targetId = :target OR e.targetType = :target)', { target: query.target });
    if (query.from) qb.andWhere('e.occurredAt >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.occurredAt < :to', { to: query.to });
    const [rows, total] = await qb
      .orderBy('e.id', 'DESC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return { rows, total };
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
