// Support-duty cases for the reporting tests: drafts inserted through the real repository and
// moved through the real CaseLifecycle (so each change writes its real case-changed event to the
// outbox), and those events read back from the outbox to apply as the worker would.
import { randomInt } from 'node:crypto';
import { Database } from '../../src/core/database';
import { QUEUES } from '../../src/core/queues';
import { CaseSummaryService } from '../../src/modules/reporting';
import type { CaseChangedEvent } from '../../src/modules/support-duty';
import { CaseLifecycle } from '../../src/modules/support-duty/lifecycle/case-lifecycle.service';
import type { CaseEvent } from '../../src/modules/support-duty/lifecycle/case-state';
import { CaseRepository } from '../../src/modules/support-duty/lifecycle/case.repository';
import type { Purpose } from '../../src/modules/support-duty/lifecycle/support-duty.entity';
import type supertest from 'supertest';
import type { TestApp } from './app';
import type { TestInstitution, TestProfessional } from './support-duty';

export interface CaseSpec {
  person: TestProfessional;
  supported: TestInstitution;
  categoryCode?: string;
  purpose?: Purpose;
  firstDay: string;
  sessionCount: number;
  supersedesCaseId?: string | null;
}

/** A draft case (no event yet); returns its id. */
export async function insertDraft(t: TestApp, spec: CaseSpec): Promise<string> {
  return t.app.get(Database).transaction((tx) =>
    t.app.get(CaseRepository).insertDraft(tx, {
      professionalId: spec.person.id,
      personIndex: `idx-${spec.person.id}`.padEnd(64, '0'),
      professionalName: spec.person.nameZh,
      categoryCode: spec.categoryCode ?? 'A',
      certificateNumber: String(randomInt(0, 999_999)).padStart(6, '0'),
      homeInstitutionCode: spec.person.homeInstitutionCode,
      supportedInstitutionCode: spec.supported.code,
      countyCode: spec.supported.countyCode,
      departmentCode: '01',
      purpose: spec.purpose ?? 'outpatient',
      purposeText: null,
      periods: [],
      firstDay: spec.firstDay,
      lastDay: spec.firstDay,
      sessionCount: spec.sessionCount,
      filedByKind: 'personnel',
      filedById: String(spec.person.id),
      lang: 'zh-TW',
      supersedesCaseId: spec.supersedesCaseId ?? null,
    }),
  );
}

/** Moves cases through the real lifecycle in one transaction (each move: audit row + outbox event). */
export async function move(t: TestApp, ...moves: Array<[caseId: string, event: CaseEvent]>): Promise<void> {
  await t.app.get(Database).transaction(async (tx) => {
    for (const [caseId, event] of moves) {
      const row = await t.app.get(CaseRepository).inTransaction(tx, caseId);
      await t.app.get(CaseLifecycle).move(tx, { row, event, set: event === 'submit' ? { caseNumber: `SD9${String(randomInt(0, 999_999_999)).padStart(9, '0')}` } : {} });
    }
  });
}

/** A submitted case (draft + submit); returns its id. */
export async function submitCase(t: TestApp, spec: CaseSpec): Promise<string> {
  const id = await insertDraft(t, spec);
  await move(t, [id, 'submit']);
  return id;
}

/** The case-changed events the outbox holds for these cases, in the order they were written. */
export async function eventsOf(t: TestApp, caseIds: string[]): Promise<CaseChangedEvent[]> {
  const rows = (await t.dataSource.query('SELECT payload FROM outbox_message WHERE queue = ? ORDER BY id', [QUEUES.supportDutyEvents])) as Array<{ payload: string }>;
  const wanted = new Set(caseIds);
  return rows.map((r) => JSON.parse(r.payload) as CaseChangedEvent).filter((e) => wanted.has(e.caseId));
}

/** Applies these cases' events to the summaries, as the worker's processor does. */
export async function applyEvents(t: TestApp, caseIds: string[]): Promise<void> {
  for (const event of await eventsOf(t, caseIds)) await t.app.get(CaseSummaryService).apply(event);
}

/** A GET whose body (a PDF, a spreadsheet, a CSV) is kept as bytes: `(await binaryGet(agent, path).expect(200)).body` is a Buffer. */
export function binaryGet(agent: supertest.Agent, path: string) {
  return agent.get(path).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}
