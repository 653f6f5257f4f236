import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { JobProcessor } from '../../core/jobs';
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';
import { LOGGER } from '../../core/tokens';
import { ReferenceService } from '../reference';
import { CaseSummaryService, readCaseChanged, type ApplyOutcome } from './case-summary.service';
import { FiguresService, type FiguresRefreshResult } from './figures.service';
import { isMonth, MonthlyReportsService, previousMonth, type MonthlyRunResult } from './monthly-reports.service';
import { summarise, type ReferenceSummary } from './reference-summary';
import { ReportPdfJobs, type ReportPdfResult } from './report-pdf-jobs.service';

const STATISTICS_JOBS = QUEUE_REGISTRY.statistics.jobs;

/** The statistics queue (worker process): summaries for the admin pages, the monthly county reports, large PDFs and the card and employer figures. */
@Processor(QUEUES.statistics)
export class StatisticsProcessor extends JobProcessor<ReferenceSummary | MonthlyRunResult | ReportPdfResult | FiguresRefreshResult> {
  protected readonly handlers = {
    [STATISTICS_JOBS.referenceSummary]: (job: Job) => this.referenceSummary(job),
    [STATISTICS_JOBS.monthlyReports]: (job: Job) => this.monthlyReports(job),
    [STATISTICS_JOBS.reportPdf]: (job: Job) => this.pdfs.make(job),
    [STATISTICS_JOBS.figuresRefresh]: () => this.figures.refresh(),
  };

  constructor(
    private readonly reference: ReferenceService,
    private readonly monthly: MonthlyReportsService,
    private readonly pdfs: ReportPdfJobs,
    private readonly figures: FiguresService,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(QUEUES.statistics, logger);
  }

  /**
   * The monthly county reports: of the month named in the job's data, or (the schedule, on the
   * 1st) of the month before today's in Taiwan.
   */
  private async monthlyReports(job: Job): Promise<MonthlyRunResult> {
    const named = (job.data as { month?: unknown } | undefined)?.month;
    if (named !== undefined && !(typeof named === 'string' && isMonth(named))) throw new UnrecoverableError('monthly-reports: data.month must be YYYY-MM');
    const result = await this.monthly.run(typeof named === 'string' ? named : previousMonth(new Date()));
    this.logger.info({ month: result.month, made: result.made.length, skipped: result.skipped.length, emails: result.emails }, 'monthly county reports');
    return result;
  }

  /** Institutions and counters per county, reporting progress as it goes. */
  private async referenceSummary(job: Job): Promise<ReferenceSummary> {
    await job.updateProgress(10);
    const counts = await this.reference.countsByCounty();
    await job.updateProgress(75);
    const summary = summarise(counts);
    await job.updateProgress(100);
    return summary;
  }
}

/**
 * The support-duty-events queue (worker process): each case-changed event, written to the outbox
 * in the transaction of the case's change, is applied to the summaries once (see
 * CaseSummaryService). A malformed event (or one from before events carried the case's version)
 * fails at once: `npm run cli -- reporting rebuild` recounts from the cases.
 */
@Processor(QUEUES.supportDutyEvents)
export class SupportDutyEventsProcessor extends JobProcessor<ApplyOutcome> {
  protected readonly handlers = { [QUEUE_REGISTRY.supportDutyEvents.jobs.caseChanged]: (job: Job) => this.caseChanged(job) };

  constructor(
    private readonly summaries: CaseSummaryService,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(QUEUES.supportDutyEvents, logger);
  }

  private caseChanged(job: Job): Promise<ApplyOutcome> {
    const event = readCaseChanged(job.data);
    if (!event) throw new UnrecoverableError('Not a case-changed event with a version: run "reporting rebuild" to recount from the cases');
    return this.summaries.apply(event);
  }
}
