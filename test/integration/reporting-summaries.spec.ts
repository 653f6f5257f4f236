import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../../src/app/worker.module';
import { loadConfig } from '../../src/config/app-config';
import { CaseSummaryService, SyntheticCasesService } from '../../src/modules/reporting';
import { CaseSummaryRepository, type SummaryRow } from '../../src/modules/reporting/case-summary.repository';
import { seededRandom } from '../../src/modules/reporting/seeded-random';
import type { CaseChangedEvent } from '../../src/modules/support-duty';
import { PURPOSES } from '../../src/modules/support-duty/lifecycle/support-duty.entity';
import { createTestApp, type TestApp } from '../support/app';
import { runCli } from '../support/cli';
import { eventsOf, insertDraft, move, submitCase } from '../support/reporting';
import { createInstitution, createProfessional, type TestInstitution, type TestProfessional } from '../support/support-duty';
import { setAsideOtherFilesJobs } from '../support/worker';

const sorted = (rows: SummaryRow[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('reporting: support-duty summaries', () => {
  let t: TestApp;
  let summaries: CaseSummaryService;
  let repository: CaseSummaryRepository;

  beforeAll(async () => {
    t = await createTestApp();
    summaries = t.app.get(CaseSummaryService);
    repository = t.app.get(CaseSummaryRepository);
  });
  afterAll(() => t.close());

  async function world(): Promise<{ people: TestProfessional[]; institutions: TestInstitution[] }> {
    const home = await createInstitution(t, { countyCode: '63000' });
    const institutions = [await createInstitution(t, { countyCode: '66000' }), await createInstitution(t, { countyCode: '64000' }), await createInstitution(t, { countyCode: '66000' })];
    return { people: [await createProfessional(t, home), await createProfessional(t, home)], institutions };
  }

  async function expectSummariesEqualCases(institutions: TestInstitution[], context: string): Promise<void> {
    const codes = institutions.map((i) => i.code);
    for (const grain of ['day', 'month'] as const) {
      const [kept, raw] = [await repository.rowsFor(grain, codes), await repository.rawRowsFor(grain, codes)];
      expect({ context, grain, rows: sorted(kept) }).toEqual({ context, grain, rows: sorted(raw) });
    }
    // the pages' rollup, by institution facet
    const marks = codes.map(() => '?').join(', ');
    const facet = (await t.dataSource.query(
      `SELECT county_code, DATE_FORMAT(month, '%Y-%m') AS m, value, status, cases, CAST(sessions AS SIGNED) AS sessions FROM report_sd_facet WHERE facet = 'institution' AND value IN (${marks})`,
      codes,
    )) as unknown[];
    const raw = (await t.dataSource.query(
      `SELECT county_code, DATE_FORMAT(first_day, '%Y-%m') AS m, supported_institution_code AS value, status, COUNT(*) AS cases, CAST(SUM(session_count) AS SIGNED) AS sessions
       FROM support_duty_case WHERE status NOT IN ('draft', 'discarded') AND supported_institution_code IN (${marks}) GROUP BY county_code, m, value, status`,
      codes,
    )) as unknown[];
    const norm = (rows: unknown[]) => rows.map((r) => JSON.stringify(Object.values(r as object).map(String))).sort();
    expect({ context, facet: norm(facet) }).toEqual({ context, facet: norm(raw) });
  }

  it.each([11, 2026, 90210])('property: after random case changes and replayed, reordered events, every summary equals a GROUP BY over the cases (seed %i)', async (seed) => {
    const rnd = seededRandom(seed);
    const { people, institutions } = await world();
    const live: { submitted: string[]; approved: string[]; drafts: string[] } = { submitted: [], approved: [], drafts: [] };
    const changeOf = new Map<string, string>();
    const all: string[] = [];
    const spec = () => ({
      person: rnd.pick(people),
      supported: rnd.pick(institutions),
      categoryCode: rnd.pick(['A', 'B', 'C']),
      purpose: rnd.pick(PURPOSES),
      firstDay: `2026-0${1 + rnd.int(3)}-${String(1 + rnd.int(28)).padStart(2, '0')}`,
      sessionCount: 1 + rnd.int(12),
    });
    const take = (list: string[]) => list.splice(rnd.int(list.length), 1)[0];
    const delivered: CaseChangedEvent[] = [];
    const deliverSome = async () => {
      // the events so far, some of them again, in a shuffled order (a worker retry, a second relay)
      const events = await eventsOf(t, all);
      const batch = [...events.filter(() => rnd.next() < 0.6), ...delivered.filter(() => rnd.next() < 0.3)];
      for (let i = batch.length - 1; i > 0; i--) {
        const j = rnd.int(i + 1);
        [batch[i], batch[j]] = [batch[j], batch[i]];
      }
      for (const e of batch) {
        await summaries.apply(e);
        delivered.push(e);
      }
    };

    for (let step = 0; step < 30; step++) {
      const op = rnd.pick(['create', 'create', 'draft', 'discard', 'approve', 'reject', 'cancel', 'change', 'deliver'] as const);
      if (op === 'create') {
        const id = await submitCase(t, spec());
        all.push(id);
        live.submitted.push(id);
      } else if (op === 'draft') {
        const id = await insertDraft(t, spec());
        all.push(id);
        live.drafts.push(id);
      } else if (op === 'discard' && live.drafts.length) {
        await move(t, [take(live.drafts), 'discard']);
      } else if ((op === 'approve' || op === 'reject') && live.submitted.length) {
        const id = take(live.submitted);
        const old = changeOf.get(id);
        if (op === 'approve' && old && live.approved.includes(old)) {
          // approving a change supersedes the case it changes, in the same transaction
          live.approved.splice(live.approved.indexOf(old), 1);
          await move(t, [old, 'supersede'], [id, 'approve']);
        } else {
          await move(t, [id, op]);
        }
        if (op === 'approve') live.approved.push(id);
      } else if (op === 'cancel' && live.submitted.length + live.approved.length) {
        const fromApproved = live.approved.length && (rnd.next() < 0.5 || !live.submitted.length);
        await move(t, [take(fromApproved ? live.approved : live.submitted), 'cancel']);
      } else if (op === 'change' && live.approved.length) {
        const old = live.approved[rnd.int(live.approved.length)];
        const id = await submitCase(t, { ...spec(), supersedesCaseId: old });
        all.push(id);
        changeOf.set(id, old);
        live.submitted.push(id);
      } else if (op === 'deliver') {
        await deliverSome();
      }
    }
    // every event at least once more, and a last round of replays
    for (const e of await eventsOf(t, all)) await summaries.apply(e);
    for (const e of delivered.filter(() => rnd.next() < 0.5)) expect(await summaries.apply(e)).toBe('skipped');
    await expectSummariesEqualCases(institutions, `seed ${seed}`);
    const [counted] = (await t.dataSource.query("SELECT COUNT(*) AS n FROM support_duty_case WHERE supported_institution_code IN (?, ?, ?) AND status NOT IN ('draft', 'discarded')", institutions.map((i) => i.code))) as Array<{ n: string }>;
    expect((await repository.rowsFor('month', institutions.map((i) => i.code))).reduce((n, r) => n + r.cases, 0)).toBe(Number(counted.n));
  });

  it('an event applied twice counts once, and an older event arriving after a newer one changes nothing', async () => {
    const { people, institutions } = await world();
    const id = await submitCase(t, { person: people[0], supported: institutions[0], firstDay: '2026-05-04', sessionCount: 3 });
    await move(t, [id, 'approve']);
    const [submitted, approved] = await eventsOf(t, [id]);
    expect([submitted.version, approved.version]).toEqual([2, 3]);
    expect(await summaries.apply(approved)).toBe('applied');
    expect(await summaries.apply(approved)).toBe('skipped');
    expect(await summaries.apply(submitted)).toBe('skipped');
    expect(await repository.rowsFor('month', [institutions[0].code])).toEqual([
      { day: '2026-05-01', countyCode: '66000', categoryCode: 'A', institutionCode: institutions[0].code, purpose: 'outpatient', status: 'approved', cases: 1, sessions: 3 },
    ]);
    const mark = await summaries.freshness();
    expect(mark.lastEventAt?.toISOString()).toBe(approved.at);
  });

  it('the rebuild recounts from the cases: a dry run reports the differences and writes nothing, the real one puts them right', async () => {
    const { people, institutions } = await world();
    const ids = [
      await submitCase(t, { person: people[0], supported: institutions[0], firstDay: '2026-06-10', sessionCount: 2 }),
      await submitCase(t, { person: people[1], supported: institutions[1], firstDay: '2026-07-01', sessionCount: 5, categoryCode: 'B' }),
    ];
    await move(t, [ids[0], 'reject']);
    // no event applied: the summaries know nothing of these cases yet
    expect(await repository.rowsFor('day', institutions.map((i) => i.code))).toEqual([]);
    const dry = runCli(['reporting', 'rebuild', '--from', '2026-06', '--dry-run', '--json']);
    expect(dry.status).toBe(0);
    const planned = JSON.parse(dry.stdout) as Record<string, unknown>;
    expect(planned).toMatchObject({ dryRun: true, fromMonth: '2026-06-01' });
    expect(planned.differences as number).toBeGreaterThanOrEqual(4);
    expect(await repository.rowsFor('day', institutions.map((i) => i.code))).toEqual([]);
    const real = runCli(['reporting', 'rebuild', '--from', '2026-06', '--json']);
    expect(real.status).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ dryRun: false, differences: planned.differences });
    await expectSummariesEqualCases(institutions, 'after the rebuild');
    expect((await repository.rowsFor('month', institutions.map((i) => i.code))).map((r) => [r.status, r.cases, r.sessions]).sort()).toEqual([
      ['rejected', 1, 2],
      ['submitted', 1, 5],
    ]);
    // and the events arriving late change nothing (the rebuild took the cases' versions)
    for (const e of await eventsOf(t, ids)) expect(await summaries.apply(e)).toBe('skipped');
    // a second rebuild finds nothing to change in that range
    expect(await summaries.rebuild({ from: '2026-06-15', dryRun: true })).toMatchObject({ dryRun: true, fromMonth: '2026-06-01', differences: 0 });
  });

  it('the worker applies the outbox events of case changes to the summaries', async () => {
    await setAsideOtherFilesJobs(t.dataSource, t.config.redisUrl);
    const worker: INestApplicationContext = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, DEV_SMTP_LISTENER: 'false' })), { logger: false });
    await worker.init();
    try {
      const { people, institutions } = await world();
      const id = await submitCase(t, { person: people[0], supported: institutions[2], firstDay: '2026-08-03', sessionCount: 4, purpose: 'teaching' });
      await move(t, [id, 'approve']);
      const deadline = Date.now() + 60_000;
      let rows: SummaryRow[] = [];
      while (Date.now() < deadline) {
        rows = await repository.rowsFor('day', [institutions[2].code]);
        if (rows.length === 1 && rows[0].status === 'approved') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows).toEqual([{ day: '2026-08-03', countyCode: '66000', categoryCode: 'A', institutionCode: institutions[2].code, purpose: 'teaching', status: 'approved', cases: 1, sessions: 4 }]);
    } finally {
      await worker.close();
    }
  });

  // last in this file: the synthetic cases go to the institutions that exist by now
  it('dev generate: synthetic cases in bulk over two years, then summaries that equal a GROUP BY over every case', async () => {
    const [before] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM support_duty_case')) as Array<{ n: string }>;
    const result = await t.app.get(SyntheticCasesService).generate(600, 5);
    expect(result.cases).toBe(600);
    const [after] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM support_duty_case')) as Array<{ n: string }>;
    expect(Number(after.n) - Number(before.n)).toBe(600);
    const spread = (await t.dataSource.query(
      "SELECT COUNT(DISTINCT status) AS statuses, COUNT(DISTINCT purpose) AS purposes, COUNT(DISTINCT YEAR(first_day)) AS years FROM support_duty_case WHERE case_number LIKE 'SX%'",
    )) as Array<Record<string, string>>;
    expect(Number(spread[0].statuses)).toBe(5);
    expect(Number(spread[0].purposes)).toBeGreaterThanOrEqual(6);
    expect(Number(spread[0].years)).toBeGreaterThanOrEqual(2);
    const [counted] = (await t.dataSource.query("SELECT COUNT(*) AS n FROM support_duty_case WHERE status NOT IN ('draft', 'discarded')")) as Array<{ n: string }>;
    const [summed] = (await t.dataSource.query('SELECT SUM(cases) AS n FROM report_sd_month')) as Array<{ n: string }>;
    const [faceted] = (await t.dataSource.query("SELECT SUM(cases) AS n FROM report_sd_facet WHERE facet = 'institution'")) as Array<{ n: string }>;
    expect([Number(summed.n), Number(faceted.n)]).toEqual([Number(counted.n), Number(counted.n)]);
    expect(await summaries.rebuild({ dryRun: true })).toMatchObject({ differences: 0 });
  });
});
