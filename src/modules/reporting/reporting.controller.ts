import { Controller, Get, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { QUEUES } from '../../core/queues';
import { JOB_STATE_TAG, RUNNING_JOB_STATES } from '../notifications';
import { COUNTER_KINDS, type CountySummary } from './reference-summary';
import { ReportingService } from './reporting.service';

/** The reference summary job, started from /admin/jobs: its progress, then its table. */
@Controller('admin/jobs/statistics')
@Allow('admin')
export class ReportingController {
  constructor(private readonly reporting: ReportingService) {}

  @Post('reference-summary')
  @Redirect('/admin/jobs', 303)
  async requestReferenceSummary() {
    const id = await this.reporting.requestReferenceSummary();
    return { url: `/admin/jobs/${QUEUES.statistics}/${id}` };
  }

  @Get(':id')
  @Render('reporting/reference-summary')
  async referenceSummary(@Param('id') id: string, @Req() req: Request) {
    const job = await this.reporting.referenceSummaryJob(id);
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
      job: { ...job, stateKey: `jobs.state.${job.state}`, tagClass: JOB_STATE_TAG[job.state], running: RUNNING_JOB_STATES.includes(job.state) },
      result: job.result && {
        generatedAt: job.result.generatedAt,
        counties: job.result.counties.map((c) => ({ name: en ? c.nameEn : c.nameZh, ...row(c) })),
        totals: row(job.result.totals),
      },
    };
  }
}
