// `npm start`: everything needed to run the application on a fresh Debian 12 machine, then the
// web server and the worker in the background. A second run reuses whatever is already running.
import { healthUrl, runCli, startApp } from './lib/app.mjs';
import { ensureBuild } from './lib/build.mjs';
import { ensureNodeDeps } from './lib/deps.mjs';
import { loadEnv } from './lib/env.mjs';
import { logFile } from './lib/proc.mjs';
import { ensurePackages, ensureServices, ensureSoftHsmConf, requiredPackages, servicesMode } from './lib/services.mjs';
import { main, rel, say } from './lib/util.mjs';

main(async () => {
  const env = loadEnv();
  await ensurePackages(requiredPackages({ services: servicesMode(env) === 'local', test: false }));
  await ensureNodeDeps();
  await ensureServices(env);
  env.SOFTHSM2_CONF = ensureSoftHsmConf(env);
  await ensureBuild();
  say('Applying database migrations…');
  await runCli(['db', 'migrate'], env, 'The database migration');
  say('Loading reference data…');
  await runCli(['seed'], env, 'Seeding');
  say('Preparing the development certification authorities (SoftHSM2)…');
  await runCli(['pki', 'dev-init'], env, 'The development PKI');
  await runCli(['pki', 'crl', 'refresh'], env, 'Publishing the CRLs');
  await startApp(env);
  say('');
  say(`✓ NHI certificate services is running at ${env.PUBLIC_ORIGIN || healthUrl(env).replace(/\/healthz$/, '')}`);
  say(`  Logs: ${rel(logFile('web'))}, ${rel(logFile('worker'))} (servers: .data/logs/)`);
  say('  Stop everything with: npm stop');
});
