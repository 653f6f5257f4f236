import 'reflect-metadata';
import type { Logger } from 'pino';
import { createApp } from './app/create-app';
import { LOGGER } from './core/core.module';
import { runProcessGroup } from './core/process-group';
import { configFromEnvironment } from './config/load-env';

/** The web server: WEB_PROCESSES processes sharing the port. Stops gracefully on SIGTERM/SIGINT (Nest shutdown hooks). */
async function main() {
  const config = configFromEnvironment();
  await runProcessGroup({
    what: 'web',
    count: config.processes.web,
    start: async () => {
      const app = await createApp(config);
      await app.listen(config.port, config.host);
      app.get<Logger>(LOGGER).info({ url: config.publicOrigin, listen: `${config.host}:${config.port}` }, 'web server listening');
    },
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
