import { Command, Option, SubCommand } from 'nest-commander';
import { isIsoDay } from '../common/time/taipei-day';
import { CaseSummaryService } from '../modules/reporting';
import { ChangeCommand, failInput, GroupCommand, printResult } from './cli-output';

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

@Command({ name: 'reporting', description: 'reports: rebuild the summaries', subCommands: [ReportingRebuildCommand] })
export class ReportingCommand extends GroupCommand {}

export const REPORTING_COMMANDS = [ReportingCommand, ReportingRebuildCommand];
