// The OCSP responder over HTTP, in one run:
//   (a) GET /pki/ocsp/{base64 request} without a nonce (RFC 5019, as relying parties' caches ask)
//       for one CertID of the HCA issuing CA: answered from the pre-signed answer kept in Redis
//       (one MGET, no database, no signature), after the first request signed it;
//   (b) POST of a request with a nonce: signed afresh every time (serial looked up in MariaDB,
//       ResponseData signed in SoftHSM2 by the delegated responder);
//   (c) a bare Node http server (no Nest, Express or Redis) answering the same bytes with the same
//       headers, in a child process of its own: the ceiling for (a).
// It prints the ratio (a)/(c) (goal: at least 0.5) and (a)'s p99 (goal: under 20 ms). The serial
// is one the CA never issued, so the answer is 'unknown'; a 'good' one costs the same. OpenSSL
// checks both kinds of answer before the measurement.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { serveBare } from './lib/bare-processes.mjs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDevPki, measure, startChild, stopChild, waitForLine } from './lib/harness.mjs';

export const name = 'ocsp';
export const description = 'OCSP answers over HTTP: GET pre-signed (cached), POST with a nonce (signed afresh), and a bare Node http server';

const SERIAL = '0x5EB1A2C3D4E5F60718293A4B5C6D7E8F';

/** `node scripts/bench/ocsp.mjs --bare <response file> <headers json>`: the bare server of (c). */
function bareServer(responseFile, headersJson) {
  const body = readFileSync(responseFile);
  const headers = { ...JSON.parse(headersJson), 'Content-Length': String(body.length) };
  return serveBare(() =>
    createServer((req, res) => {
      if (req.method !== 'GET' || !req.url.startsWith('/pki/ocsp/')) return void res.writeHead(404).end();
      res.writeHead(200, headers).end(body);
    }),
  );
}

/** @param {import('../bench.mjs').BenchContext} ctx */
export default async function run(ctx) {
  const pkiNote = await ensureDevPki(ctx.env);
  const caRes = await fetch(`${ctx.appUrl}/pki/ca/hca-issuing-1.crt`);
  if (caRes.status !== 200) throw new Error(`GET /pki/ca/hca-issuing-1.crt answered ${caRes.status}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-ocsp-'));
  let bare;
  try {
    const file = (name) => path.join(dir, name);
    writeFileSync(file('ca.der'), Buffer.from(await caRes.arrayBuffer()));
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', file('ca.der'), '-out', file('ca.pem')]);
    execFileSync('openssl', ['ocsp', '-issuer', file('ca.pem'), '-serial', SERIAL, '-no_nonce', '-reqout', file('get.req')]);
    execFileSync('openssl', ['ocsp', '-issuer', file('ca.pem'), '-serial', SERIAL, '-reqout', file('post.req')]);
    const getUrl = `${ctx.appUrl}/pki/ocsp/${encodeURIComponent(readFileSync(file('get.req')).toString('base64'))}`;
    const postBody = readFileSync(file('post.req'));

    // Both kinds of answer are what OpenSSL expects before anything is measured.
    const check = (name, body, request) => {
      writeFileSync(file(name), body);
      const text = execFileSync('openssl', ['ocsp', '-respin', file(name), '-reqin', file(request), '-resp_text', '-noverify'], { encoding: 'utf8' });
      if (!/Cert Status: unknown/.test(text)) throw new Error(`the OCSP answer (${name}) is not the expected 'unknown':\n${text}`);
    };
    const got = await fetch(getUrl);
    const getBody = Buffer.from(await got.arrayBuffer());
    check('get.resp', getBody, 'get.req');
    if (!/max-age=\d+/.test(got.headers.get('cache-control') ?? '') || !got.headers.get('etag')) throw new Error(`the GET answer is not cacheable: ${got.headers.get('cache-control')}`);
    const posted = await fetch(`${ctx.appUrl}/pki/ocsp`, { method: 'POST', body: postBody, headers: { 'content-type': 'application/ocsp-request' } });
    check('post.resp', Buffer.from(await posted.arrayBuffer()), 'post.req');

    // The bare server answers the app's very bytes and headers.
    const headers = Object.fromEntries(['content-type', 'cache-control', 'etag', 'last-modified', 'expires'].map((h) => [h, got.headers.get(h)]));
    bare = startChild(['scripts/bench/ocsp.mjs', '--bare', file('get.resp'), JSON.stringify(headers)], ctx.env);
    const [, port] = await waitForLine(bare, /listening (\d+)/);
    const bareUrl = `http://127.0.0.1:${port}${new URL(getUrl).pathname}`;

    const rows = [
      { target: 'app  GET /pki/ocsp/{request} (pre-signed, cached)', ...(await ctx.measure(getUrl)) },
      { target: 'app  POST /pki/ocsp (nonce: signed afresh)', ...(await measure(`${ctx.appUrl}/pki/ocsp`, ctx.options, { method: 'POST', body: postBody, headers: { 'content-type': 'application/ocsp-request' } })) },
      { target: 'bare GET (node:http, the same bytes)', ...(await ctx.measure(bareUrl)) },
    ];
    const ratio = rows[0].requestsPerSecond / rows[2].requestsPerSecond;
    const p99 = rows[0].latencyP99Ms;
    return {
      rows,
      notes: [
        pkiNote,
        `GET cached/bare throughput: ${ratio.toFixed(2)} (goal at least 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'}); GET p99 ${p99} ms (goal under 20 ms: ${p99 < 20 ? 'met' : 'NOT met'})`,
        `POST with a nonce: ${Math.round(rows[1].requestsPerSecond)} answers/s, each signed in SoftHSM2 (ECDSA P-256)`,
      ],
    };
  } finally {
    if (bare) await stopChild(bare);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === '--bare') bareServer(process.argv[3], process.argv[4]);
