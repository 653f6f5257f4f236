// `npm test [-- jest arguments]`: prepares packages, Node dependencies, the local servers and the
// browser assets, then runs jest with NODE_ENV=test and the loaded configuration. Exits with
// jest's exit code. JEST_NO_SERVICES=1 (unit tests only) skips the servers.
import path from 'node:path';
import { ensureAssets } from './lib/build.mjs';
import { ensureNodeDeps } from './lib/deps.mjs';
import { loadEnv } from './lib/env.mjs';
import { ensurePackages, ensureServices, requiredPackages, servicesMode } from './lib/services.mjs';
import { ROOT, main, run } from './lib/util.mjs';

main(async () => {
  const env = { ...loadEnv(), NODE_ENV: 'test' };
  const services = env.JEST_NO_SERVICES !== '1';
  await ensurePackages(requiredPackages({ services: services && servicesMode(env) === 'local', test: true }));
  await ensureNodeDeps();
  if (services) await ensureServices(env);
  await ensureAssets();
  const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  return run(process.execPath, [jest, ...process.argv.slice(2)], { env });
});
