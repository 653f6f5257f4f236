// Node dependencies: installed with `npm install` (which follows package-lock.json) whenever
// node_modules is missing or older than package.json / package-lock.json. Not `npm ci`: the
// registry this project installs from serves only this platform's builds of packages with
// per-platform optional dependencies (@swc/core, msgpackr-extract...), so the lock file cannot list
// the others and `npm ci` refuses it as "out of sync".
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, fail, mtime, npm, run, say } from './util.mjs';

const MARKER = path.join(ROOT, 'node_modules', '.package-lock.json');
const MANIFESTS = ['package.json', 'package-lock.json'].map((f) => path.join(ROOT, f));

/** True when node_modules is missing or older than package.json / package-lock.json. */
export const depsAreStale = () => {
  const installed = mtime(MARKER);
  return installed === 0 || MANIFESTS.some((f) => mtime(f) > installed);
};

/** Installs the Node dependencies when stale, streaming npm's output. */
export const ensureNodeDeps = async () => {
  if (!depsAreStale()) return;
  const args = ['install', '--no-audit', '--no-fund'];
  say('Installing Node dependencies (npm install)…');
  const [cmd, cmdArgs] = npm(args);
  if ((await run(cmd, cmdArgs)) !== 0) fail(`\`npm ${args.join(' ')}\` failed (see above).`);
  // npm leaves the marker untouched when nothing changed; touch it so the check settles.
  if (fs.existsSync(MARKER)) {
    const now = new Date();
    fs.utimesSync(MARKER, now, now);
  }
};
