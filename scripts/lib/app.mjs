// The application's own processes: the web server (dist/src/main.js) and the worker
// (dist/src/worker.js), run detached with logs in .data/logs and PID files in .data/run.
import path from 'node:path';
import { ENTRY } from './build.mjs';
import { logFile, pidFile, portInUse, runningPid, spawnDetached, stopByPidFile } from './proc.mjs';
import { ROOT, fail, mtime, rel, run, say, tail, waitFor } from './util.mjs';

/** The two processes, in start order (stop goes in reverse). */
export const APP_PROCESSES = [
  { name: 'web', entry: ENTRY.web, marker: path.relative(ROOT, ENTRY.web) },
  { name: 'worker', entry: ENTRY.worker, marker: path.relative(ROOT, ENTRY.worker) },
];

/** Runs `node dist/src/cli.js <args>` in the foreground with `env`, output streamed. */
export const runCli = async (args, env, what) => {
  const code = await run(process.execPath, [ENTRY.cli, ...args], { env });
  if (code !== 0) fail(`${what} failed (\`npm run cli -- ${args.join(' ')}\`, output above).`);
};

/** Host to reach the web server at (a wildcard listen address is reached over loopback). */
const reachableHost = (host) => {
  if (!host || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
};

export const healthUrl = (env) => {
  const host = reachableHost(env.APP_HOST);
  return `http://${host.includes(':') ? `[${host}]` : host}:${env.APP_PORT || 3000}/healthz`;
};

const healthy = async (url) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
};

/**
 * Starts the web server and the worker unless already running. A running one is restarted when
 * the code was rebuilt after it started. Waits up to 60 s for GET /healthz to answer 200.
 * On failure stops both (so a broken process is not reused next time) and throws a UserError
 * carrying the end of the failing process's log.
 */
export const startApp = async (env) => {
  const stampTime = mtime(path.join(ROOT, 'dist', '.build-stamp'));
  const started = [];
  for (const proc of APP_PROCESSES) {
    if (runningPid(proc.name, proc.marker)) {
      if (mtime(pidFile(proc.name)) >= stampTime) {
        say(`The ${proc.name} process is already running.`);
        continue;
      }
      say(`The code changed since the ${proc.name} process started: restarting it.`);
      await stopByPidFile(proc.name, proc.marker);
    }
    if (proc.name === 'web' && (await portInUse(env.APP_PORT || 3000, reachableHost(env.APP_HOST)))) {
      fail(`Port ${env.APP_PORT || 3000} is already used by another program. Stop it, or set another APP_PORT in .env.`);
    }
    say(`Starting the ${proc.name} process…`);
    const child = spawnDetached(process.execPath, [proc.entry], { log: logFile(proc.name), env, pidName: proc.name });
    started.push({ ...proc, child });
  }

  const url = healthUrl(env);
  const outcome = await waitFor(
    async () => {
      const dead = started.find((p) => p.child.exited);
      if (dead) return dead;
      return (await healthy(url)) && 'ok';
    },
    { timeoutMs: 60000, everyMs: 500 },
  );
  if (outcome !== 'ok') {
    const culprit = typeof outcome === 'object' ? outcome : APP_PROCESSES[0];
    const why = typeof outcome === 'object' ? 'exited during startup' : `did not answer ${url} with 200 within 60 s`;
    const log = tail(logFile(culprit.name), 30);
    for (const p of APP_PROCESSES) await stopByPidFile(p.name, p.marker);
    fail(`The ${culprit.name} process ${why}. The end of ${rel(logFile(culprit.name))}:\n${log}`);
  }
};

/** Stops the worker and the web server (SIGTERM, 15 s grace, then SIGKILL). */
export const stopApp = async () => {
  for (const proc of [...APP_PROCESSES].reverse()) {
    const outcome = await stopByPidFile(proc.name, proc.marker);
    say(
      {
        stopped: `The ${proc.name} process stopped.`,
        killed: `The ${proc.name} process did not stop within 15 s and was killed.`,
        'not running': `The ${proc.name} process is not running.`,
      }[outcome],
    );
  }
};
