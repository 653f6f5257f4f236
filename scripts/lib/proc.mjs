// Background processes owned by the project: PID files under .data/run, liveness checks that
// tell a zombie or a recycled PID from our process, detached start, and graceful stop.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { LOG_DIR, ROOT, RUN_DIR, waitFor } from './util.mjs';

export const pidFile = (name) => path.join(RUN_DIR, `${name}.pid`);
export const logFile = (name) => path.join(LOG_DIR, `${name}.log`);

/** PID written in a PID file, or null. */
export const readPid = (file) => {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

/**
 * True when `pid` is a running (non-zombie) process. With `marker`, its command line must also
 * contain that text, so a PID recycled by an unrelated process does not count.
 */
export const isAlive = (pid, marker) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    if (marker) return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false; // gone between the two checks, or no /proc
  }
  return true;
};

/** PID from `name`'s PID file when that process is alive and its command line has `marker`. */
export const runningPid = (name, marker) => {
  const pid = readPid(pidFile(name));
  return isAlive(pid, marker) ? pid : null;
};

/**
 * Starts a long-running command in its own session (it survives this script and Ctrl-C), with
 * stdout and stderr appended to `log`. Returns the ChildProcess (unref'd; its 'exit' event still
 * fires while this script runs, which lets callers notice an early crash).
 */
export const spawnDetached = (cmd, args, { log, env = process.env, pidName } = {}) => {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const fd = fs.openSync(log, 'a');
  fs.writeSync(fd, `\n--- ${new Date().toISOString()} starting: ${path.basename(cmd)} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.exited = false;
  child.on('exit', () => {
    child.exited = true;
  });
  child.on('error', () => {
    child.exited = true;
  });
  if (pidName && child.pid) fs.writeFileSync(pidFile(pidName), `${child.pid}\n`);
  child.unref();
  return child;
};

const signal = (pid, sig) => {
  try {
    process.kill(-pid, sig); // the whole process group (we started it as a group leader)
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
};

/**
 * Stops the process in `name`'s PID file: SIGTERM, up to `graceMs` for it to exit, then SIGKILL.
 * Removes the PID file. Returns 'stopped', 'killed' or 'not running'.
 */
export const stopByPidFile = async (name, marker, graceMs = 15000) => {
  const file = pidFile(name);
  const pid = readPid(file);
  let outcome = 'not running';
  if (isAlive(pid, marker)) {
    signal(pid, 'SIGTERM');
    outcome = (await waitFor(() => !isAlive(pid), { timeoutMs: graceMs, everyMs: 200 }))
      ? 'stopped'
      : 'killed';
    if (outcome === 'killed') {
      signal(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), { timeoutMs: 5000, everyMs: 100 });
    }
  }
  fs.rmSync(file, { force: true });
  return outcome;
};

/** True when something accepts TCP connections on host:port. */
export const portInUse = (port, host = '127.0.0.1') =>
  new Promise((resolve) => {
    const socket = net.connect({ port: Number(port), host });
    const done = (inUse) => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
