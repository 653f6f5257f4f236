// Builds only when needed. The server build (`npm run build`: TypeScript to dist/ plus the
// browser assets) is stale when dist/src/main.js or dist/.build-stamp is missing, or when any
// source is newer than the stamp. The assets alone (`npm run build:assets`) are stale when
// public/build is missing or older than their sources.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, fail, mtime, newestMtime, npm, rel, run, say } from './util.mjs';

const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const ASSET_SOURCES = ['public/src', 'scripts/build-assets.mjs'].map((p) => path.join(ROOT, p));
const BUILD_SOURCES = [
  ...['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json'].map((p) => path.join(ROOT, p)),
  ...ASSET_SOURCES,
];
const ASSET_OUTPUT = path.join(ROOT, 'public', 'build');

/** Compiled entry points, by name. */
export const ENTRY = {
  web: path.join(DIST, 'src', 'main.js'),
  worker: path.join(DIST, 'src', 'worker.js'),
  cli: path.join(DIST, 'src', 'cli.js'),
};

/** True when `npm run build` must run before dist/ can be used. */
export const buildIsStale = () => {
  const stamp = mtime(STAMP);
  return stamp === 0 || !fs.existsSync(ENTRY.web) || newestMtime(BUILD_SOURCES) > stamp;
};

const npmRun = async (script, what) => {
  const [cmd, args] = npm(['run', script]);
  if ((await run(cmd, args)) !== 0) {
    fail(`${what} failed (\`npm run ${script}\`, output above). Fix the errors and run this again.`);
  }
};

/**
 * Runs `npm run build` when stale, then checks that the `needed` entry points (keys of ENTRY)
 * exist. Writes dist/.build-stamp dated at the build's start, so an edit made during the build
 * still counts as newer. Returns true when it built.
 */
export const ensureBuild = async (needed = ['web', 'worker', 'cli']) => {
  let built = false;
  if (buildIsStale()) {
    say('Building the application (npm run build)…');
    const started = new Date();
    await npmRun('build', 'The build');
    fs.mkdirSync(DIST, { recursive: true });
    fs.writeFileSync(STAMP, `${started.toISOString()}\n`);
    fs.utimesSync(STAMP, started, started);
    built = true;
  }
  const missing = needed.filter((k) => !fs.existsSync(ENTRY[k])).map((k) => rel(ENTRY[k]));
  if (missing.length) {
    fail(`The build did not produce ${missing.join(', ')}: is its source (src/${missing.map((m) => path.basename(m, '.js')).join('.ts, src/')}.ts) there?`);
  }
  return built;
};

/** True when the browser assets (public/build) are missing or older than their sources. */
export const assetsAreStale = () =>
  !fs.existsSync(ASSET_OUTPUT) || newestMtime(ASSET_SOURCES) > newestMtime([ASSET_OUTPUT]);

/** Runs `npm run build:assets` when the assets are stale. Returns true when it built. */
export const ensureAssets = async () => {
  if (!assetsAreStale()) return false;
  say('Building the browser assets (npm run build:assets)…');
  await npmRun('build:assets', 'The asset build');
  return true;
};
