import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../../src/app/worker.module';
import { loadConfig } from '../../src/config/app-config';
import { QueueHub } from '../../src/core/jobs';
import { allSchedules } from '../../src/core/queues';
import { addDays, taipeiDay } from '../../src/common/time/taipei-day';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { DELEGATION_JOBS, DELEGATION_QUEUE } from '../../src/modules/delegation/delegation.jobs';
import { Delegation } from '../../src/modules/delegation/delegation.entity';
import { startDevSmtpListener, type DevSmtpListener } from '../../src/modules/notifications/dev-smtp.listener';
import { MailboxMessage } from '../../src/modules/notifications/mailbox-message.entity';
import { MailboxRepository } from '../../src/modules/notifications/mailbox.repository';
import { MailboxService } from '../../src/modules/notifications/mailbox.service';
import { createCitizenCard, createRegisteredUnit, postForm, postWithCard, serialOf, signInWithCard, testNationalId, useEmployerTestBed } from '../support/employers';
import { waitFor } from '../support/polling';
import { useSoftHsmTestStore } from '../support/softhsm';
import { setAsideOtherFilesJobs } from '../support/worker';

const store = useSoftHsmTestStore();

describe('delegation: the reminder 30 days before a delegation ends (a scheduled BullMQ job, real SMTP)', () => {
  const bed = useEmployerTestBed(store.modulePath);
  let worker: INestApplicationContext | null = null;
  let listener: DevSmtpListener;

  beforeAll(async () => {
    const mailbox = new MailboxService(new MailboxRepository(bed.t.dataSource));
    listener = await startDevSmtpListener({ port: 0, store: (mail) => mailbox.store(mail) });
    await setAsideOtherFilesJobs(bed.t.dataSource, bed.t.config.redisUrl);
    const config = loadConfig({ ...process.env, DEV_SMTP_LISTENER: 'false', SMTP_URL: `smtp://127.0.0.1:${listener.port}` });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await listener?.close();
  });

  /** Runs the job through the queue and the worker; resolves when it finished. */
  async function runJob(): Promise<{ reminded: number }> {
    const queue = bed.t.app.get(QueueHub).get(DELEGATION_QUEUE);
    const job = await queue.add(DELEGATION_JOBS.endReminders, {});
    return waitFor('the end-reminders job to finish', async () => {
      const state = await queue.getJob(job.id!);
      if (state?.failedReason) throw new Error(state.failedReason);
      return state?.finishedOn ? (state.returnvalue as { reminded: number }) : null;
    });
  }

  it('is scheduled daily, and e-mails the operator and the manager once for a delegation ending within 30 days; a second run sends nothing; a later end date is not reminded', async () => {
    expect(allSchedules(bed.t.config).find((s) => s.id === 'delegation-end-reminders')).toMatchObject({ queue: 'delegation', job: 'end-reminders', repeat: { pattern: '30 8 * * *', tz: 'Asia/Taipei' } });

    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const { agent: manager } = await signInWithCard(bed.t, bed.helper, registered.unitCard, 'employer');
    expect((await postWithCard(bed.t, bed.helper, manager, '/employers/delegation/verify', registered.managerCard, {})).status).toBe(303);
    const add = async (endsOn: string) => {
      const serial = await serialOf(bed.t, (await createCitizenCard(bed.t, store.modulePath, testNationalId(), '到期經辦')).der);
      const email = `ending-${serial.slice(0, 12)}@example.test`;
      const fields = { certSerial: serial, credentialType: 'citizen', nationalId: testNationalId(), operatorName: '到期經辦', phone: '02-23456789', mobile: '', email, functions: ['roster.query'], endsOn };
      expect((await postForm(bed.t, manager, '/employers/delegation/add', fields as unknown as Record<string, string>)).status).toBe(303);
      return { serial, email, row: await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ certSerial: serial, status: 'active' }) };
    };
    const soon = await add(addDays(taipeiDay(), 20));
    const later = await add(addDays(taipeiDay(), 45));

    const first = await runJob();
    expect(first.reminded).toBeGreaterThanOrEqual(1);
    const subject = `單位 ${registered.unit.unitCode} 經辦人 到期經辦 的授權將於 ${addDays(taipeiDay(), 20)} 到期`;
    const delivered = await waitFor('the reminder in the mailbox', () => bed.t.dataSource.getRepository(MailboxMessage).findOneBy({ subject }));
    expect(delivered.rcptTo.split(/,\s*/).sort()).toEqual([registered.email, soon.email].sort());
    expect(delivered.textBody).toContain(soon.serial);
    expect(delivered.textBody).toContain('（查詢）');
    expect((await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ id: soon.row.id })).endRemindedAt).toBeInstanceOf(Date);
    expect((await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ id: later.row.id })).endRemindedAt).toBeNull();

    // idempotent: a second run reminds nobody again
    await runJob();
    expect(await bed.t.dataSource.getRepository(AuditEvent).countBy({ action: 'delegation.end-reminder', targetId: soon.row.id })).toBe(1);
    expect(await bed.t.dataSource.getRepository(AuditEvent).countBy({ action: 'delegation.end-reminder', targetId: later.row.id })).toBe(0);
    expect(await bed.t.dataSource.getRepository(MailboxMessage).countBy({ subject })).toBe(1);
    expect(await bed.t.dataSource.getRepository(MailboxMessage).countBy({ subject: subject.replace(addDays(taipeiDay(), 20), addDays(taipeiDay(), 45)) })).toBe(0);
  });
});
