import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { JobProcessor } from '../../core/jobs';
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';
import { LOGGER } from '../../core/tokens';
import { ReferenceService } from '../reference';
import { CaseSummaryService, readCaseChanged, type ApplyOutcome } from './case-summary.service';
import { summarise, type ReferenceSummary } from './reference-summary';

/** The statistics queue (worker process): summaries for the admin pages and the reports. */
@Processor(QUEUES.statistics)
export class StatisticsProcessor extends JobProcessor<ReferenceSummary> {
  protected readonly handlers = { [QUEUE_REGISTRY.statistics.jobs.referenceSummary]: (job: Job) => this.referenceSummary(job) };

  constructor(
    private readonly reference: ReferenceService,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(QUEUES.statistics, logger);
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
