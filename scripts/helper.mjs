// `npm run helper`: the reader helper for development, on this machine, with the project's
// SoftHSM2 store (the development cards) and the settings in .env. On a user's PC the helper
// runs on its own with its environment variables (see src/reader-helper/config.ts).
import { ensureBuild } from './lib/build.mjs';
import { ensureNodeDeps } from './lib/deps.mjs';
import { ensureEnvFile, loadEnv } from './lib/env.mjs';
import { ensureSoftHsmConf } from './lib/services.mjs';
import { main, run } from './lib/util.mjs';

main(async () => {
  ensureEnvFile();
  await ensureNodeDeps();
  await ensureBuild(['cli']);
  const env = loadEnv();
  const code = await run(process.execPath, ['dist/src/reader-helper/main.js'], { env: { ...process.env, ...env, SOFTHSM2_CONF: ensureSoftHsmConf(env) } });
  process.exitCode = code;
});
