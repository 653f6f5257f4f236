// Shared plumbing of the benches (scripts/bench/*.mjs): free ports, child processes that are
// always stopped, waiting for a URL, and one autocannon measurement with a warm-up.
import autocannon from 'autocannon';
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ROOT, sleep } from '../../lib/util.mjs';

/** A TCP port free on 127.0.0.1 right now. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const children = new Set();
// However this process ends (Ctrl-C, an error, process.exit), no server it started outlives it.
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

/** Stops every child started by startChild (SIGTERM, then SIGKILL after `graceMs`). */
export const stopAllChildren = async (graceMs = 10000) => {
  await Promise.all([...children].map((child) => stopChild(child, graceMs)));
};

export const stopChild = async (child, graceMs = 10000) => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  children.delete(child);
};

/**
 * Starts `node <args>` from the repository root with `env`; keeps the last lines of its output
 * (child.output()) for error messages. The child is stopped by stopAllChildren.
 */
export const startChild = (args, env) => {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines = [];
  const keep = (chunk) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => lines.join('\n');
  child.once('exit', () => children.delete(child));
  return child;
};

/** Resolves with the first stdout line of `child` matching `pattern` (its match), or rejects when it exits. */
export const waitForLine = (child, pattern, timeoutMs = 30000) =>
  new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${child.output()}`)), timeoutMs);
    const onData = (chunk) => {
      buffer += chunk.toString();
      const m = pattern.exec(buffer);
      if (m) done(null, m);
    };
    const onExit = (code) => done(new Error(`exited (code ${code}) before it was ready:\n${child.output()}`));
    const done = (err, value) => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value);
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });

/** Polls `url` until it answers 200; rejects when `child` exits first or after `timeoutMs`. */
export const waitForHttp200 = async (url, child, timeoutMs = 60000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (code ${child.exitCode ?? child.signalCode}) during startup:\n${child.output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(300);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s:\n${child.output()}`);
};

/** GET `url` once: { status, text }. */
export const getPage = async (url) => {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10000) });
  return { status: res.status, text: await res.text() };
};

const cannon = (url, connections, seconds, request = {}) =>
  new Promise((resolve, reject) => {
    autocannon({ ...request, url, connections, duration: seconds }, (err, result) => (err ? reject(err) : resolve(result)));
  });

/**
 * Loads `url` with `connections` concurrent connections: `warmupSeconds` unmeasured (JIT, pools),
 * then `seconds` measured. Returns requests per second (mean of the per-second samples), latency
 * (ms: mean, p50, p99) and the count of failures (errors, timeouts and non-2xx answers).
 * `request` adds autocannon request options (method, body, headers) to every request.
 */
export const measure = async (url, { connections, seconds, warmupSeconds }, request = {}) => {
  if (warmupSeconds > 0) await cannon(url, connections, warmupSeconds, request);
  const r = await cannon(url, connections, seconds, request);
  return {
    requestsPerSecond: r.requests.average,
    latencyMeanMs: r.latency.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    requests: r.requests.total,
    failures: r.errors + r.timeouts + r.non2xx,
  };
};

/**
 * `connections` virtual users running `task(n)` back to back for `seconds` (n counts every task
 * started, at most `max`). Tasks finished within the window are counted with their duration; a
 * task that failed is counted under `failureKind(err)` even when it ends after the window (one
 * left unanswered ends with the request timeout). An error `failureKind` does not name is a bug
 * in the bench and is thrown.
 */
export const virtualUsers = async ({ connections, seconds, max = Infinity, task, failureKind }) => {
  const end = performance.now() + seconds * 1000;
  const durations = [];
  const failures = new Map();
  let started = 0;
  const user = async () => {
    while (performance.now() < end && started < max) {
      const n = started++;
      const t0 = performance.now();
      try {
        await task(n);
        const t1 = performance.now();
        if (t1 <= end) durations.push(t1 - t0);
      } catch (err) {
        const kind = failureKind(err) ?? (typeof err?.code === 'string' ? `network error ${err.code}` : undefined);
        if (!kind) throw err;
        failures.set(kind, (failures.get(kind) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, user));
  durations.sort((a, b) => a - b);
  const at = (p) => (durations.length ? durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))] : NaN);
  return {
    requestsPerSecond: durations.length / seconds,
    latencyMeanMs: durations.reduce((s, d) => s + d, 0) / durations.length,
    latencyP50Ms: at(50),
    latencyP99Ms: at(99),
    requests: durations.length,
    failures: [...failures.values()].reduce((s, n) => s + n, 0),
    failureKinds: failures,
  };
};

/** `node dist/src/cli.js <args>` with the app's environment: its stdout, or an error with its output. */
export const cli = (args, env) =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli.js'), ...args], { cwd: ROOT, env, timeout: 180_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`\`npm run cli -- ${args.join(' ')}\` failed (${err.code ?? err.signal}):\n${`${stdout}\n${stderr}`.trim().slice(-2000)}`));
      else resolve(stdout);
    });
  });

/** The development PKI of the app's database: `pki dev-init` when there is no issuing HCA. Returns a note. */
export const ensureDevPki = async (env) => {
  let trust;
  try {
    trust = JSON.parse(await cli(['pki', 'trust', 'list', '--json'], env));
  } catch (err) {
    if (/ca_certificate' doesn't exist/.test(err.message)) {
      throw new Error('the database has no certificate tables: migrate it (`npm start` once, or `npm run cli -- db migrate`)');
    }
    throw err;
  }
  // The HCA (certificate logins) and the NHI card CA (NHI card logins); dev-init adds what is missing.
  const hasIssuingHca = ['hca', 'nhi'].every((family) => trust.cas.some((ca) => ca.family === family && ca.role === 'issuing' && ca.enabled && ca.hsmKeyLabel));
  if (!hasIssuingHca) await cli(['pki', 'dev-init'], env);
  return `development PKI ${hasIssuingHca ? 'present' : 'created by `pki dev-init`'}`;
};

/**
 * Runs an in-process half (`scripts/bench/lib/<script>`, arguments: measured seconds per loop and
 * warm-up seconds) with the app's environment and returns the JSON of its `result` line.
 * `timeoutMs` bounds the wait for that line.
 */
export const runInProcess = async (script, ctx, { seconds, timeoutMs }) => {
  const child = startChild([`scripts/bench/lib/${script}`, String(seconds), String(ctx.options.warmupSeconds)], ctx.env);
  try {
    const [, json] = await waitForLine(child, /^result (\{.*\})\n/m, timeoutMs).catch((err) => {
      throw new Error(`lib/${script} ${err.message}`);
    });
    // It closes its Nest context and exits by itself; stopped after a grace period otherwise.
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
    await Promise.race([exited, sleep(15_000)]);
    return JSON.parse(json);
  } finally {
    await stopChild(child);
  }
};

/** Microseconds, for the in-process figures. */
export const us = (n) => `${n.toFixed(0)} µs`;

/** One in-process loop's figures ({ ops, seconds, meanUs, p50Us, p99Us }) as a line. */
export const perOp = (s) => `${us(s.meanUs)} per op (p50 ${us(s.p50Us)}, p99 ${us(s.p99Us)}), ${s.ops.toLocaleString('en-US')} ops in ${s.seconds.toFixed(1)} s`;
