import { Injectable } from '@nestjs/common';
import { requestContext } from '../../common/context/request-context';
import type { Tx } from '../../core/database';
import type { AuditEvent } from './audit-event.entity';
import { AuditRepository, type AuditQuery } from './audit.repository';

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

export type { AuditQuery } from './audit.repository';

export const AUDIT_PAGE_SIZE = 50;

/**
 * Writes audit rows in the caller's transaction (pass its Tx), so a change and its record commit
 * or roll back together. Who, with which credential, from where and under which request id come
 * from the request context, or from `actor` for the CLI and sign-in attempts.
 */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  async record(tx: Tx, entry: AuditEntry): Promise<void> {
    await this.append(tx, entry);
  }

  /** Many records in the caller's transaction, in multi-row INSERTs (a batch's changes). */
  async recordMany(tx: Tx, entries: AuditEntry[]): Promise<void> {
    await this.repository.appendMany(tx, entries.map((e) => this.rowOf(e)));
  }

  /** A record on its own, for events that change nothing else (a refused sign-in). */
  recordAlone(entry: AuditEntry): Promise<void> {
    return this.append(undefined, entry);
  }

  /** One page of the staff search, newest first, each row with its summary as text. */
  async searchPage(input: Omit<AuditQuery, 'pageSize'>) {
    const { rows, total } = await this.repository.search({ ...input, pageSize: AUDIT_PAGE_SIZE });
    return {
      rows: rows.map((r) => ({ ...r, summaryText: r.summary ? JSON.stringify(r.summary) : '' })),
      total,
      page: input.page,
      pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
    };
  }

  private append(tx: Tx | undefined, entry: AuditEntry): Promise<void> {
    return this.repository.append(tx, this.rowOf(entry));
  }

  private rowOf(entry: AuditEntry): Omit<AuditEvent, 'id'> {
    const ctx = requestContext.get();
    const actor: AuditActor = entry.actor ?? ctx?.principal ?? { kind: 'anonymous' };
    return {
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
      summary: entry.summary ?? null,
      clientIp: ctx?.clientIp ?? null,
      requestId: ctx?.requestId ?? null,
    };
  }
}
