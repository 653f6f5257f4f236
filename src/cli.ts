import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { configFromEnvironment } from './config/load-env';

/**
 * A connection closing while the process shuts down (Redis, BullMQ) can reject a promise nobody
 * awaits any more; that must not turn a command's own exit code (0, or 2 for bad input) into a
 * crash, nor add to its output (scripts read --json). LOG_LEVEL=debug shows them.
 */
process.on('unhandledRejection', (reason) => {
  if (['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '')) {
    process.stderr.write(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
  }
});

/** Administrators' commands: `npm run cli -- <command> --help`. */
async function main() {
  const [command, subcommand, ...rest] = process.argv.slice(2);
  if (command === 'pki' && subcommand === 'verify') {
    // Needs no database, Redis or configuration: runs before Nest starts.
    const { runPkiVerify } = await import('./modules/certificates/pki-verify.cli');
    process.exitCode = await runPkiVerify(rest);
    return;
  }
  const config = configFromEnvironment();
  await CommandFactory.run(CliModule.forRoot(config), {
    logger: ['error'],
    errorHandler: (err) => {
      // commander's own exits (help, version, unknown option) carry their exit code.
      const code = (err as { exitCode?: number }).exitCode;
      if (code !== undefined) process.exit(code);
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
