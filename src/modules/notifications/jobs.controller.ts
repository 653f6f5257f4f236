import { Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { NotFoundError } from '../../common/errors/domain-error';
import { QUEUES } from '../../core/core.module';
import { JobsService, type JobState } from './jobs.service';
import { COUNTER_KINDS, type CountySummary } from './statistics.jobs';

const RUNNING: JobState[] = ['pending', 'waiting', 'delayed', 'active'];
const TAG: Record<JobState, string> = {
  pending: 'govuk-tag--grey',
  waiting: 'govuk-tag--grey',
  delayed: 'govuk-tag--yellow',
  active: 'govuk-tag--blue',
  completed: 'govuk-tag--green',
  failed: 'govuk-tag--red',
  unknown: 'govuk-tag--grey',
};

/** Admin pages of the background jobs: queues, failed jobs and retry, the outbox, the statistics job. */
@Controller('admin/jobs')
@Allow('admin')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @Render('notifications/jobs')
  async overview(@Query('retried') retried?: string) {
    const { queues, outbox } = await this.jobs.overview();
    return {
      titleKey: 'jobs.title',
      redisDown: queues === null,
      queues: (queues ?? []).map((q) => ({
        ...q,
        nameKey: `jobs.queue.${q.name}`,
        failed: q.failed.map((job) => ({ ...job, retryAction: `/admin/jobs/${q.name}/${encodeURIComponent(job.id)}/retry` })),
      })),
      outbox,
      retried: retried && /^[a-z]+\/[\w-]{1,100}$/.test(retried) ? retried : null,
    };
  }

  @Post('statistics/reference-summary')
  @Redirect('/admin/jobs', 303)
  async requestReferenceSummary() {
    const id = await this.jobs.requestReferenceSummary();
    return { url: `/admin/jobs/${QUEUES.statistics}/${id}` };
  }

  @Post(':queue/:id/retry')
  @Redirect('/admin/jobs', 303)
  async retry(@Param('queue') queue: string, @Param('id') id: string) {
    await this.jobs.retry(queue, id);
    return { url: `/admin/jobs?retried=${encodeURIComponent(`${queue}/${id}`)}` };
  }

  @Get('statistics/:id')
  @Render('notifications/statistics-job')
  async statisticsJob(@Param('id') id: string, @Req() req: Request) {
    if (!/^[\w-]{1,100}$/.test(id)) throw new NotFoundError('job-not-found', 'jobs.errors.notFound');
    const job = await this.jobs.statisticsJob(id);
    const en = req.lang === 'en';
    const row = (c: Pick<CountySummary, 'institutions' | 'counters' | 'countersTotal'>) => ({
      institutions: c.institutions,
      counters: COUNTER_KINDS.map((kind) => c.counters[kind]),
      countersTotal: c.countersTotal,
    });
    return {
      titleKey: 'jobs.summary.title',
      backHref: '/admin/jobs',
      href: `/admin/jobs/${QUEUES.statistics}/${encodeURIComponent(id)}`,
      job: {
        ...job,
        stateKey: `jobs.state.${job.state}`,
        tagClass: TAG[job.state],
        running: RUNNING.includes(job.state),
      },
      result: job.result && {
        generatedAt: job.result.generatedAt,
        counties: job.result.counties.map((c) => ({ name: en ? c.nameEn : c.nameZh, ...row(c) })),
        totals: row(job.result.totals),
      },
    };
  }
}
