// Certificate login: what one Web eID token costs the server, against the physical limit, and
// whole logins over HTTP.
//   (1) in-process TrustStoreService.validate: the certificate check the login makes (path to the
//       anchor on a warm chain cache, CRL lookup), the compiled code in a Nest application context
//   (2) in-process whole token check: the token's signature over hash(origin)||hash(challenge)
//       (CertificateLoginService's own verifySignature) + TrustStoreService.validate
//   (3) a bare crypto.verify loop (ES256, ieee-p1363) on the same key and data
//   (4) full logins over HTTP against the app: GET /login → POST /auth/challenge →
//       POST /auth/certificate, BENCH_CONNECTIONS virtual users for BENCH_SECONDS
//   (5) NHI card + password logins over HTTP: GET /login → POST /auth/challenge →
//       POST /auth/nhi-card (the card's token and the registered password, checked with scrypt),
//       the same virtual users; the password hash cost is reported beside it
// and the ratios (1)/(3) (certificate validation alone vs one verification) and (2)/(3)
// (whole token check vs two verifications: the card's signature and the CA's on the card).
//
// Setup, against the development database of .env: `pki dev-init` when there is no issuing HCA,
// then `pki crl refresh`; one personnel certificate is issued per run (for the demo physician
// DEMO_FIXTURES.physicianAtClinic, a node-generated EC P-256 key) by lib/login-inprocess.mjs,
// which also runs (1)–(3) in its own process; its key then signs the HTTP logins' tokens.
import { createPrivateKey, sign } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../lib/util.mjs';
import { cli, ensureDevPki, perOp, runInProcess, us, virtualUsers } from './lib/harness.mjs';

export const name = 'login';
export const description = 'certificate login: token validation in-process vs bare crypto.verify, and full HTTP logins';

const require = createRequire(import.meta.url);
const REQUEST_TIMEOUT_MS = 10_000;
/** Upper bound of logins in one phase, whatever the clock says. */
const MAX_LOGINS = 1_000_000;

/** The development PKI (created when missing), then fresh CRLs. Returns a note. */
const preparePki = async (env) => {
  const note = await ensureDevPki(env);
  const refreshed = JSON.parse(await cli(['pki', 'crl', 'refresh', '--json'], env));
  return `${note}; \`pki crl refresh\` ${refreshed.published.length ? `re-signed ${refreshed.published.map((c) => c.slug).join(', ')}` : 'found every CRL fresh'}`;
};

/** Runs lib/login-inprocess.mjs with the app's environment and returns its result. */
const inProcess = (ctx) => {
  const seconds = ctx.options.seconds / 2;
  return runInProcess('login-inprocess.mjs', ctx, { seconds, timeoutMs: (3 * seconds + ctx.options.warmupSeconds) * 1000 + 120_000 });
};

class LoginFailure extends Error {}

/** A browser's login with the bench card: three requests on keep-alive connections, one cookie jar. */
const loginClient = ({ appUrl, origin, certificate, privateKeyPem, displayName, connections, nhiPassword }) => {
  const { WEB_EID_FORMAT, signedData } = require(path.join(ROOT, 'dist', 'src', 'shared', 'web-eid.js'));
  const key = createPrivateKey(privateKeyPem);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

  const request = (url, { method = 'GET', headers, body }) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new LoginFailure(`${method} ${new URL(url).pathname}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });

  const json = (what, res) => {
    try {
      return JSON.parse(res.text);
    } catch {
      throw new LoginFailure(`${what} answered ${res.status} with no JSON: ${res.text.slice(0, 200)}`);
    }
  };

  const refused = (what, res) => {
    let code = '';
    try {
      code = JSON.parse(res.text).code ?? '';
    } catch {
      /* not JSON */
    }
    return new LoginFailure(`${what} answered ${res.status}${code ? ` ${code}` : ''}`);
  };

  return {
    close: () => agent.destroy(),
    async login() {
      const jar = new Map();
      const send = async (pathname, options) => {
        const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
        const res = await request(`${appUrl}${pathname}`, { ...options, headers: { ...options.headers, ...(cookie ? { Cookie: cookie } : {}) } });
        for (const line of res.headers['set-cookie'] ?? []) {
          const pair = line.split(';', 1)[0];
          const eq = pair.indexOf('=');
          if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
        return res;
      };

      const page = await send('/login', { headers: { Accept: 'text/html' } });
      if (page.status !== 200) throw refused('GET /login', page);
      const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1];
      if (!csrf) throw new LoginFailure('GET /login: no CSRF token in the page');

      const issued = await send('/auth/challenge', { method: 'POST', headers: { 'X-CSRF-Token': csrf, Accept: 'application/json' } });
      if (issued.status !== 200) throw refused('POST /auth/challenge', issued);
      // the challenge begins the session: its answer carries the CSRF token bound to that session
      const { challenge, csrfToken } = json('POST /auth/challenge', issued);

      // What the reader helper does: sign hash(origin) || hash(challenge) with the card's key.
      const token = {
        format: WEB_EID_FORMAT,
        unverifiedCertificate: certificate,
        algorithm: 'ES256',
        signature: sign('sha256', signedData(origin, challenge, 'ES256'), { key, dsaEncoding: 'ieee-p1363' }).toString('base64'),
        appVersion: 'bench/1.0',
      };
      // A certificate login, or (nhiPassword) an NHI card + password login: same token format.
      const endpoint = nhiPassword ? '/auth/nhi-card' : '/auth/certificate';
      const res = await send(endpoint, {
        method: 'POST',
        headers: { 'X-CSRF-Token': csrfToken, Origin: origin, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify(nhiPassword ? { challenge, token, password: nhiPassword, returnTo: '/' } : { challenge, token, cardType: 'personnel', returnTo: '/' }),
      });
      if (res.status !== 200) throw refused(`POST ${endpoint}`, res);
      const answer = json(`POST ${endpoint}`, res);
      if (answer.ok !== true || answer.role !== 'personnel' || answer.displayName !== displayName) throw new LoginFailure(`POST ${endpoint} answered 200 but ${res.text.slice(0, 200)}`);
    },
  };
};

/** `connections` virtual users logging in back to back for `seconds` (see virtualUsers). */
const loginPhase = (client, connections, seconds) =>
  virtualUsers({ connections, seconds, max: MAX_LOGINS, task: () => client.login(), failureKind: (err) => (err instanceof LoginFailure ? err.message : undefined) });


/** @param {import('../bench.mjs').BenchContext} ctx */
export default async function run(ctx) {
  const pkiNote = await preparePki(ctx.env);
  const r = await inProcess(ctx);

  // The app compares the Origin header with its PUBLIC_ORIGIN (it may sit behind a proxy), so the
  // browser's origin is PUBLIC_ORIGIN whatever port the bench started the app on.
  const origin = ctx.env.PUBLIC_ORIGIN;
  if (origin !== r.origin) throw new Error(`PUBLIC_ORIGIN differs between the app (${origin}) and the in-process check (${r.origin})`);
  const client = loginClient({ appUrl: ctx.appUrl, origin, certificate: r.certificate.der, privateKeyPem: r.privateKeyPem, displayName: r.certificate.holder, connections: ctx.options.connections });
  const nhiClient = loginClient({ appUrl: ctx.appUrl, origin, certificate: r.nhi.der, privateKeyPem: r.nhi.privateKeyPem, displayName: r.certificate.holder, connections: ctx.options.connections, nhiPassword: r.nhi.password });
  /** One login first (a setup problem is reported as itself, not as a column of failures), warm-up, then the measured phase. */
  const phases = async (c, what) => {
    try {
      await c.login().catch((err) => {
        throw new Error(`a first ${what} failed: ${err.message}`);
      });
      if (ctx.options.warmupSeconds > 0) await loginPhase(c, ctx.options.connections, ctx.options.warmupSeconds);
      const result = await loginPhase(c, ctx.options.connections, ctx.options.seconds);
      if (result.requests === 0) throw new Error(`no ${what} succeeded: ${[...result.failureKinds].map(([k, n]) => `${n}× ${k}`).join('; ')}`);
      return result;
    } finally {
      c.close();
    }
  };
  const measured = await phases(client, 'certificate login');
  const nhiMeasured = await phases(nhiClient, 'NHI card + password login');

  const validateVsOne = r.bare.perSecond / r.validate.perSecond;
  const tokenVsTwo = r.bare.perSecond / 2 / r.token.perSecond;
  const stats = r.validatorStats;
  const { failureKinds, ...httpRow } = measured;
  const { failureKinds: nhiFailureKinds, ...nhiRow } = nhiMeasured;
  return {
    rows: [
      { target: 'in-process TrustStoreService.validate (warm)', requestsPerSecond: r.validate.perSecond, requests: r.validate.ops, failures: 0 },
      { target: 'in-process token check (signature + validate)', requestsPerSecond: r.token.perSecond, requests: r.token.ops, failures: 0 },
      { target: 'in-process bare crypto.verify ES256', requestsPerSecond: r.bare.perSecond, requests: r.bare.ops, failures: 0 },
      { target: 'HTTP logins (3 requests each), /s', ...httpRow },
      { target: 'HTTP NHI card + password logins (3 requests each), /s', ...nhiRow },
    ],
    notes: [
      pkiNote,
      `card: ${r.certificate.subjectDn}, serial ${r.certificate.serialHex}, issued by ${r.certificate.issuer}; its certificate is signed ${r.certificate.signature}, the token ES256: one verification each`,
      `validation: ${r.validation.family}, path of ${r.validation.pathLength}, revocation ${r.validation.revocation} (CRL), chain cache ${r.validation.chainCache}`,
      `in-process, in a child process (Nest application context of dist/: CoreModule, AuditModule, AuthModule), one at a time, ${ctx.options.seconds / 2} s per loop in 5 interleaved slices:`,
      `  validate: ${perOp(r.validate)}`,
      `  token:    ${perOp(r.token)}`,
      `  bare:     ${perOp(r.bare)}`,
      `  validator stats over the validate loop: ${stats.validations.toLocaleString('en-US')} validations, ` +
        `${(stats.signatureChecks / stats.validations).toFixed(2)} signature checks each, ${stats.chainCacheHits.toLocaleString('en-US')} chain cache hits, ${stats.chainCacheMisses} misses`,
      `certificate validation alone vs one verify: ${validateVsOne.toFixed(2)}× the time of one bare crypto.verify (the issue expects within about 2×)`,
      `whole token check vs two verifies: ${tokenVsTwo.toFixed(2)}× the time of two bare crypto.verify`,
      `HTTP: ${ctx.options.connections} virtual users, each login a fresh cookie jar, Origin ${origin}; ` +
        `${httpRow.requests.toLocaleString('en-US')} logins answered 200 ok in ${ctx.options.seconds} s = ${(httpRow.requestsPerSecond * 3).toFixed(0)} requests/s; ` +
        `login p50 ${httpRow.latencyP50Ms.toFixed(1)} ms, p99 ${httpRow.latencyP99Ms.toFixed(1)} ms`,
      ...[...failureKinds].map(([k, n]) => `HTTP failure: ${n}× ${k}`),
      `NHI card + password: card ${r.nhi.cardNumber} (development NHI card CA), password hash ${r.nhi.hash} (scrypt N, r, p): one check takes ${r.nhi.hashMedianMs.toFixed(0)} ms (median of 5) ` +
        `and at most 2 run at once (src/common/crypto/secret-hash.ts), so a web process checks at most about ${(2000 / r.nhi.hashMedianMs).toFixed(0)} passwords/s; ` +
        `${nhiRow.requests.toLocaleString('en-US')} NHI logins answered 200 ok in ${ctx.options.seconds} s, login p50 ${nhiRow.latencyP50Ms.toFixed(1)} ms, p99 ${nhiRow.latencyP99Ms.toFixed(1)} ms`,
      ...[...nhiFailureKinds].map(([k, n]) => `HTTP NHI failure: ${n}× ${k}`),
      ...([...failureKinds.keys()].some((k) => k.includes('no answer'))
        ? [`an unanswered login holds its virtual user for ${REQUEST_TIMEOUT_MS / 1000} s (the request timeout): fewer users than ${ctx.options.connections} were logging in meanwhile`]
        : []),
    ],
  };
}
