import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { WorkerModule } from './app/worker.module';
import { configFromEnvironment } from './config/load-env';
import { LOGGER } from './core/core.module';
import { PinoNestLogger } from './core/pino-nest-logger';

/** The background worker. SIGTERM/SIGINT: stop taking jobs, finish the current ones, then exit. */
async function main() {
  const config = configFromEnvironment();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.enableShutdownHooks();
  await app.init();
  logger.info('worker started');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
