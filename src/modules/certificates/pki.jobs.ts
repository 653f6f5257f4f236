import { Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { JobProcessor } from '../../core/jobs';
import { LOGGER } from '../../core/tokens';
import { CrlService } from './crl.service';
import { PKI_JOBS, PKI_QUEUE, type CrlRefreshPayload } from './pki-queue';

/** What a 'crl-refresh' job returns (kept with the completed job). */
export interface CrlRefreshResult {
  published: Array<{ slug: string; crlNumber: number; entries: number }>;
  fetched: Array<{ slug: string; outcome: string; detail?: string }>;
}

function issuerIdOf(data: unknown): number | undefined {
  const issuerId = (data as CrlRefreshPayload | null | undefined)?.issuerId;
  if (issuerId === undefined || issuerId === null) return undefined;
  if (!Number.isInteger(issuerId) || issuerId < 1) throw new UnrecoverableError(`crl-refresh: issuerId must be a positive integer, got ${JSON.stringify(issuerId)}`);
  return issuerId;
}

/**
 * The 'pki' queue (worker process). 'crl-refresh': with an issuerId (after a revocation
 * change, through the outbox) re-signs that CA's CRL; without one (the schedule, every
 * CRL_REFRESH_MINUTES, src/core/queues.ts) re-signs the CRLs of ours that need it and fetches
 * the other CAs' CRLs. A failure throws, so BullMQ tries again with backoff.
 */
@Processor(PKI_QUEUE)
export class PkiProcessor extends JobProcessor<CrlRefreshResult> {
  protected readonly handlers = { [PKI_JOBS.crlRefresh]: (job: Job) => this.crlRefresh(job) };

  constructor(
    private readonly crls: CrlService,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(PKI_QUEUE, logger);
  }

  private async crlRefresh(job: Job): Promise<CrlRefreshResult> {
    const report = await this.crls.refresh({ issuerId: issuerIdOf(job.data) });
    return {
      published: report.published.map(({ slug, crlNumber, entries }) => ({ slug, crlNumber, entries })),
      fetched: report.fetched.map(({ slug, outcome, detail }) => ({ slug, outcome, detail })),
    };
  }
}
