#!/usr/bin/env node
// `npm run bench [-- <name>...]`: throughput and latency of the running application.
// Builds if needed, starts its own web server (dist/src/main.js, the .env configuration, a free
// port on 127.0.0.1, LOG_LEVEL=warn), waits for /healthz, runs every bench in scripts/bench/*.mjs
// in turn (or only those named), stops the server and prints one table.
//
// `--processes N` runs the app with N web processes (WEB_PROCESSES) and each bare baseline with N
// processes too (BENCH_PROCESSES), so the ratios stay fair.
//
// Settings (environment): BENCH_SECONDS (measured seconds per target, default 10),
// BENCH_CONNECTIONS (default 10), BENCH_WARMUP_SECONDS (unmeasured, default 2).
//
// A bench is a module in scripts/bench/ exporting `name`, `description` and a default async
// function taking the BenchContext below and returning { rows: [{ target, ...measurement }],
// notes?: string[] }. Loads target 127.0.0.1 only.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import { runCli } from './lib/app.mjs';
import { loadEnv } from './lib/env.mjs';
import { ROOT, fail, main, run, say } from './lib/util.mjs';
import { freePort, measure, startChild, stopAllChildren, waitForHttp200 } from './bench/lib/harness.mjs';

/**
 * @typedef {object} BenchContext
 * @property {string} appUrl       base URL of the started web server (http://127.0.0.1:<port>)
 * @property {Record<string, string>} env  its environment (.env + process environment + overrides)
 * @property {{ connections: number, seconds: number, warmupSeconds: number, processes: number }} options
 * @property {(url: string) => Promise<object>} measure  one autocannon measurement with the options
 */

const BENCH_DIR = path.join(ROOT, 'scripts', 'bench');

const positiveNumber = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a number of at least 0, got "${raw}"`);
  return n;
};

const loadBenches = async (names) => {
  const files = readdirSync(BENCH_DIR).filter((f) => f.endsWith('.mjs')).sort();
  const benches = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(path.join(BENCH_DIR, file)).href);
    if (typeof mod.default !== 'function' || !mod.name) fail(`scripts/bench/${file} must export a name and a default function`);
    benches.push({ name: mod.name, description: mod.description ?? '', run: mod.default });
  }
  const unknown = names.filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length) fail(`Unknown bench ${unknown.join(', ')}; there are: ${benches.map((b) => b.name).join(', ')}`);
  return names.length ? benches.filter((b) => names.includes(b.name)) : benches;
};

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-');

const printTable = (results) => {
  const header = ['bench', 'target', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'failed'];
  const body = results.flatMap(({ bench, rows }) =>
    rows.map((r) => [bench, r.target, fmt(r.requestsPerSecond), fmt(r.latencyP50Ms), fmt(r.latencyP99Ms), fmt(r.requests), fmt(r.failures)]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  say(line(header));
  say(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) say(line(row));
  for (const { bench, notes = [] } of results) for (const note of notes) say(`${bench}: ${note}`);
};

/** `[name...] [--processes N]`: the benches to run, and how many web processes (and bare ones) to compare. */
const parseArguments = (args) => {
  const names = [];
  let processes = 1;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=');
    if (flag !== '--processes') {
      names.push(args[i]);
      continue;
    }
    const raw = inline ?? args[++i];
    processes = Number(raw);
    if (!Number.isInteger(processes) || processes < 1 || processes > 64) fail(`--processes needs a whole number from 1 to 64, got "${raw ?? ''}"`);
  }
  return { names, processes };
};

main(async () => {
  const { names, processes } = parseArguments(process.argv.slice(2));
  const options = {
    seconds: positiveNumber('BENCH_SECONDS', 10),
    connections: Math.max(1, Math.round(positiveNumber('BENCH_CONNECTIONS', 10))),
    warmupSeconds: positiveNumber('BENCH_WARMUP_SECONDS', 2),
    processes,
  };
  if (options.seconds <= 0) fail('BENCH_SECONDS must be more than 0');
  const benches = await loadBenches(names);

  // ensure-build explains its own failures
  const built = await run(process.execPath, [path.join(ROOT, 'scripts', 'ensure-build.mjs')]);
  if (built !== 0) return built;
  // The code just built may need tables the database does not have yet (as `npm start` does).
  await runCli(['db', 'migrate'], loadEnv(), 'The database migration');

  const port = await freePort();
  const env = {
    ...loadEnv(),
    APP_HOST: '127.0.0.1',
    APP_PORT: String(port),
    LOG_LEVEL: 'warn',
    // received mail is the worker's business; never compete for its port
    DEV_SMTP_LISTENER: 'false',
    // the login bench signs in from one address; its failures must not lock that address out
    LOGIN_RATE_PER_CLIENT: '10000',
    // ... and asks for thousands of challenges a minute from it (one per login)
    CHALLENGE_RATE_PER_CLIENT: '100000',
    // --processes N: N web processes sharing the port, and N processes for each bare baseline
    WEB_PROCESSES: String(processes),
    BENCH_PROCESSES: String(processes),
  };
  const appUrl = `http://127.0.0.1:${port}`;
  // Ctrl-C is handled by main(); the servers are stopped on exit (see bench/lib/harness.mjs).
  process.once('SIGTERM', () => process.exit(143));

  const results = [];
  try {
    say(`Starting the web server on ${appUrl} (NODE_ENV=${env.NODE_ENV ?? 'development'}, LOG_LEVEL=warn)…`);
    const app = startChild(['dist/src/main.js'], env);
    await waitForHttp200(`${appUrl}/healthz`, app).catch((err) => fail(`The web server ${err.message}`));
    say(
      `autocannon: ${options.connections} connections, ${options.seconds} s per target after ${options.warmupSeconds} s of warm-up; ` +
        `Node ${process.version}, ${os.cpus().length} CPU(s), ${processes} web process(es) and as many for each bare server, load generator and servers on this machine.`,
    );
    const ctx = { appUrl, env, options, measure: (url) => measure(url, options) };
    for (const bench of benches) {
      say(`Running ${bench.name}: ${bench.description}…`);
      const result = await bench.run(ctx).catch((err) => fail(`Bench ${bench.name}: ${err.message}`));
      results.push({ bench: bench.name, ...result });
    }
  } finally {
    await stopAllChildren();
  }
  say('');
  printTable(results);
});
