import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runInThisContext } from 'node:vm';

/**
 * A SoftHSM2 token store of this jest worker's own: `.data/softhsm-test/<JEST_WORKER_ID>/`,
 * emptied the first time a test file of this worker process asks for it (so once per run), with
 * its own softhsm2.conf that SOFTHSM2_CONF points at.
 *
 * Call `useSoftHsmTestStore()` at the top of a spec file, before any code loads the PKCS#11
 * module (Pkcs11Module.open), since SoftHSM2 reads SOFTHSM2_CONF in C_Initialize. Test files of
 * one worker share the store: label tokens uniquely (e.g. with `uniqueLabel`).
 *
 * Why `runInThisContext('process')`: jest gives each test file a copy of process.env, and
 * assigning to it never reaches the real environment that native code (libsofthsm2's getenv)
 * and child processes see. The real process object is the one of the main V8 context.
 */
export interface SoftHsmTestStore {
  /** .data/softhsm-test/<worker> */
  root: string;
  tokenDir: string;
  confPath: string;
  /** The PKCS#11 library: PKCS11_MODULE or SoftHSM2's default path. */
  modulePath: string;
}

export const SOFTHSM_MODULE = process.env.PKCS11_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';

const MARKER = 'NHI_TEST_SOFTHSM_STORE';

export function useSoftHsmTestStore(): SoftHsmTestStore {
  const realProcess = runInThisContext('process') as NodeJS.Process;
  const worker = process.env.JEST_WORKER_ID ?? '1';
  const root = resolve(__dirname, '..', '..', '.data', 'softhsm-test', worker);
  const tokenDir = join(root, 'tokens');
  const confPath = join(root, 'softhsm2.conf');
  if (realProcess.env[MARKER] !== root) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(tokenDir, { recursive: true });
    writeFileSync(
      confPath,
      [`directories.tokendir = ${tokenDir}`, 'objectstore.backend = file', 'log.level = ERROR', 'slots.removable = false', ''].join('\n'),
    );
    realProcess.env[MARKER] = root;
  }
  realProcess.env.SOFTHSM2_CONF = confPath;
  process.env.SOFTHSM2_CONF = confPath;
  return { root, tokenDir, confPath, modulePath: SOFTHSM_MODULE };
}

/** A token label unique in this worker's store, e.g. uniqueLabel('card-') → 'card-5f0c9a2e'. */
export function uniqueLabel(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}
