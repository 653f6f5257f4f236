import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import { withTimeout } from '../../common/async/timeout';
import type { Principal } from '../../common/context/request-context';
import type { Lang } from '../../common/i18n/i18n';
import { Database } from '../../core/database';
import { QueueHub } from '../../core/jobs';
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';
import { ReportFilesRepository } from './report-files.repository';
import { lineCount, toPdf } from './report-files';
import { reportingError } from './reporting.errors';
import { ReportsService, type ReportAudience, type ReportQuery } from './reports.service';

const REPORT_PDF = QUEUE_REGISTRY.statistics.jobs.reportPdf;
const REDIS_TIMEOUT_MS = 3000;

/** What a 'report-pdf' job is asked: whose report (the requester's scope, fixed when asked), which period, in which language. */
export interface ReportPdfRequest {
  owner: string;
  audience: ReportAudience;
  query: ReportQuery;
  lang: Lang;
  fileName: string;
}

/** What it leaves: the PDF, stored in report_file by its content hash. */
export interface ReportPdfResult {
  contentHash: string;
  bytes: number;
  lines: number;
}

/** A 'report-pdf' job as its progress page shows it. */
export interface ReportPdfStatus {
  id: string;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  progress: number;
  result: ReportPdfResult | null;
}

const ownerOf = (p: Principal) => `${p.kind}:${p.id}`;

/**
 * Large printable reports (issue 13, item 4): a PDF of more table lines than REPORT_PDF_JOB_LINES
 * is made by a 'report-pdf' job on the statistics queue (worker), which reports its progress line
 * by line and stores the file by content hash; the requester's progress page polls it and then
 * offers the download. The job is only the requester's: anyone else asking for it gets "not found".
 * No database change goes with the request, so the job is added to the queue directly (the outbox
 * is for jobs that must follow a commit).
 */
@Injectable()
export class ReportPdfJobs {
  constructor(
    private readonly queues: QueueHub,
    private readonly reports: ReportsService,
    private readonly files: ReportFilesRepository,
    private readonly database: Database,
  ) {}

  /** Queues the PDF of the report `principal` asked for (already checked in scope); returns the job id. */
  async request(principal: Principal, query: ReportQuery, lang: Lang, fileName: string): Promise<string> {
    const data: ReportPdfRequest = { owner: ownerOf(principal), audience: this.reports.audienceOf(principal), query, lang, fileName };
    const job = await withTimeout(this.queues.get(QUEUES.statistics).add(REPORT_PDF, data, { jobId: `pdf-${randomUUID()}`, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 24 * 3600 } }), REDIS_TIMEOUT_MS, 'queue the PDF');
    return job.id as string;
  }

  /** The job's state for its requester (anyone else, or an unknown id: not found). */
  async status(principal: Principal, id: string): Promise<ReportPdfStatus & { fileName: string }> {
    const job = await this.ownJob(principal, id);
    const raw = await withTimeout(job.getState(), REDIS_TIMEOUT_MS, 'job state');
    const state = raw === 'completed' || raw === 'failed' || raw === 'active' ? raw : 'waiting';
    return {
      id,
      state,
      progress: state === 'completed' ? 100 : typeof job.progress === 'number' ? job.progress : 0,
      result: state === 'completed' ? (job.returnvalue as ReportPdfResult) : null,
      fileName: (job.data as ReportPdfRequest).fileName,
    };
  }

  /** The finished PDF for its requester; not found before it is finished. */
  async file(principal: Principal, id: string): Promise<{ content: Buffer; contentHash: string; fileName: string }> {
    const status = await this.status(principal, id);
    const stored = status.result && (await this.files.fileByHash(status.result.contentHash));
    if (!status.result || !stored) throw reportingError.notFound('report-not-found', 'errors.404.message');
    return { content: stored.content, contentHash: status.result.contentHash, fileName: status.fileName };
  }

  /** Worker: makes the PDF, telling the job its progress (the report 10%, the lines up to 95%, stored 100%). */
  async make(job: Job): Promise<ReportPdfResult> {
    const data = job.data as ReportPdfRequest;
    const report = await this.reports.reportFor(data.audience, data.query, data.lang);
    await job.updateProgress(10);
    let shown = 10;
    const pending: Array<Promise<unknown>> = [];
    const content = await toPdf(report, data.lang, (done, total) => {
      const percent = 10 + Math.floor((85 * done) / Math.max(total, 1));
      if (percent > shown) pending.push(job.updateProgress((shown = percent)));
    });
    await Promise.all(pending);
    const contentHash = createHash('sha256').update(content).digest('hex');
    await this.database.transaction((tx) => this.files.saveFile(tx, { contentHash, mediaType: 'application/pdf', content }));
    await job.updateProgress(100);
    return { contentHash, bytes: content.length, lines: lineCount(report) };
  }

  private async ownJob(principal: Principal, id: string): Promise<Job> {
    const job = /^pdf-[0-9a-f-]{36}$/.test(id) ? await withTimeout(this.queues.get(QUEUES.statistics).getJob(id), REDIS_TIMEOUT_MS, 'get job') : undefined;
    if (!job || job.name !== REPORT_PDF || (job.data as ReportPdfRequest).owner !== ownerOf(principal)) throw reportingError.notFound('report-not-found', 'errors.404.message');
    return job;
  }
}
