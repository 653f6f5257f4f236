import { Command, Option } from 'nest-commander';
import { EmployerRegistrySeeder } from '../modules/employer-registry';
import { ReferenceSeeder } from '../modules/reference';
import { ChangeCommand, cliActor, printResult } from './cli-output';

@Command({
  name: 'seed',
  description: 'load the reference data (counties, personnel categories, departments) and, unless --no-demo, the synthetic demo institutions, counters and registry; idempotent',
})
export class SeedCommand extends ChangeCommand {
  constructor(
    private readonly seeder: ReferenceSeeder,
    private readonly employers: EmployerRegistrySeeder,
  ) {
    super();
  }

  async run(_params: string[], flags: { json?: boolean; dryRun?: boolean; demo?: boolean } = {}): Promise<void> {
    const report = await this.seeder.seed({ demo: flags.demo !== false, dryRun: !!flags.dryRun, actor: cliActor() });
    // The demo employer registry (after the insured-person registry its responsible persons are in).
    if (flags.demo !== false) report.tables.employer_unit = await this.employers.seed({ dryRun: !!flags.dryRun, actor: cliActor() });
    const lines = Object.entries(report.tables).map(([table, t]) => `  ${table.padEnd(22)} ${t.inserted} new, ${t.present} already present`);
    printResult(flags.json, { dryRun: !!flags.dryRun, ...report }, [flags.dryRun ? 'Would seed (nothing changed):' : 'Seeded:', ...lines]);
  }



  @Option({ flags: '--no-demo', description: 'reference data only, no demo institutions, counters or registry rows' })
  parseNoDemo(): boolean {
    return false;
  }
}
