import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { WorkerModule } from './app/worker.module';
import { configFromEnvironment } from './config/load-env';
import { LOGGER } from './core/core.module';
import { PinoNestLogger } from './core/pino-nest-logger';
import { runProcessGroup } from './core/process-group';

/**
 * The background worker: WORKER_PROCESSES processes (only the first runs the development SMTP
 * listener; the outbox relay and the queues share work safely). SIGTERM/SIGINT: stop taking
 * jobs, finish the current ones, then exit.
 */
async function main() {
  const config = configFromEnvironment();
  await runProcessGroup({
    what: 'worker',
    count: config.processes.worker,
    envOf: (n): Record<string, string> => (n > 1 ? { DEV_SMTP_LISTENER: 'false' } : {}),
    start: async () => {
      const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
      const logger = app.get<Logger>(LOGGER);
      app.useLogger(new PinoNestLogger(logger));
      app.enableShutdownHooks();
      await app.init();
      logger.info('worker started');
    },
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
