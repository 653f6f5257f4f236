// The real CLI entrypoint (src/cli.ts, run from source) and direct SQL on this jest worker's
// test schema, for the CLI test files.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

const ROOT = join(__dirname, '..', '..');

/** Runs `npm run cli -- <args>` from source with `env` (default: this worker's environment). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, ['-r', join(ROOT, 'test', 'support', 'ts-register.js'), join(ROOT, 'src', 'cli.ts'), ...args], {
    env: { ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return result;
}

/** One SQL query on this worker's schema, on its own connection. */
export async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await createConnection({ host: process.env.DB_HOST, port: Number(process.env.DB_PORT), user: process.env.DB_USER, password: process.env.DB_PASSWORD, database: process.env.DB_NAME });
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}
