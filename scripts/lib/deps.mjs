// Node dependencies: installed with `npm ci` (exactly what package-lock.json says, so a fresh
// checkout stays unmodified) whenever node_modules is missing or older than package.json /
// package-lock.json. The lock lists every platform's optional builds (@swc/core,
// msgpackr-extract...): commit it whole after `npm install <package>`.
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
  const args = ['ci', '--no-audit', '--no-fund'];
  say('Installing Node dependencies (npm ci)…');
  const [cmd, cmdArgs] = npm(args);
  if ((await run(cmd, cmdArgs)) !== 0) fail(`\`npm ${args.join(' ')}\` failed (see above).`);
  // npm leaves the marker untouched when nothing changed; touch it so the check settles.
  if (fs.existsSync(MARKER)) {
    const now = new Date();
    fs.utimesSync(MARKER, now, now);
  }
};
