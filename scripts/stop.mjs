// `npm stop`: stops the web server and the worker, then (SERVICES=local) Redis and MariaDB.
// Safe to run when nothing is running.
import { stopApp } from './lib/app.mjs';
import { loadEnv } from './lib/env.mjs';
import { stopServices } from './lib/services.mjs';
import { main } from './lib/util.mjs';

main(async () => {
  const env = loadEnv();
  await stopApp();
  await stopServices(env);
});
