import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { JobProcessor } from '../../core/jobs';
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';
import { LOGGER } from '../../core/tokens';
import { ReferenceService } from '../reference';
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
