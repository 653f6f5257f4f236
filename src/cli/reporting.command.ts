import { Command, Option, SubCommand } from 'nest-commander';
import { isIsoDay } from '../common/time/taipei-day';
import { CaseSummaryService, isMonth, MonthlyReportsService, SyntheticCasesService } from '../modules/reporting';
import { ChangeCommand, failInput, GroupCommand, JsonCommand, printResult } from './cli-output';

interface RebuildFlags {
  from?: string;
  json?: boolean;
  dryRun?: boolean;
}

@SubCommand({
  name: 'rebuild',
  description: 'recount the support-duty summaries from the cases (from --from\'s month on, or all), in one transaction; --dry-run reports without writing',
})
export class ReportingRebuildCommand extends ChangeCommand {
  constructor(private readonly summaries: CaseSummaryService) {
    super();
  }

  async run(_params: string[], flags: RebuildFlags = {}): Promise<void> {
    const from = flags.from ?? null;
    if (from !== null && !isIsoDay(from) && !isIsoDay(`${from}-01`)) return failInput(flags.json, [`--from must be a day (YYYY-MM-DD) or a month (YYYY-MM), got "${from}"`]);
    const result = await this.summaries.rebuild({ from: from && from.length === 7 ? `${from}-01` : from, dryRun: flags.dryRun });
    printResult(flags.json, { ...result }, [
      `${result.dryRun ? 'Would rebuild (nothing changed)' : 'Rebuilt'} the support-duty summaries ${result.fromMonth ? `from ${result.fromMonth}` : 'from the first case'}:`,
      `  ${result.cases} cases, ${result.sessions} sessions`,
      `  ${result.dayRows} day rows, ${result.monthRows} month rows`,
      `  ${result.differences} rows differed from the incremental summaries`,
    ]);
  }

  @Option({ flags: '--from <day|month>', description: 'rebuild from this month on (YYYY-MM or a day in it); default: everything' })
  parseFrom(v: string) {
    return v;
  }
}

interface GenerateFlags {
  cases?: string;
  seed?: string;
  json?: boolean;
}

@SubCommand({
  name: 'generate',
  description: 'load synthetic support-duty cases (two years, realistic spreads over counties, categories, purposes and outcomes) in bulk, then rebuild the summaries',
})
export class DevGenerateCommand extends JsonCommand {
  constructor(private readonly synthetic: SyntheticCasesService) {
    super();
  }

  async run(_params: string[], flags: GenerateFlags = {}): Promise<void> {
    const cases = Number(flags.cases);
    const seed = flags.seed === undefined ? 1 : Number(flags.seed);
    const problems = [
      ...(Number.isInteger(cases) && cases >= 1 && cases <= 10_000_000 ? [] : ['--cases must be a whole number from 1 to 10000000']),
      ...(Number.isInteger(seed) && seed >= 0 ? [] : ['--seed must be a whole number']),
    ];
    if (problems.length) return failInput(flags.json, problems);
    let shown = 0;
    const result = await this.synthetic.generate(cases, seed, (done) => {
      if (!flags.json && (done - shown >= 100_000 || done === cases)) (process.stderr.write(`  ${done} cases inserted\n`), (shown = done));
    });
    printResult(flags.json, { ...result }, [
      `Generated ${result.cases} synthetic cases (seed ${result.seed}) and rebuilt the summaries in ${result.seconds.toFixed(1)} s:`,
      `  ${result.rebuild.dayRows} day rows, ${result.rebuild.monthRows} month rows`,
    ]);
  }

  @Option({ flags: '--cases <n>', description: 'how many cases, e.g. 1000000' })
  parseCases(v: string) {
    return v;
  }
  @Option({ flags: '--seed <n>', description: 'the random seed (default 1): the same seed gives the same cases' })
  parseSeed(v: string) {
    return v;
  }
}

interface MonthlyFlags {
  month?: string;
  json?: boolean;
}

@SubCommand({
  name: 'monthly',
  description: "make each county's monthly report (PDF, XLSX, CSV) for --month and e-mail the county's reviewers, as the scheduled job does on the 1st; a county that has it already is skipped",
})
export class ReportingMonthlyCommand extends JsonCommand {
  constructor(private readonly monthly: MonthlyReportsService) {
    super();
  }

  async run(_params: string[], flags: MonthlyFlags = {}): Promise<void> {
    const month = flags.month ?? '';
    if (!isMonth(month)) return failInput(flags.json, [`--month must be a month (YYYY-MM), got "${month}"`]);
    const result = await this.monthly.run(month);
    printResult(flags.json, { ...result }, [
      `Monthly county reports for ${result.month}:`,
      `  made ${result.made.length} (${result.made.join(', ') || 'none'}), e-mailed ${result.emails} reviewer(s)`,
      `  ${result.skipped.length} counties had theirs already`,
    ]);
  }

  @Option({ flags: '--month <YYYY-MM>', description: 'the month the reports are of, e.g. 2026-11' })
  parseMonth(v: string) {
    return v;
  }
}

@Command({ name: 'reporting', description: 'reports: rebuild the summaries, make the monthly county reports', subCommands: [ReportingRebuildCommand, ReportingMonthlyCommand] })
export class ReportingCommand extends GroupCommand {}

export const REPORTING_COMMANDS = [ReportingCommand, ReportingRebuildCommand, ReportingMonthlyCommand, DevGenerateCommand];
