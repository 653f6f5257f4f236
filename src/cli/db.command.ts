import { Command, SubCommand } from 'nest-commander';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChangeCommand, GroupCommand, printResult } from './cli-output';

interface Flags {
  json?: boolean;
  dryRun?: boolean;
}

@SubCommand({ name: 'migrate', description: 'apply the pending database migrations (in order, each in its own transaction)' })
export class DbMigrateCommand extends ChangeCommand {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async run(_params: string[], flags: Flags = {}): Promise<void> {
    const applied = new Set(
      (await this.dataSource.query(`SELECT name FROM schema_migrations`).catch(() => [] as Array<{ name: string }>)).map((r: { name: string }) => r.name),
    );
    const pending = this.dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !applied.has(n));
    if (flags.dryRun) {
      printResult(flags.json, { dryRun: true, pending }, pending.length ? ['Would apply:', ...pending.map((n) => `  ${n}`)] : ['Nothing to apply: the database is up to date.']);
      return;
    }
    const ran = await this.dataSource.runMigrations({ transaction: 'each' });
    printResult(flags.json, { applied: ran.map((m) => m.name) }, ran.length ? ['Applied:', ...ran.map((m) => `  ${m.name}`)] : ['The database is up to date.']);
  }


}

@Command({ name: 'db', description: 'database commands', subCommands: [DbMigrateCommand] })
export class DbCommand extends GroupCommand {}
