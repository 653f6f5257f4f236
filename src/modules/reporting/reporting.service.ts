import { Injectable } from '@nestjs/common';
import { Database } from '../../core/database';
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';
import { AuditService } from '../audit';
import { JobsService, OutboxService, type JobView } from '../notifications';
import type { ReferenceSummary } from './reference-summary';

const REFERENCE_SUMMARY = QUEUE_REGISTRY.statistics.jobs.referenceSummary;

/**
 * Reports. So far the reference summary (institutions and counters per county), run as a
 * 'statistics' job with visible progress; the support-duty and card statistics grow here.
 */
@Injectable()
export class ReportingService {
  constructor(
    private readonly outbox: OutboxService,
    private readonly jobs: JobsService,
    private readonly database: Database,
    private readonly audit: AuditService,
  ) {}

  /** Queues the 'reference-summary' job through the outbox; audited as 'jobs.enqueue'. Returns the job id. */
  requestReferenceSummary(): Promise<string> {
    return this.database.transaction(async (tx) => {
      const jobId = await this.outbox.enqueue(tx, QUEUES.statistics, REFERENCE_SUMMARY, {});
      await this.audit.record(tx, { action: 'jobs.enqueue', targetType: 'job', targetId: `${QUEUES.statistics}/${jobId}`, summary: { name: REFERENCE_SUMMARY } });
      return jobId;
    });
  }

  /** A 'reference-summary' job's state, progress and (when completed) result. */
  referenceSummaryJob(id: string): Promise<JobView<ReferenceSummary>> {
    return this.jobs.view<ReferenceSummary>(QUEUES.statistics, REFERENCE_SUMMARY, id);
  }
}
