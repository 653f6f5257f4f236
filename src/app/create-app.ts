import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { configureHttpPipeline } from '../common/web/http-pipeline';
import type { AppConfig } from '../config/app-config';
import { LOGGER, REDIS } from '../core/core.module';
import { PinoNestLogger } from '../core/pino-nest-logger';
import { AppModule } from './app.module';

/** Builds the web application (used by main.ts, the tests and the bench): ready to listen. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  configureHttpPipeline(app, config, app.get<Redis>(REDIS), logger);
  app.enableShutdownHooks();
  await app.init();
  return app;
}
