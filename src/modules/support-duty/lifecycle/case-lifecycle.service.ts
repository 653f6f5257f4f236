import { Injectable } from '@nestjs/common';
import type { Tx } from '../../../core/database';
import { QUEUE_REGISTRY, QUEUES } from '../../../core/queues';
import { AuditService, type AuditActor, type AuditEntry } from '../../audit';
import { OutboxService } from '../../notifications';
import { supportDutyError } from '../support-duty.errors';
import { IllegalCaseTransition, nextCaseState, type CaseEvent, type CaseState } from './case-state';
import { CaseRepository } from './case.repository';
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
   * Submits many drafts at once (a batch), each as `move` would: the same legal transition and
   * version check (one UPDATE per chunk; any draft changed meanwhile is a conflict and the
   * caller's transaction rolls back), an audit row and a reporting event each, written in bulk.
   */
  async submitMany(tx: Tx, items: Array<{ row: SupportDutyCase; summary?: Record<string, unknown> }>, actor?: AuditActor): Promise<void> {
    if (!items.length) return;
    const submittedAt = new Date();
    for (const [version, group] of groupBy(items, (i) => i.row.version)) {
      for (const i of group) next(i.row.status, 'submit');
      if (!(await this.cases.submitDrafts(tx, group.map((i) => i.row.id), version, submittedAt))) throw supportDutyError.conflict('case-changed', 'supportDuty.errors.changedMeanwhile');
    }
    const moved = items.map((i) => ({ ...i, after: { ...i.row, caseNumber: caseNumberOf(i.row.id), submittedAt } }));
    await this.audit.recordMany(tx, moved.map((m) => auditOf(m.after, { row: m.row, event: 'submit', summary: m.summary, actor }, m.row.status, 'submitted')));
    await this.outbox.enqueueMany(tx, QUEUES.supportDutyEvents, QUEUE_REGISTRY.supportDutyEvents.jobs.caseChanged, moved.map((m) => eventOf(m.after, 'submit', m.row.status, 'submitted', m.row.version + 1)));
  }
}

/** A submitted case's number: SD and the id on 10 digits (CaseRepository.submitDrafts writes the same in SQL). */
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

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(item);
  }
  return groups;
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
