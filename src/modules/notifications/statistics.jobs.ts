import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LOGGER, QUEUES } from '../../core/core.module';
import { JOBS } from './queues';

export const COUNTER_KINDS = ['hospital', 'health_bureau', 'health_station'] as const;
export type CounterKind = (typeof COUNTER_KINDS)[number];

export interface CountySummary {
  code: string;
  nameZh: string;
  nameEn: string;
  institutions: number;
  /** Active registration counters by kind. */
  counters: Record<CounterKind, number>;
  countersTotal: number;
}

/** The result of the 'reference-summary' job. */
export interface ReferenceSummary {
  generatedAt: string;
  counties: CountySummary[];
  totals: { institutions: number; counters: Record<CounterKind, number>; countersTotal: number };
}

/**
 * Institutions and active registration counters per county, from three SQL queries; reports
 * progress after each step. The reporting module grows from this.
 */
export async function referenceSummary(dataSource: DataSource, progress: (percent: number) => Promise<void>): Promise<ReferenceSummary> {
  const counties: Array<{ code: string; name_zh: string; name_en: string }> = await dataSource.query(
    'SELECT code, name_zh, name_en FROM county ORDER BY code',
  );
  await progress(25);
  const institutions: Array<{ county_code: string; n: string | number }> = await dataSource.query(
    'SELECT county_code, COUNT(*) AS n FROM institution GROUP BY county_code',
  );
  await progress(50);
  const counters: Array<{ county_code: string; kind: string; n: string | number }> = await dataSource.query(
    'SELECT county_code, kind, COUNT(*) AS n FROM registration_counter WHERE active = 1 GROUP BY county_code, kind',
  );
  await progress(75);

  const zero = (): Record<CounterKind, number> => ({ hospital: 0, health_bureau: 0, health_station: 0 });
  const byCounty = new Map<string, CountySummary>(
    counties.map((c) => [c.code, { code: c.code, nameZh: c.name_zh, nameEn: c.name_en, institutions: 0, counters: zero(), countersTotal: 0 }]),
  );
  const totals = { institutions: 0, counters: zero(), countersTotal: 0 };
  for (const row of institutions) {
    const n = Number(row.n);
    const county = byCounty.get(row.county_code);
    if (county) county.institutions = n;
    totals.institutions += n;
  }
  for (const row of counters) {
    const n = Number(row.n);
    const kind = row.kind as CounterKind;
    const county = byCounty.get(row.county_code);
    if (county && kind in county.counters) county.counters[kind] = n;
    if (county) county.countersTotal += n;
    if (kind in totals.counters) totals.counters[kind] += n;
    totals.countersTotal += n;
  }
  await progress(100);
  return { generatedAt: new Date().toISOString(), counties: [...byCounty.values()], totals };
}

/** The statistics queue (worker process): summaries for the admin pages and, later, reports. */
@Processor(QUEUES.statistics)
export class StatisticsProcessor extends WorkerHost {
  private readonly logger: Logger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LOGGER) logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: 'statistics-jobs' });
  }

  async process(job: Job): Promise<ReferenceSummary> {
    if (job.name !== JOBS.referenceSummary.name) throw new UnrecoverableError(`Unknown job "${job.name}" on the ${QUEUES.statistics} queue`);
    return referenceSummary(this.dataSource, (percent) => job.updateProgress(percent));
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: err.message }, 'statistics job failed');
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.debug({ err: err.message }, 'statistics worker error');
  }
}
