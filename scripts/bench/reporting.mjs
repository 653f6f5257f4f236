// Reporting: the county statistics page (/reports for a county reviewer) over HTTP against the
// same figures computed by raw GROUP BYs over support_duty_case, in the same run.
//   (1) BENCH_CONNECTIONS virtual users GET /reports?year=<last full year> as a county reviewer of
//       the county with the most cases (the page reads the summaries: report_sd_facet)
//   (2) BENCH_CONNECTIONS database connections run the page's figures straight from the cases
//       (category × status, institution × status, month × status for that county and year), one
//       "page" = the three queries, with the best index for them: a covering index
//       (county_code, first_day, status, category_code, supported_institution_code,
//       session_count), created for the run when missing and dropped afterwards
// and prints `reporting: page p95 <x> ms; raw GROUP BY p95 <y> ms; ratio <r>x`.
//
// Setup, against the development database of .env: when it holds fewer than
// BENCH_REPORTING_CASES (default 1,000,000) support-duty cases, `dev generate` tops them up
// (seed 1; a few minutes for a million on a 2-core machine) and rebuilds the summaries. A county
// reviewer account is created per run (bench-reporting-<random>) and signs in through /staff/login.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../lib/util.mjs';
import { cli } from './lib/harness.mjs';

export const name = 'reporting';
export const description = 'the county statistics page (summaries) vs the same figures by raw GROUP BY over the cases';

const require = createRequire(import.meta.url);
const BENCH_INDEX = 'idx_bench_sd_report';

const p95 = (durations) => {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] : NaN;
};

/**
 * `workers` loops running `task` back to back for `seconds`, and on (up to five times as long)
 * until `minSamples` have finished, so a slow target still gets a p95 on a loaded machine.
 */
const loops = async (workers, seconds, task, minSamples = 0) => {
  const start = performance.now();
  const [end, hardEnd] = [start + seconds * 1000, start + 5 * seconds * 1000];
  const durations = [];
  let failures = 0;
  const more = () => performance.now() < end || (durations.length < minSamples && performance.now() < hardEnd);
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (more()) {
        const t0 = performance.now();
        try {
          await task(w);
          durations.push(performance.now() - t0);
        } catch {
          failures++;
        }
      }
    }),
  );
  return { durations, failures, seconds: (performance.now() - start) / 1000 };
};

/** A long-running CLI command (the harness's cli() stops after 3 minutes). */
const longCli = (args, env) =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli.js'), ...args], { cwd: ROOT, env, timeout: 30 * 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${args.join(' ')} failed: ${`${stdout}\n${stderr}`.trim().slice(-2000)}`)) : resolve(stdout),
    );
  });

/** Signs in through /staff/login (Origin: PUBLIC_ORIGIN, which the app compares with); returns the Cookie header of the session. */
const signIn = async (appUrl, origin, username, password, totpSecret) => {
  const { totpCode, totpStep } = require(path.join(ROOT, 'dist', 'src', 'modules', 'auth', 'totp.js'));
  const jar = new Map();
  const keep = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${appUrl}/staff/login`, { redirect: 'manual' });
  keep(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  const body = new URLSearchParams({ _csrf: csrf, username, password, code: totpCode(totpSecret, totpStep()) });
  const res = await fetch(`${appUrl}/staff/login`, { method: 'POST', redirect: 'manual', body, headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded', origin } });
  keep(res);
  if (res.status !== 303) throw new Error(`staff sign-in answered ${res.status}`);
  return cookie();
};

/** @param {import('../bench.mjs').BenchContext} ctx */
export default async function run(ctx) {
  const mysql = require('mysql2/promise');
  const { env } = ctx;
  const target = Number(env.BENCH_REPORTING_CASES ?? process.env.BENCH_REPORTING_CASES ?? 1_000_000);
  const pool = mysql.createPool({ host: env.DB_HOST, port: Number(env.DB_PORT), user: env.DB_USER, password: env.DB_PASSWORD, database: env.DB_NAME, connectionLimit: ctx.options.connections });
  const notes = [];
  let createdIndex = false;
  try {
    const [[{ n: present }]] = await pool.query('SELECT COUNT(*) AS n FROM support_duty_case');
    if (present < target) {
      const t0 = performance.now();
      const out = JSON.parse(await longCli(['dev', 'generate', '--cases', String(target - present), '--seed', '1', '--json'], env));
      notes.push(`generated ${out.cases.toLocaleString('en-US')} synthetic cases and rebuilt the summaries in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    const [[{ n: cases }]] = await pool.query('SELECT COUNT(*) AS n FROM support_duty_case');
    const year = new Date().getUTCFullYear() - 1;
    const [[busiest]] = await pool.query('SELECT county_code, SUM(cases) AS n FROM report_sd_facet WHERE facet = ? AND month BETWEEN ? AND ? GROUP BY county_code ORDER BY n DESC LIMIT 1', ['category', `${year}-01-01`, `${year}-12-01`]);
    if (!busiest) throw new Error(`no figures for ${year}: run \`npm run cli -- reporting rebuild\``);
    const county = busiest.county_code;

    const [indexes] = await pool.query("SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'support_duty_case' AND index_name = ?", [BENCH_INDEX]);
    if (!indexes.length) {
      await pool.query(`CREATE INDEX ${BENCH_INDEX} ON support_duty_case (county_code, first_day, status, category_code, supported_institution_code, session_count)`);
      createdIndex = true;
    }

    const username = `bench-reporting-${randomBytes(4).toString('hex')}`;
    const staff = JSON.parse(await cli(['staff', 'create', '--username', username, '--name', '報表壓測', '--role', 'county_reviewer', '--county', county, '--json'], env));
    const cookie = await signIn(ctx.appUrl, env.PUBLIC_ORIGIN, username, staff.password, staff.totpSecret);
    const pageUrl = `${ctx.appUrl}/reports?year=${year}`;
    const first = await fetch(pageUrl, { headers: { cookie } });
    const html = await first.text();
    if (first.status !== 200 || !html.includes('id="table-institution"')) throw new Error(`GET /reports answered ${first.status} without the institution table`);
    const getPage = async () => {
      const res = await fetch(pageUrl, { headers: { cookie } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(String(res.status));
    };
    const raw = [
      'SELECT category_code, status, COUNT(*), SUM(session_count) FROM support_duty_case WHERE county_code = ? AND first_day BETWEEN ? AND ? AND status NOT IN (\'draft\', \'discarded\') GROUP BY category_code, status',
      'SELECT supported_institution_code, status, COUNT(*), SUM(session_count) FROM support_duty_case WHERE county_code = ? AND first_day BETWEEN ? AND ? AND status NOT IN (\'draft\', \'discarded\') GROUP BY supported_institution_code, status',
      "SELECT DATE_FORMAT(first_day, '%Y-%m'), status, COUNT(*), SUM(session_count) FROM support_duty_case WHERE county_code = ? AND first_day BETWEEN ? AND ? AND status NOT IN ('draft', 'discarded') GROUP BY DATE_FORMAT(first_day, '%Y-%m'), status",
    ];
    const rawPage = async () => {
      for (const sql of raw) await pool.query(sql, [county, `${year}-01-01`, `${year}-12-31`]);
    };
    const { connections, seconds, warmupSeconds } = ctx.options;
    await loops(connections, warmupSeconds, getPage);
    const page = await loops(connections, seconds, getPage, 20);
    await loops(connections, warmupSeconds, rawPage);
    const rawRun = await loops(connections, seconds, rawPage, 20);
    const [pageP95, rawP95] = [p95(page.durations), p95(rawRun.durations)];
    const [[explain]] = await pool.query(`EXPLAIN ${raw[0]}`, [county, `${year}-01-01`, `${year}-12-31`]);
    notes.push(`${Number(cases).toLocaleString('en-US')} cases; county ${county}, year ${year}; raw GROUP BY uses index ${explain.key} (${explain.Extra})`);
    notes.push(`reporting: page p95 ${pageP95.toFixed(1)} ms; raw GROUP BY p95 ${rawP95.toFixed(1)} ms; ratio ${(rawP95 / pageP95).toFixed(1)}x`);
    console.log(notes[notes.length - 1]);
    const row = (target, r) => ({
      target,
      requestsPerSecond: r.durations.length / r.seconds,
      latencyP50Ms: [...r.durations].sort((a, b) => a - b)[Math.floor(r.durations.length / 2)],
      latencyP99Ms: [...r.durations].sort((a, b) => a - b)[Math.min(r.durations.length - 1, Math.floor(0.99 * r.durations.length))],
      requests: r.durations.length,
      failures: r.failures,
    });
    return { rows: [row(`GET /reports?year=${year} (county ${county})`, page), row('raw GROUP BY x3 over the cases', rawRun)], notes };
  } finally {
    if (createdIndex) await pool.query(`DROP INDEX ${BENCH_INDEX} ON support_duty_case`).catch(() => {});
    await pool.end();
  }
}
