import { config as dotenv } from 'dotenv';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import { ConfigError, loadConfig, type AppConfig } from './app-config';

/** Reads .env (real environment variables win) and validates; on error prints what is wrong and exits. */
export function configFromEnvironment(): AppConfig {
  dotenv({ path: join(PROJECT_ROOT, '.env'), quiet: true } as never);
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
