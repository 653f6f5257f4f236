import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { JobProcessor } from '../../../core/jobs';
import { QUEUE_REGISTRY, QUEUES } from '../../../core/queues';
import { LOGGER } from '../../../core/tokens';
import { BatchService } from './batch.service';

/** The support-duty-batch queue (worker process): one job per uploaded batch. */
@Processor(QUEUES.supportDutyBatch)
export class SupportDutyBatchProcessor extends JobProcessor<{ created: number; errors: number }> {
  protected readonly handlers = {
    [QUEUE_REGISTRY.supportDutyBatch.jobs.import]: (job: Job) => this.batches.run(String((job.data as { batchId: unknown }).batchId), (p) => job.updateProgress(p)),
  };

  constructor(
    private readonly batches: BatchService,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(QUEUES.supportDutyBatch, logger);
  }
}
