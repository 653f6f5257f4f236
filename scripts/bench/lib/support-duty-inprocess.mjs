// The in-process half of the support-duty bench (scripts/bench/support-duty.mjs), a child process
// with the app's environment and a Nest application context of dist/ (CoreModule, AuditModule,
// AuthModule and the support-duty batch core: FilingService, BatchService):
//   batch    BatchService.run on a CSV of BENCH_SD_BATCH_ROWS (default 10,000) rows: 1,250 staff
//            of a bench institution × 8 weeks (more if fewer staff were new), one session each, at 10 supported institutions;
//            all or nothing in one transaction (the figure is the job's whole run)
//   submit   FilingService.submit of single cases back to back (the rules under row locks), each
//            saved as a draft first (not timed)
//   seed     the review queue's county (09007, 連江縣) filled up to BENCH_SD_QUEUE_CASES (default
//            100,000) submitted cases, once (later runs find them), for the HTTP half
// and creates a county reviewer of 09007 for the HTTP half. Prints `result <JSON>` and exits.
// Everything it adds to the development database is marked: institutions 7xxxxxxxxx named
// 壓測…, people named 壓測醫師…, the reviewer bench-sd-….
import { randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { benchArgs, dist, percentile, require } from './inprocess.mjs';

const { NestFactory } = require('@nestjs/core');
const { Module } = require('@nestjs/common');
const { getDataSourceToken } = require('@nestjs/typeorm');
const { loadConfig } = dist('config/app-config.js');
const { CoreModule } = dist('core/core.module.js');
const { AuditModule } = dist('modules/audit/audit.module.js');
const { AuthModule } = dist('modules/auth/auth.module.js');
const { StaffService } = dist('modules/auth/staff.service.js');
const { BatchCoreModule } = dist('modules/support-duty/batch/batch.module.js');
const { BatchService } = dist('modules/support-duty/batch/batch.service.js');
const { FilingService } = dist('modules/support-duty/filing/filing.service.js');
const { ProtectedIdCodec } = dist('common/crypto/protected-id.js');
const { nationalIdWithCheckDigit } = dist('common/identifiers/national-id.js');
const { addDays, taipeiDay } = dist('common/time/taipei-day.js');
const { weekStartOf } = dist('modules/support-duty/lifecycle/periods.js');

const { seconds } = benchArgs('support-duty-inprocess.mjs');
const BATCH_ROWS = Number(process.env.BENCH_SD_BATCH_ROWS ?? 10_000);
const QUEUE_CASES = Number(process.env.BENCH_SD_QUEUE_CASES ?? 100_000);
const QUEUE_COUNTY = '09007';
const PEOPLE = 1_250;

class BenchModule {}
const config = loadConfig(process.env);
Module({ imports: [CoreModule.forRoot(config), AuditModule, AuthModule, BatchCoreModule] })(BenchModule);
const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
const db = app.get(getDataSourceToken());
const ids = app.get(ProtectedIdCodec);
const tag = randomBytes(3).toString('hex');

const institutionCode = () => `7${String(randomInt(0, 999_999_999)).padStart(9, '0')}`;
async function institution(countyCode, weeklySessions) {
  const code = institutionCode();
  await db.query(
    `INSERT INTO institution (code, name_zh, name_en, kind, county_code, address, phone, is_initial_review_counter, weekly_sessions) VALUES (?, ?, ?, 'clinic', ?, '壓測路1號', '02-23000000', 0, ?)`,
    [code, `壓測機構${code}`, `Bench institution ${code}`, countyCode, weeklySessions],
  );
  return code;
}

const home = await institution('63000', 100);
const supported = [];
for (let i = 0; i < 10; i++) supported.push(await institution(i === 0 ? QUEUE_COUNTY : '66000', 1_000_000));

// 1,250 staff of the home institution, in chunks
const people = [];
for (let i = 0; i < PEOPLE; i++) people.push(nationalIdWithCheckDigit(`W1${String(randomInt(0, 9_999_999)).padStart(7, '0')}`));
const uniquePeople = [...new Set(people)];
for (let i = 0; i < uniquePeople.length; i += 500) {
  const chunk = uniquePeople.slice(i, i + 500).map((id, j) => {
    const p = ids.protect(id);
    return [p.cipher, p.index, 'A', String(randomInt(0, 999_999)).padStart(6, '0'), `壓測醫師${tag}${i + j}`, home];
  });
  await db.query(`INSERT IGNORE INTO professional (national_id_cipher, national_id_index, category_code, certificate_number, name_zh, home_institution_code) VALUES ?`, [chunk]);
}
const staffRows = await db.query('SELECT id, national_id_cipher FROM professional WHERE home_institution_code = ? ORDER BY id', [home]);
const personIds = staffRows.map((r) => Number(r.id));
// the staff actually registered here (an ID that collided with an earlier run's person was skipped)
uniquePeople.splice(0, uniquePeople.length, ...staffRows.map((r) => ids.reveal(r.national_id_cipher)));

// (1) the batch: row k is person k mod n in week ⌊k / n⌋, so no person's rows overlap (and each
// person has one session a week) however many of the 1,250 IDs were new
const weeks = Math.ceil(BATCH_ROWS / uniquePeople.length);
const firstMonday = weekStartOf(addDays(taipeiDay(), 21));
const header = 'national_id,supported_institution,department,purpose,purpose_text,from,to,weekdays,sessions';
const lines = [header];
for (let k = 0; k < BATCH_ROWS; k++) {
  const monday = addDays(firstMonday, 7 * Math.floor(k / uniquePeople.length));
  lines.push(`${uniquePeople[k % uniquePeople.length]},${supported[k % supported.length]},01,outpatient,,${monday},${monday},1,morning`);
}
const csv = lines.join('\n');
const [batchInsert] = [await db.query(`INSERT INTO support_duty_batch (institution_code, status, lang, filename, content, total_rows) VALUES (?, 'queued', 'zh-TW', 'bench.csv', ?, ?)`, [home, csv, BATCH_ROWS])];
const batches = app.get(BatchService);
const t0 = performance.now();
const outcome = await batches.run(String(batchInsert.insertId), async () => undefined);
const batchMs = performance.now() - t0;
const [batchRow] = await db.query('SELECT status, created_cases, errors FROM support_duty_batch WHERE id = ?', [batchInsert.insertId]);

// (2) single submissions, back to back, for `seconds`
const filing = app.get(FilingService);
const durations = [];
const submitMonday = addDays(firstMonday, 7 * (weeks + 1));
const end = performance.now() + seconds * 1000;
let refused = 0;
for (let i = 0; i < personIds.length && performance.now() < end; i++) {
  const principal = { kind: 'personnel', id: String(personIds[i]), role: 'personnel', displayName: 'bench', credential: 'bench' };
  const saved = await filing.saveDraft(principal, { supportedInstitution: supported[1 + (i % 9)], department: '01', purpose: 'outpatient', p1From: submitMonday, p1To: addDays(submitMonday, 6), p1Weekdays: ['2'], p1Sessions: ['afternoon'] }, 'zh-TW');
  if (saved.errors) throw new Error(`draft refused: ${JSON.stringify(saved.errors)}`);
  const s = performance.now();
  const result = await filing.submit(principal, saved.caseId, null);
  durations.push(performance.now() - s);
  if (!result.submitted) refused++;
}
durations.sort((a, b) => a - b);

// (3) the review queue's county, filled once
const [{ n: existing }] = await db.query("SELECT COUNT(*) AS n FROM support_duty_case WHERE county_code = ? AND status <> 'draft'", [QUEUE_COUNTY]);
const seedStart = performance.now();
let seeded = 0;
const periods = JSON.stringify([{ from: firstMonday, to: firstMonday, weekdays: [1], sessions: ['morning'] }]);
const personRow = (await db.query('SELECT id, national_id_index, name_zh, certificate_number FROM professional WHERE id = ?', [personIds[0]]))[0];
for (let have = Number(existing); have < QUEUE_CASES; have += 5_000) {
  const rows = [];
  for (let j = 0; j < Math.min(5_000, QUEUE_CASES - have); j++) {
    rows.push(['submitted', personRow.id, personRow.national_id_index, personRow.name_zh, 'A', personRow.certificate_number, home, supported[0], QUEUE_COUNTY, '01', 'outpatient', periods, firstMonday, firstMonday, 1, 'institution', home, 'zh-TW', new Date()]);
  }
  await db.query(
    `INSERT INTO support_duty_case (status, professional_id, person_index, professional_name, category_code, certificate_number, home_institution_code, supported_institution_code, county_code, department_code, purpose, periods, first_day, last_day, session_count, filed_by_kind, filed_by_id, lang, submitted_at) VALUES ?`,
    [rows],
  );
  seeded += rows.length;
}
await db.query("UPDATE support_duty_case SET case_number = CONCAT('SD', LPAD(id, 10, '0')) WHERE county_code = ? AND case_number IS NULL AND status = 'submitted'", [QUEUE_COUNTY]);
const seedMs = performance.now() - seedStart;

// the reviewer for the HTTP half
const reviewer = await app.get(StaffService).create({ username: `bench-sd-${tag}`, displayName: '壓測審查員', role: 'county_reviewer', countyCode: QUEUE_COUNTY }, { kind: 'bench' });

process.stdout.write(
  `result ${JSON.stringify({
    batch: { rows: BATCH_ROWS, ms: batchMs, status: batchRow.status, created: Number(batchRow.created_cases), errors: outcome.errors, firstError: batchRow.errors ? JSON.parse(batchRow.errors)[0] : null },
    submit: { ops: durations.length, refused, p50Ms: percentile(durations, 50), p99Ms: percentile(durations, 99), meanMs: durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length) },
    queue: { county: QUEUE_COUNTY, cases: Number(existing) + seeded, seeded, seedMs },
    reviewer: { username: reviewer.account.username, password: reviewer.password, totpSecret: reviewer.totpSecret },
  })}\n`,
);
await app.close();
process.exit(0);
