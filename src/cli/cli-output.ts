import { CommandRunner, Option } from 'nest-commander';
import { userInfo } from 'node:os';
import type { AuditActor } from '../modules/audit';

/** Who acts when an administrator runs a CLI command: the local OS account. */
export function cliActor(): AuditActor {
  return { kind: 'cli', id: userInfo().username, role: 'admin', displayName: `CLI (${userInfo().username})`, credential: 'local-shell' };
}

/** Prints a result: one JSON object with --json, readable lines otherwise. */
export function printResult(json: boolean | undefined, result: Record<string, unknown>, lines: string[]): void {
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${lines.join('\n')}\n`);
}

/** Input problems: exit code 2 and every problem listed (as JSON with --json). */
export function failInput(json: boolean | undefined, problems: string[]): void {
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, errors: problems }, null, 2)}\n`);
  else process.stderr.write(`Cannot do that:\n  - ${problems.join('\n  - ')}\nRun with --help for the usage.\n`);
  process.exitCode = 2;
}

export const JSON_OPTION = { flags: '--json', description: 'print one machine-readable JSON object' };
export const DRY_RUN_OPTION = { flags: '--dry-run', description: 'check and show what would change, change nothing' };

/** A command with --json. */
export abstract class JsonCommand extends CommandRunner {
  @Option(JSON_OPTION)
  parseJson(): boolean {
    return true;
  }
}

/** A data-changing command: --json and --dry-run. */
export abstract class ChangeCommand extends JsonCommand {
  @Option(DRY_RUN_OPTION)
  parseDryRun(): boolean {
    return true;
  }
}

/** A command group: prints its help. */
export abstract class GroupCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
