import { Controller, Get, Param, Post, Query, Redirect, Render } from '@nestjs/common';
import { Allow } from '../../common/access/access.decorator';
import { textField } from '../../common/forms';
import { JobsService } from './jobs.service';

/** Admin pages of the background jobs: queues, failed jobs and retry, the outbox. */
@Controller('admin/jobs')
@Allow('admin')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @Render('notifications/jobs')
  async overview(@Query() query: unknown) {
    const { queues, outbox } = await this.jobs.overview();
    const retried = textField(query, 'retried');
    return {
      titleKey: 'jobs.title',
      redisDown: queues === null,
      queues: (queues ?? []).map((q) => ({
        ...q,
        nameKey: `jobs.queue.${q.name}`,
        failed: q.failed.map((job) => ({ ...job, retryAction: `/admin/jobs/${q.name}/${encodeURIComponent(job.id)}/retry` })),
      })),
      outbox,
      retried: /^[a-z-]+\/[\w-]{1,100}$/.test(retried) ? retried : null,
    };
  }

  @Post(':queue/:id/retry')
  @Redirect('/admin/jobs', 303)
  async retry(@Param('queue') queue: string, @Param('id') id: string) {
    await this.jobs.retry(queue, id);
    return { url: `/admin/jobs?retried=${encodeURIComponent(`${queue}/${id}`)}` };
  }
}
