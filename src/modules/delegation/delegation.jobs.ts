import { Processor } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { translate } from '../../common/i18n/i18n';
import { addDays, taipeiDay } from '../../common/time/taipei-day';
import { Database } from '../../core/database';
import { JobProcessor } from '../../core/jobs';
import { QUEUE_REGISTRY, QUEUES } from '../../core/queues';
import { LOGGER } from '../../core/tokens';
import { AuditService, type AuditActor } from '../audit';
import { UnitContacts } from '../employer-registry';
import { NotificationsService } from '../notifications';
import { DelegationRepository } from './delegation.repository';

export const DELEGATION_QUEUE = QUEUES.delegation;
export const DELEGATION_JOBS = QUEUE_REGISTRY.delegation.jobs;

/** Days before a delegation's last day that the manager and the operator are reminded. */
export const END_REMINDER_DAYS = 30;

const SYSTEM: AuditActor = { kind: 'system', id: 'delegation-end-reminders' };

/**
 * 授權到期提醒: each active delegation whose last day is within END_REMINDER_DAYS gets one e-mail
 * to the operator and the unit's manager, through the outbox in the same transaction that marks
 * it reminded (end_reminded_at), so a rerun or a second worker sends nothing. A new end date
 * clears the mark.
 */
@Injectable()
export class DelegationEndReminders {
  constructor(
    private readonly database: Database,
    private readonly repository: DelegationRepository,
    private readonly contacts: UnitContacts,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  async run(now: Date = new Date()): Promise<{ reminded: number }> {
    const today = taipeiDay(now);
    let reminded = 0;
    for (const d of await this.repository.endingUnreminded(today, addDays(today, END_REMINDER_DAYS))) {
      const manager = await this.contacts.manager(d.unitCode);
      const lang = manager?.lang ?? 'zh-TW';
      const sent = await this.database.transaction(async (tx) => {
        if (!(await this.repository.markEndReminded(tx, d.id, now))) return false;
        const to = [...new Set([d.email, ...(manager ? [manager.email] : [])])];
        const params = { unitCode: d.unitCode, operatorName: d.operatorName, serial: d.certSerial, endsOn: d.endsOn ?? '', functions: d.functions.split(',').filter(Boolean).map((f) => translate(lang, `delegation.function.${f}`)).join('、') };
        await this.notifications.notify(tx, { to, template: 'delegation.ending', lang, params });
        await this.audit.record(tx, { action: 'delegation.end-reminder', targetType: 'employer_delegation', targetId: d.id, summary: { unitCode: d.unitCode, endsOn: d.endsOn }, actor: SYSTEM });
        return true;
      });
      if (sent) reminded++;
    }
    return { reminded };
  }
}

/** The 'delegation' queue (worker process). */
@Processor(DELEGATION_QUEUE)
export class DelegationProcessor extends JobProcessor<{ reminded: number }> {
  protected readonly handlers = { [DELEGATION_JOBS.endReminders]: () => this.endReminders() };

  constructor(
    private readonly reminders: DelegationEndReminders,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(DELEGATION_QUEUE, logger);
  }

  private async endReminders() {
    const result = await this.reminders.run();
    this.logger.info(result, 'delegation end reminders');
    return result;
  }
}
