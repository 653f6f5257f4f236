// Cards: online card reservations over HTTP, certificate issuing through the HSM, and CRL size.
//   (1) in-process (lib/cards-inprocess.mjs, a child process with a Nest application context of
//       dist/): CertificateIssuer.issue for node-generated P-256 keys back to back for
//       BENCH_SECONDS/2, HsmService.sign of 32 bytes (the physical limit through the service) and
//       the token's bare C_Sign in one logged-in session; a CRL of 10,000 and of 100,000 synthetic
//       revoked entries made and signed as CrlService.publish does, in memory (no rows, nothing
//       published), then read back as the trust store does; and the first bookable counter day
//       for (2)
//   (2) whole reservations over HTTP against the app: BENCH_CONNECTIONS virtual users, each
//       reservation a fresh cookie jar walking instructions → terms → applicant → details →
//       check → submit → confirmation (10 requests), rotating over the demo professionals
//
// The reservation service accepts any number of open reservations for one person (create()
// checks the registry, the counter and the date, nothing else), so rotating is not needed; it is
// done to spread the counters (own-hospital rule and health bureaus of several counties). Only
// valid data is sent: the attempt limits (10 per session, 100 per client address in 15 minutes)
// count registry mismatches and lookup failures only, so they cannot trip. No e-mail address is
// given (it is optional): the dev worker would otherwise relay thousands of confirmation e-mails.
//
// BENCH_CRL_ENTRIES (comma-separated, default 10000,100000): the CRL sizes.
//
// Setup, against the development database of .env: `pki dev-init` when there is no issuing HCA.
// Each run adds to that database the reservations it makes (with their audit rows) and the
// certificates it issues (holderRef bench:cards, status good, with their audit rows).
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../lib/util.mjs';
import { ensureDevPki, perOp, runInProcess, us, virtualUsers } from './lib/harness.mjs';

export const name = 'cards';
export const description = 'card reservations over HTTP, CertificateIssuer.issue vs bare HSM signatures, CRL of 100,000 entries';

const require = createRequire(import.meta.url);
const REQUEST_TIMEOUT_MS = 10_000;
/** Upper bound of reservations in one phase, whatever the clock says. */
const MAX_RESERVATIONS = 100_000;
const REQUESTS_PER_RESERVATION = 10;
/** The user code typed twice (6 letters/digits). */
const USER_CODE = 'bE4cH7';

/** Runs lib/cards-inprocess.mjs with the app's environment and returns its result. */
const inProcess = (ctx) => {
  const seconds = ctx.options.seconds / 2;
  // CRLs of a million entries take tens of seconds: a generous bound.
  return runInProcess('cards-inprocess.mjs', ctx, { seconds, timeoutMs: (3 * seconds + ctx.options.warmupSeconds) * 1000 + 5 * 60_000 });
};

/**
 * The applicant and details forms of each demo professional: staff of an initial-review hospital
 * are offered their hospital's counter (county left empty); everyone else the health bureau of
 * their institution's county (CardReservationService.counterChoice).
 */
const applicants = (counterDate) => {
  const { DEMO_PERSONNEL, findDemoInstitution } = require(path.join(ROOT, 'dist', 'src', 'modules', 'reference', 'data', 'index.js'));
  return DEMO_PERSONNEL.flatMap((p) => {
    const home = findDemoInstitution(p.homeInstitutionCode);
    if (!home) return [];
    return [
      {
        who: `${p.nameZh} (${p.categoryCode}, ${home.isInitialReviewCounter ? home.code : `HB-${home.countyCode}`})`,
        applicant: { nationalId: p.nationalId, category: p.categoryCode, certificateNumber: p.certificateNumber, name: p.nameZh },
        details: {
          county: home.isInitialReviewCounter ? '' : home.countyCode,
          counter: home.isInitialReviewCounter ? home.code : `HB-${home.countyCode}`,
          counterDate,
          phone: '0912345678',
          email: '',
          agentName: '',
          agentNationalId: '',
          mailingAddress: home.address,
          userCode: USER_CODE,
          userCodeConfirm: USER_CODE,
        },
      },
    ];
  });
};

class ReservationFailure extends Error {}

/** A browser's reservation: the whole journey on keep-alive connections, one fresh cookie jar. */
const reservationClient = ({ appUrl, connections }) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const request = (url, { method = 'GET', headers, body }) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new ReservationFailure(`${method} ${new URL(url).pathname}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });

  return {
    close: () => agent.destroy(),
    /** Walks the journey for `who`; resolves with the reference number of the confirmation. */
    async reserve(who) {
      const jar = new Map();
      const send = async (pathname, options = {}) => {
        const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
        const res = await request(`${appUrl}${pathname}`, { ...options, headers: { Accept: 'text/html', ...options.headers, ...(cookie ? { Cookie: cookie } : {}) } });
        for (const line of res.headers['set-cookie'] ?? []) {
          const pair = line.split(';', 1)[0];
          const eq = pair.indexOf('=');
          if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
        return res;
      };
      let csrf;
      const page = async (pathname) => {
        const res = await send(pathname);
        if (res.status !== 200) throw new ReservationFailure(`GET ${pathname.split('?')[0]} answered ${res.status}`);
        csrf ??= /<meta name="csrf-token" content="([^"]+)"/.exec(res.text)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
        if (!csrf) throw new ReservationFailure(`GET ${pathname}: no CSRF token in the page`);
        return res;
      };
      // A form POST that must redirect (303) to `next`; the browser then GETs it.
      const submit = async (pathname, form, next) => {
        const res = await send(pathname, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
        });
        const location = res.headers.location ?? '';
        if (res.status !== 303 || !next.test(location)) {
          const error = /govuk-error-summary__list[\s\S]*?<a [^>]*>([^<]+)</.exec(res.text)?.[1]?.trim();
          throw new ReservationFailure(`POST ${pathname} answered ${res.status}${location ? ` → ${location}` : ''}${error ? `: ${error}` : ''}`);
        }
        return location;
      };
      const base = '/cards/reserve/personnel';
      await page(base);
      await page(`${base}/terms`);
      await page(await submit(`${base}/terms`, { agree: 'yes' }, /\/applicant$/));
      await page(await submit(`${base}/applicant`, who.applicant, /\/details$/));
      await page(await submit(`${base}/details`, who.details, /\/check$/));
      const confirmation = await submit(`${base}/check`, {}, /^\/cards\/reservations\/R\w+\/confirmation$/);
      const done = await page(confirmation);
      const reference = /\/reservations\/(R\w+)\//.exec(confirmation)[1];
      if (!done.text.includes('govuk-panel--confirmation') || !done.text.includes(reference)) throw new ReservationFailure('the confirmation page shows no confirmation panel with the reference');
      return reference;
    },
  };
};

/** `connections` virtual users reserving back to back for `seconds`, each the next demo professional. */
const reservationPhase = (client, people, connections, seconds) =>
  virtualUsers({
    connections,
    seconds,
    max: MAX_RESERVATIONS,
    task: (n) => client.reserve(people[n % people.length]),
    failureKind: (err) => (err instanceof ReservationFailure ? err.message : undefined),
  });

const ms = (n) => `${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} ms`;

/** @param {import('../bench.mjs').BenchContext} ctx */
export default async function run(ctx) {
  const pkiNote = await ensureDevPki(ctx.env);
  const r = await inProcess(ctx);

  const people = applicants(r.counterDate);
  const client = reservationClient({ appUrl: ctx.appUrl, connections: ctx.options.connections });
  let measured;
  try {
    // Every applicant once first: a setup problem is reported as itself, not as a column of failures.
    for (const who of people) {
      await client.reserve(who).catch((err) => {
        throw new Error(`a first reservation for ${who.who} failed: ${err.message}`);
      });
    }
    if (ctx.options.warmupSeconds > 0) await reservationPhase(client, people, ctx.options.connections, ctx.options.warmupSeconds);
    measured = await reservationPhase(client, people, ctx.options.connections, ctx.options.seconds);
  } finally {
    client.close();
  }
  if (measured.requests === 0) throw new Error(`no reservation succeeded: ${[...measured.failureKinds].map(([k, n]) => `${n}× ${k}`).join('; ')}`);

  const { failureKinds, ...httpRow } = measured;
  const crlRows = r.crl.map((c) => ({ target: `CRL of ${c.entries.toLocaleString('en-US')} entries: write + HSM sign, /s`, requestsPerSecond: 1000 / c.totalMs, latencyP50Ms: c.totalMs, latencyP99Ms: c.totalMs, requests: 1, failures: 0 }));
  return {
    rows: [
      { target: 'HTTP reservations (10 requests each), /s', ...httpRow },
      { target: 'in-process CertificateIssuer.issue (HSM)', requestsPerSecond: r.issue.perSecond, latencyP50Ms: r.issue.p50Us / 1000, latencyP99Ms: r.issue.p99Us / 1000, requests: r.issue.ops, failures: 0 },
      { target: 'in-process HsmService.sign 32 bytes', requestsPerSecond: r.hsmSign.perSecond, latencyP50Ms: r.hsmSign.p50Us / 1000, latencyP99Ms: r.hsmSign.p99Us / 1000, requests: r.hsmSign.ops, failures: 0 },
      { target: 'in-process bare C_Sign, one logged-in session', requestsPerSecond: r.rawSign.perSecond, latencyP50Ms: r.rawSign.p50Us / 1000, latencyP99Ms: r.rawSign.p99Us / 1000, requests: r.rawSign.ops, failures: 0 },
      ...crlRows,
    ],
    notes: [
      pkiNote,
      `HTTP: ${ctx.options.connections} virtual users, each reservation a fresh cookie jar (GET instructions, GET terms, POST terms, GET applicant, POST applicant, GET details, POST details, GET check, POST check, GET confirmation), ` +
        `rotating over ${people.length} demo professionals, counter date ${r.counterDate} (the first bookable day), no e-mail; ` +
        `${httpRow.requests.toLocaleString('en-US')} confirmations in ${ctx.options.seconds} s = ${(httpRow.requestsPerSecond * REQUESTS_PER_RESERVATION).toFixed(0)} requests/s; ` +
        `reservation p50 ${httpRow.latencyP50Ms.toFixed(0)} ms, p99 ${httpRow.latencyP99Ms.toFixed(0)} ms`,
      ...[...failureKinds].map(([k, n]) => `HTTP failure: ${n}× ${k}`),
      `issuing: ${r.ca.slug} (${r.ca.subjectDn}), key "${r.ca.keyLabel}" in ${r.pkcs11Module}; sample ${r.issuedSample.subjectDn}, ${r.issuedSample.derBytes} bytes DER`,
      `  issue:     ${perOp(r.issue)}`,
      `  HSM sign:  ${perOp(r.hsmSign)} (HsmService.sign: kept session, cached key handle, digest, C_SignInit + C_Sign)`,
      `  bare sign: ${perOp(r.rawSign)} (C_Sign only); a new session + login (paid once, then kept) costs ${us(r.sessionLoginUs)}`,
      `issue vs HSM sign: one issue takes ${(r.hsmSign.perSecond / r.issue.perSecond).toFixed(2)}× the time of one HsmService.sign; HsmService.sign takes ${(r.rawSign.perSecond / r.hsmSign.perSecond).toFixed(2)}× a bare C_Sign`,
      ...r.crl.map(
        (c) =>
          `CRL of ${c.entries.toLocaleString('en-US')} entries: rows → entries ${ms(c.mapMs)}, CrlService.signCrl (write + HSM sign) ${ms(c.buildAndSignMs)}, ` +
          `${(c.derBytes / 2 ** 20).toFixed(2)} MiB DER (${(c.derBytes / c.entries).toFixed(1)} bytes/entry); read back by a CrlRevocationSource ${ms(c.readMs)}, first lookup (with the signature check) ${ms(c.firstLookupMs)}; heap ${c.heapMiB.toFixed(0)} MiB`,
      ),
      'CRL: the same calls CrlService.publish makes (crlEntriesOf, signCrl), on synthetic rows in memory; reading the rows from the database (listedOnCrl) is not included',
    ],
  };
}
