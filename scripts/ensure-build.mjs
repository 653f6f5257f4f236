// Runs before `npm run cli -- <command>`: installs Node dependencies and rebuilds when stale, so
// the CLI always runs the current code. Prints nothing when there is nothing to do; any output
// goes to stderr so the CLI's stdout (e.g. --json) stays clean.
import { ensureBuild } from './lib/build.mjs';
import { ensureNodeDeps } from './lib/deps.mjs';
import { ensureEnvFile } from './lib/env.mjs';
import { main, useStderrForOutput } from './lib/util.mjs';

useStderrForOutput();
main(async () => {
  ensureEnvFile();
  await ensureNodeDeps();
  await ensureBuild(['cli']);
});
