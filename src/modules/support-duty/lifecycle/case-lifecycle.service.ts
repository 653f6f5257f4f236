import { Injectable } from '@nestjs/common';
import type { Tx } from '../../../core/database';
import { QUEUE_REGISTRY, QUEUES } from '../../../core/queues';
import { AuditService, type AuditActor, type AuditEntry } from '../../audit';
import { OutboxService } from '../../notifications';
import { supportDutyError } from '../support-duty.errors';
import { IllegalCaseTransition, nextCaseState, type CaseEvent, type CaseState } from './case-state';
import { CaseRepository, type CaseFields } from './case.repository';
import type { SupportDutyCase } from './support-duty.entity';

export interface CaseTransition {
  /** The case as the caller read it: its id, state and version. */
  row: SupportDutyCase;
  event: CaseEvent;
  /** More columns to set in the same UPDATE (decision, case number…). */
  set?: Partial<SupportDutyCase>;
  /** What changed, for the audit row (never national IDs). */
  summary?: Record<string, unknown>;
  actor?: AuditActor;
}

/** The payload of the reporting event each transition writes to the outbox (queue support-duty-events). */
export interface CaseChangedEvent {
  caseId: string;
  caseNumber: string | null;
  event: CaseEvent;
  from: CaseState;
  to: CaseState;
  countyCode: string;
  categoryCode: string;
  homeInstitutionCode: string;
  supportedInstitutionCode: string;
  purpose: string;
  firstDay: string;
  lastDay: string;
  sessionCount: number;
  /** The case's version after this change (the UPDATE adds one): consumers apply a case's events in this order, each once. */
  version: number;
  at: string;
}

/**
 * The one place a support-duty case changes state (the CardLifecycle pattern): the transition
 * must be legal (case-state.ts), the row still at the version the caller read (two reviewers
 * deciding one case: one wins, the other gets ConflictError 'case-changed'), and the audit row and
 * the reporting event are written in the caller's transaction.
 */
@Injectable()
export class CaseLifecycle {
  constructor(
    private readonly cases: CaseRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  async move(tx: Tx, t: CaseTransition): Promise<CaseState> {
    const from = t.row.status;
    const to = next(from, t.event);
    if (!(await this.cases.updateState(tx, t.row, from, to, t.set))) throw supportDutyError.conflict('case-changed', 'supportDuty.errors.changedMeanwhile');
    const after = { ...t.row, ...(t.set ?? {}) };
    await this.audit.record(tx, auditOf(after, t, from, to));
    await this.outbox.enqueue(tx, QUEUES.supportDutyEvents, QUEUE_REGISTRY.supportDutyEvents.jobs.caseChanged, eventOf(after, t.event, from, to, t.row.version + 1));
    return to;
  }

  /**
   * Files many cases at once (a batch, its rows checked by CaseRules.checkMany): each takes the
   * transition a draft's submission takes (draft → submitted, its version 1 → 2, a case number),
   * inserted in that state in multi-row INSERTs, with an audit row and a reporting event each,
   * written in bulk, as `move` writes them one at a time. Returns the cases as filed.
   */
  async fileMany(tx: Tx, items: Array<{ fields: CaseFields & Pick<SupportDutyCase, 'filedByKind' | 'filedById' | 'lang'>; summary?: Record<string, unknown> }>, actor?: AuditActor): Promise<SupportDutyCase[]> {
    if (!items.length) return [];
    const from: CaseState = 'draft';
    const to = next(from, 'submit');
    const now = new Date();
    const rows = items.map((i) => ({ ...i.fields, status: to, supersedesCaseId: null, submittedAt: now, createdAt: now, updatedAt: now, version: 2 }) as SupportDutyCase);
    const ids = await this.cases.insertSubmitted(tx, rows);
    const filed = rows.map((r, k) => ({ ...r, id: ids[k], caseNumber: caseNumberOf(ids[k]) }));
    await this.audit.recordMany(tx, filed.map((c, k) => auditOf(c, { row: { ...c, version: 1 }, event: 'submit', summary: items[k].summary, actor }, from, to)));
    await this.outbox.enqueueMany(tx, QUEUES.supportDutyEvents, QUEUE_REGISTRY.supportDutyEvents.jobs.caseChanged, filed.map((c) => eventOf(c, 'submit', from, to, c.version)));
    return filed;
  }
}

/** A submitted case's number: SD and the id on 10 digits (CaseRepository.insertSubmitted writes the same in SQL). */
export const caseNumberOf = (id: string) => `SD${id.padStart(10, '0')}`;

/** The audit row of a transition. */
function auditOf(after: SupportDutyCase, t: CaseTransition, from: CaseState, to: CaseState): AuditEntry {
  return { action: `support-duty.${t.event}`, targetType: 'support_duty_case', targetId: after.caseNumber ?? `draft-${t.row.id}`, summary: { from, to, ...(t.summary ?? {}) }, actor: t.actor };
}

/** The reporting event of a transition (the format the reporting module reads). */
function eventOf(after: SupportDutyCase, event: CaseEvent, from: CaseState, to: CaseState, version: number): CaseChangedEvent {
  return {
    caseId: after.id,
    caseNumber: after.caseNumber,
    event,
    from,
    to,
    countyCode: after.countyCode,
    categoryCode: after.categoryCode,
    homeInstitutionCode: after.homeInstitutionCode,
    supportedInstitutionCode: after.supportedInstitutionCode,
    purpose: after.purpose,
    firstDay: after.firstDay,
    lastDay: after.lastDay,
    sessionCount: after.sessionCount,
    version,
    at: new Date().toISOString(),
  };
}

/** The state after `event`; an illegal transition is a 409. */
function next(from: CaseState, event: CaseEvent): CaseState {
  try {
    return nextCaseState(from, event);
  } catch (err) {
    if (err instanceof IllegalCaseTransition) throw supportDutyError.conflict('case-transition-illegal', 'supportDuty.errors.transitionIllegal');
    throw err;
  }
}
