import cluster, { type Worker } from 'node:cluster';

export interface ProcessGroupOptions {
  /** What the processes are, for the primary's log lines ('web', 'worker'). */
  what: string;
  /** How many processes; 1 runs `start` in this process, with no primary. */
  count: number;
  /** Extra environment for process n (1-based), e.g. a listener only the first may run. */
  envOf?: (n: number) => Record<string, string>;
  /** What each process runs. */
  start: () => Promise<void>;
}

/** Restarts allowed within RESTART_WINDOW_MS before the group gives up (a crash loop). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const RESTART_DELAY_MS = 1000;

const say = (what: string, message: string) =>
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, component: `${what}-primary`, msg: message })}\n`);

/**
 * Runs `count` processes of one kind with node:cluster. The primary only supervises: it starts
 * them (a web process's listen is shared, so they take turns at one port), restarts one that dies
 * (giving up after a crash loop), and on SIGTERM/SIGINT passes the signal on and exits once all
 * have finished (each drains as a single process would).
 */
export async function runProcessGroup(options: ProcessGroupOptions): Promise<void> {
  if (options.count <= 1 || !cluster.isPrimary) return options.start();

  let stopping = false;
  const restarts: number[] = [];
  const fork = (n: number): Worker => {
    const child = cluster.fork({ ...options.envOf?.(n), PROCESS_INDEX: String(n) });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      restarts.push(now);
      while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length > MAX_RESTARTS) {
        say(options.what, `process ${n} exited (${signal ?? code}) ${restarts.length} times within a minute: stopping all`);
        stop(1);
        return;
      }
      say(options.what, `process ${n} exited (${signal ?? code}); starting it again`);
      setTimeout(() => !stopping && fork(n), RESTART_DELAY_MS);
    });
    return child;
  };

  let exitCode = 0;
  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const child of Object.values(cluster.workers ?? {})) child?.process.kill('SIGTERM');
    finishIfDone();
  };
  const finishIfDone = () => {
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  };
  cluster.on('exit', finishIfDone);
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  for (let n = 1; n <= options.count; n++) fork(n);
  say(options.what, `${options.count} ${options.what} processes started`);
}
