// What the in-process halves of the benches (lib/*-inprocess.mjs) share: they run as child
// processes with the app's environment and load the compiled application from dist/
// (reflect-metadata first, as the app's entry points do), take <measured seconds per loop>
// <warm-up seconds> as arguments, and report percentiles.
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from '../../lib/util.mjs';

export const require = createRequire(import.meta.url);
require('reflect-metadata');

/** A module of the compiled application, e.g. dist('config/app-config.js'). */
export const dist = (p) => require(path.join(ROOT, 'dist', 'src', p));

/** The script's two arguments: measured seconds per loop and warm-up seconds. */
export const benchArgs = (script) => {
  const [seconds, warmupSeconds] = process.argv.slice(2).map(Number);
  if (!(seconds > 0) || !(warmupSeconds >= 0)) throw new Error(`usage: ${script} <seconds> <warm-up seconds>`);
  return { seconds, warmupSeconds };
};

/** The p-th percentile of ascending `sorted` (NaN when empty). */
export const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
