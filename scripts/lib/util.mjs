// Shared plumbing for the project scripts (start, stop, test, ensure-build): paths, friendly output,
// running commands, and Ctrl-C handling. Node built-ins only: these scripts run before
// node_modules exists.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATA_DIR = path.join(ROOT, '.data');
export const RUN_DIR = path.join(DATA_DIR, 'run');
export const LOG_DIR = path.join(DATA_DIR, 'logs');

/** Path relative to the repository root, for messages. */
export const rel = (p) => path.relative(ROOT, p) || '.';

/** A problem the user can act on: printed without a stack trace. */
export class UserError extends Error {}

export const fail = (message) => {
  throw new UserError(message);
};

// Where friendly lines and child output go. ensure-build switches this to stderr so that the
// CLI's stdout (e.g. --json) stays clean.
let outFd = 1;
export const useStderrForOutput = () => {
  outFd = 2;
};

/** One short line of progress for the user. */
export const say = (line) => {
  fs.writeSync(outFd, `${line}\n`);
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const activeChildren = new Set();
let interrupted = false;

const track = (child) => {
  activeChildren.add(child);
  child.on('exit', () => activeChildren.delete(child));
  return child;
};

/**
 * Runs a command with its output streamed to the user (stdout to our output stream, stderr to
 * stderr) and resolves with its exit code (128 + signal number when killed by a signal).
 * A missing executable is reported as a UserError.
 */
export const run = (cmd, args, { env = process.env } = {}) =>
  new Promise((resolve, reject) => {
    const child = track(spawn(cmd, args, { cwd: ROOT, env, stdio: ['inherit', outFd, 2] }));
    child.on('error', (err) =>
      reject(err.code === 'ENOENT' ? new UserError(`Command not found: ${cmd}`) : err),
    );
    child.on('close', (code, signal) => {
      if (interrupted) reject(new UserError('Interrupted.'));
      else resolve(code ?? 128 + (os.constants.signals[signal] ?? 1));
    });
  });

/** Runs a short command and captures its output: { status, stdout, stderr }; status is null when it could not run or timed out. */
export const capture = (cmd, args, { env = process.env, input, timeoutMs = 30000 } = {}) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, input, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.error ? null : r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

/** `npm` as the running npm would call itself (falls back to npm on PATH). */
export const npm = (args) =>
  process.env.npm_execpath && process.env.npm_execpath.endsWith('.js')
    ? [process.execPath, [process.env.npm_execpath, ...args]]
    : ['npm', args];

/**
 * Last `lines` lines of a text file ('' when it does not exist), starting no earlier than the last
 * line that begins with `since` (e.g. the marker written when a process was last started).
 */
export const tail = (file, lines = 30, since = '--- ') => {
  let text;
  try {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - 64 * 1024);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    fs.closeSync(fd);
    text = buf.toString('utf8');
  } catch {
    return '';
  }
  const all = text.trimEnd().split('\n');
  const start = all.findLastIndex((l) => l.startsWith(since));
  return all.slice(Math.max(start, all.length - lines, 0)).join('\n');
};

/** Polls `check` (sync or async, truthy = done) every `everyMs` until it succeeds or `timeoutMs` passes. */
export const waitFor = async (check, { timeoutMs, everyMs = 500 }) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
};

/** Newest modification time (ms) of the files under the given paths (files or folders); 0 if none. */
export const newestMtime = (paths) => {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) visit(path.join(p, name));
    } else if (st.mtimeMs > newest) {
      newest = st.mtimeMs;
    }
  };
  paths.forEach(visit);
  return newest;
};

/** Modification time (ms) of one path, or 0 when it does not exist. */
export const mtime = (p) => {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Runs a script's body: prints UserErrors as a friendly line and exits 1; on Ctrl-C forwards the
 * interrupt to the running command, and exits 130 (a second Ctrl-C exits at once).
 * Servers started detached keep running; `npm stop` stops them.
 */
export const main = (body) => {
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('\nInterrupted. Anything already started keeps running; `npm stop` stops it.');
    if (activeChildren.size === 0) process.exit(130);
    for (const child of activeChildren) child.kill('SIGINT');
  });
  Promise.resolve()
    .then(body)
    .then(
      (code) => process.exit(typeof code === 'number' ? code : 0),
      (err) => {
        if (interrupted) process.exit(130);
        if (err instanceof UserError) {
          process.stderr.write(`\n✗ ${err.message}\n`);
        } else {
          process.stderr.write(`\n✗ Unexpected error: ${err?.stack ?? err}\n`);
        }
        process.exit(1);
      },
    );
};
