import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type Repository } from 'typeorm';
import { escapeLike, insertMany } from '../../core/sql';
import type { Tx } from '../../core/database';
import { AuditEvent } from './audit-event.entity';

export interface AuditQuery {
  action?: string;
  actor?: string;
  target?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

/** The audit trail's queries: append in the caller's transaction, search newest first. */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async append(tx: Tx | undefined, row: Omit<AuditEvent, 'id'>): Promise<void> {
    await (tx ?? this.events.manager).insert(AuditEvent, { ...row, summary: row.summary as never });
  }

  /** Many rows in the caller's transaction, in multi-row INSERTs. */
  async appendMany(tx: Tx, rows: Array<Omit<AuditEvent, 'id'>>): Promise<void> {
    await insertMany(tx, AuditEvent, rows as AuditEvent[]);
  }

  async search(query: AuditQuery): Promise<{ rows: AuditEvent[]; total: number }> {
    const qb = this.events.createQueryBuilder('e');
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
