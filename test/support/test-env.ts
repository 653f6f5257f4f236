import { config as dotenv } from 'dotenv';
import { join } from 'node:path';

/**
 * The environment of the tests: the project's .env (written by `npm start`/`npm test`), then
 * per jest worker its own database schema, Redis database and SMTP port, so workers never share
 * state. Worker n uses `${DB_NAME}_test_${n}` and Redis db n.
 */
export const MAX_WORKERS = Number(process.env.JEST_MAX_WORKERS ?? 2);

export function baseEnv(): Record<string, string | undefined> {
  dotenv({ path: join(__dirname, '..', '..', '.env'), quiet: true } as never);
  return { ...process.env };
}

export function testSchema(base: string, worker: number): string {
  return `${base}_test_${worker}`;
}

/** The development SMTP password of .env's SMTP_URL, or a fixed one for tests. */
function smtpPassword(env: Record<string, string | undefined>): string {
  try {
    return new URL(env.SMTP_URL ?? '').password || 'test-mailbox';
  } catch {
    return 'test-mailbox';
  }
}

/**
 * The development SMTP listener of jest worker n: 75 above .env's DEV_SMTP_PORT (2525 → 2601,
 * 2602), so two checkouts with their own .env ports can run their tests side by side.
 */
function workerSmtpPort(env: Record<string, string | undefined>, worker: number): number {
  return Number(env.DEV_SMTP_PORT || 2525) + 75 + worker;
}

export function workerEnv(worker: number): Record<string, string> {
  const env = baseEnv();
  const smtpPort = workerSmtpPort(env, worker);
  const redis = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  redis.pathname = `/${worker}`;
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_NAME: testSchema(env.DB_NAME ?? 'nhi_services', worker),
    REDIS_URL: redis.toString(),
    APP_PORT: '0',
    DEV_SMTP_LISTENER: 'true',
    DEV_SMTP_PORT: String(smtpPort),
    // the development listener asks for the credentials SMTP_URL carries
    SMTP_URL: `smtp://dev:${smtpPassword(env)}@127.0.0.1:${smtpPort}`,
    OUTBOX_POLL_MS: '100',
    PUBLIC_ORIGIN: env.PUBLIC_ORIGIN ?? 'http://127.0.0.1:3000',
    INTRANET_CIDRS: '127.0.0.0/8,::1/128',
    TRUST_PROXY: '',
  };
}
