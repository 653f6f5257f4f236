// Support duty (issue 12):
//   (1) in-process (lib/support-duty-inprocess.mjs): a batch of 10,000 rows through
//       BatchService.run (goal: under 5 s, all or nothing), single submissions' latency
//       (FilingService.submit, the rules under row locks), and the review queue's county filled
//       with 100,000 cases (once)
//   (2) over HTTP: the review queue page /review/support-duty of that county, signed in as its
//       county reviewer (break-glass staff sign-in), BENCH_CONNECTIONS connections (goal: p99
//       under 50 ms)
// Against the development database of .env (`npm start` migrates and seeds it).
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from '../lib/util.mjs';
import { runInProcess } from './lib/harness.mjs';

export const name = 'support-duty';
export const description = 'support-duty batch of 10,000 rows, single submission, review queue with 100,000 cases';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

/** Cookies of a response as one Cookie header value (name=value; …), merged into `jar`. */
const keep = (jar, res) => {
  for (const c of res.headers.getSetCookie?.() ?? []) {
    const [pair] = c.split(';');
    const [k, v] = pair.split('=');
    jar.set(k.trim(), v);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
};

async function signIn(appUrl, reviewer) {
  const { totpCode, totpStep } = require(path.join(ROOT, 'dist', 'src', 'modules', 'auth', 'totp.js'));
  const jar = new Map();
  const page = await fetch(`${appUrl}/staff/login`);
  let cookie = keep(jar, page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())[1];
  const body = new URLSearchParams({ _csrf: csrf, username: reviewer.username, password: reviewer.password, code: totpCode(reviewer.totpSecret, totpStep()) });
  const res = await fetch(`${appUrl}/staff/login`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' });
  if (res.status !== 303) throw new Error(`staff sign-in answered ${res.status}: ${(await res.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
  cookie = keep(jar, res);
  return cookie;
}

const cannon = (url, connections, seconds, headers) =>
  new Promise((resolve, reject) => autocannon({ url, connections, duration: seconds, headers }, (err, r) => (err ? reject(err) : resolve(r))));

/** @param {import('../bench.mjs').BenchContext} ctx */
export default async function run(ctx) {
  const r = await runInProcess('support-duty-inprocess.mjs', ctx, { seconds: ctx.options.seconds, timeoutMs: 15 * 60_000 });
  console.log(`support-duty in-process: ${JSON.stringify({ batch: r.batch, submit: r.submit, queue: r.queue })}`);
  const cookie = await signIn(ctx.appUrl, r.reviewer);
  const url = `${ctx.appUrl}/review/support-duty`;
  const check = await fetch(url, { headers: { cookie } });
  const text = await check.text();
  if (check.status !== 200 || !text.includes('/review/support-duty/')) throw new Error(`the review queue answered ${check.status} without cases`);
  if (ctx.options.warmupSeconds > 0) await cannon(url, ctx.options.connections, ctx.options.warmupSeconds, { cookie });
  const q = await cannon(url, ctx.options.connections, ctx.options.seconds, { cookie });
  return {
    rows: [
      { target: `GET /review/support-duty (${r.queue.cases.toLocaleString('en-US')} cases in the county)`, requestsPerSecond: q.requests.average, latencyP50Ms: q.latency.p50, latencyP99Ms: q.latency.p99, requests: q.requests.total, failures: q.errors + q.timeouts + q.non2xx },
    ],
    notes: [
      `batch of ${r.batch.rows.toLocaleString('en-US')} rows: ${(r.batch.ms / 1000).toFixed(2)} s, ${r.batch.status}, ${r.batch.created} cases filed${r.batch.errors ? `, ${r.batch.errors} errors (first: ${JSON.stringify(r.batch.firstError)})` : ''} (goal: under 5 s)`,
      `single submission (FilingService.submit, rules under row locks): p50 ${r.submit.p50Ms.toFixed(1)} ms, p99 ${r.submit.p99Ms.toFixed(1)} ms, mean ${r.submit.meanMs.toFixed(1)} ms over ${r.submit.ops} submissions (${r.submit.refused} refused)`,
      `review queue county ${r.queue.county}: ${r.queue.cases.toLocaleString('en-US')} cases (${r.queue.seeded.toLocaleString('en-US')} added this run in ${(r.queue.seedMs / 1000).toFixed(1)} s); goal p99 under 50 ms`,
    ],
  };
}
