// Starting a worker in a test: before it, the jobs other files of this jest worker left behind
// (outbox rows no worker dispatched, queued or retrying jobs) are set aside, so the worker the
// test starts works only on what the test does.
import { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { redisOptions } from '../../src/core/core.module';
import { QUEUE_NAMES } from '../../src/core/queues';

export async function setAsideOtherFilesJobs(dataSource: DataSource, redisUrl: string): Promise<void> {
  await dataSource.query('UPDATE outbox_message SET dispatched_at = UTC_TIMESTAMP(3) WHERE dispatched_at IS NULL');
  const connection = { ...redisOptions({ redisUrl, redisTlsCaFile: '' }), maxRetriesPerRequest: null };
  for (const name of QUEUE_NAMES) {
    const queue = new Queue(name, { connection });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  }
}
