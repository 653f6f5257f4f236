// The insured-staff roster (issue 11):
//   (1) in-process (lib/roster-inprocess.mjs): a batch upload of 10,000 rows through
//       RosterService.upload (goal: under 5 s, all or nothing): first with one bad row (nothing
//       enrolled), then the good file
//   (2) over HTTP: the roster list page /roster of that unit (10,000 members), signed in as the
//       unit's manager with its organisation certificate (a MOEACA company certificate the
//       in-process half issued on a node key; the token signed as the reader helper signs it),
//       BENCH_CONNECTIONS connections; and one more 10,000-row upload through POST /roster/upload
//       (multipart, CSRF) to see the whole request
// Against the development database of .env (`npm start` migrates and seeds it; `pki dev-init` is
// run when there is no development PKI).
import { createPrivateKey, randomInt, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../lib/util.mjs';
import { cli, ensureDevPki, runInProcess } from './lib/harness.mjs';

export const name = 'roster';
export const description = 'roster: batch upload of 10,000 rows (all or nothing), the list page under load';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const keep = (jar, res) => {
  for (const c of res.headers.getSetCookie?.() ?? []) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
};

/** The unit's certificate sign-in, as the login page's script and the reader helper do it. */
async function signIn(appUrl, r) {
  const { WEB_EID_FORMAT, signedData } = require(path.join(ROOT, 'dist', 'src', 'shared', 'web-eid.js'));
  const jar = new Map();
  const page = await fetch(`${appUrl}/login`);
  let cookie = keep(jar, page);
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
  const issued = await fetch(`${appUrl}/auth/challenge`, { method: 'POST', headers: { cookie, 'X-CSRF-Token': csrf, Accept: 'application/json' } });
  cookie = keep(jar, issued);
  const { challenge, csrfToken } = await issued.json();
  const key = createPrivateKey(r.privateKeyPem);
  const token = {
    format: WEB_EID_FORMAT,
    unverifiedCertificate: r.certificate.der,
    algorithm: 'ES256',
    signature: sign('sha256', signedData(r.origin, challenge, 'ES256'), { key, dsaEncoding: 'ieee-p1363' }).toString('base64'),
    appVersion: 'bench/1.0',
  };
  const res = await fetch(`${appUrl}/auth/certificate`, {
    method: 'POST',
    headers: { cookie, 'X-CSRF-Token': csrfToken, Origin: r.origin, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ challenge, token, cardType: 'employer', returnTo: '/' }),
  });
  const answer = await res.json();
  if (res.status !== 200 || answer.role !== 'employer_manager') throw new Error(`the unit's sign-in answered ${res.status}: ${JSON.stringify(answer)}`);
  return keep(jar, res);
}

const cannon = (url, connections, seconds, headers) =>
  new Promise((resolve, reject) => autocannon({ url, connections, duration: seconds, headers }, (err, r) => (err ? reject(err) : resolve(r))));

/** @param {import('../bench.mjs').BenchContext} ctx */
export default async function run(ctx) {
  const pki = await ensureDevPki(ctx.env);
  await cli(['pki', 'crl', 'refresh', '--json'], ctx.env);
  const r = await runInProcess('roster-inprocess.mjs', ctx, { seconds: ctx.options.seconds, timeoutMs: 10 * 60_000 });
  if (r.refused.ok || r.refused.enrolledAfter !== 0) throw new Error(`the upload with a bad row was not refused whole: ${JSON.stringify(r.refused)}`);
  if (!r.accepted.ok || r.accepted.enrolledAfter !== r.accepted.rows) throw new Error(`the upload did not enrol every row: ${JSON.stringify(r.accepted)}`);
  const loadAfterInProcess = os.loadavg().map((n) => n.toFixed(2)).join(' ');

  const cookie = await signIn(ctx.appUrl, r);
  const url = `${ctx.appUrl}/roster`;
  const check = await fetch(url, { headers: { cookie } });
  const text = await check.text();
  if (check.status !== 200 || !text.includes('壓測員工')) throw new Error(`the roster list answered ${check.status} without members`);

  // one more upload over HTTP (new people), the whole request: multipart, CSRF, parse, check, insert
  const form = await fetch(`${ctx.appUrl}/roster/upload`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  const { nationalIdWithCheckDigit } = require(path.join(ROOT, 'dist', 'src', 'common', 'identifiers', 'index.js'));
  const people = new Set();
  while (people.size < r.accepted.rows) people.add(nationalIdWithCheckDigit(`${'ABEFGHKMNPTUW'[randomInt(13)]}${randomInt(1, 3)}${String(randomInt(0, 9_999_999)).padStart(7, '0')}`));
  const csv = `nationalId,name,birthDate,grade,startDate\r\n${[...people].map((id, i) => `${id},壓測員工H${i},1990-01-02,${1 + (i % 10)},2025-02-03`).join('\r\n')}\r\n`;
  const body = new FormData();
  body.set('_csrf', csrf);
  body.set('file', new Blob([csv], { type: 'text/csv' }), 'roster.csv');
  const started = performance.now();
  const posted = await fetch(`${ctx.appUrl}/roster/upload`, { method: 'POST', body, headers: { cookie, Origin: r.origin }, redirect: 'manual' });
  const httpUploadMs = performance.now() - started;
  if (posted.status !== 303) throw new Error(`POST /roster/upload answered ${posted.status}`);

  if (ctx.options.warmupSeconds > 0) await cannon(url, ctx.options.connections, ctx.options.warmupSeconds, { cookie });
  const q = await cannon(url, ctx.options.connections, ctx.options.seconds, { cookie });
  return {
    rows: [
      { target: `GET /roster (${(2 * r.accepted.rows).toLocaleString('en-US')} members in the unit, page 1)`, requestsPerSecond: q.requests.average, latencyP50Ms: q.latency.p50, latencyP99Ms: q.latency.p99, requests: q.requests.total, failures: q.errors + q.timeouts + q.non2xx },
    ],
    notes: [
      `${pki}; unit ${r.unit.unitCode} ${r.unit.name} (MOEACA certificate ${r.certificate.serialHex})`,
      `upload of ${r.accepted.rows.toLocaleString('en-US')} rows in-process (RosterService.upload): ${(r.accepted.ms / 1000).toFixed(2)} s, ${r.accepted.count.toLocaleString('en-US')} enrolled (goal: under 5 s)`,
      `the same with one bad row last: refused whole in ${(r.refused.ms / 1000).toFixed(2)} s, ${r.refused.problems} problem(s) reported, ${r.refused.enrolledAfter} enrolled`,
      `upload of ${r.accepted.rows.toLocaleString('en-US')} rows over HTTP (POST /roster/upload, multipart): ${(httpUploadMs / 1000).toFixed(2)} s`,
      `load average (1, 5, 15 min) after the in-process half: ${loadAfterInProcess}; after the list: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')} (${os.cpus().length} cores)`,
    ],
  };
}
