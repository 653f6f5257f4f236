import { QUEUES } from '../../../core/core.module';
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { ConflictError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { LOGGER } from '../../../core/core.module';
import { AuditService, type AuditActor } from '../../audit/audit.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { CardLifecycle } from '../card-lifecycle.service';
import type { Card } from '../card.entity';
import { CARD_SERVICES_CONFIG, type CardServicesConfig } from './card-services.config';
import { CardServicesRepository } from './card-services.repository';
import { formatDate } from './card-services-view';

/** The card services' BullMQ queue (registered by CardServicesWorkerModule) and its jobs. */
export const CARD_SERVICES_QUEUE = QUEUES.cardServices;
export const CARD_SERVICES_JOBS = {
  /** E-mail holders whose active card expires soon; move cards past their end to 'expired'. */
  expiryReminders: 'expiry-reminders',
} as const;
/** Id of the repeatable 'expiry-reminders' job scheduler: every day at 09:00 Taiwan time. */
export const EXPIRY_REMINDER_SCHEDULER = 'card-expiry-reminders';
export const EXPIRY_REMINDER_PATTERN = '0 9 * * *';

const DAY_MS = 24 * 60 * 60 * 1000;
const SYSTEM: AuditActor = { kind: 'system', id: 'card-expiry-reminders' };

export interface ExpiryRunResult {
  reminded: number;
  expired: number;
}

/**
 * Expiry reminders (到期換發通知): each active card whose certificate ends within
 * CARD_EXPIRY_REMINDER_DAYS and whose holder has not been reminded yet gets one e-mail, through
 * the outbox in the same transaction that marks it reminded (expiry_reminded_at), so a rerun or
 * a second worker never sends it twice. A renewal clears the mark. Cards whose certificate has
 * ended are moved to 'expired' through CardLifecycle.
 */
@Injectable()
export class CardExpiryReminders {
  constructor(
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    @Inject(CARD_SERVICES_CONFIG) private readonly config: CardServicesConfig,
    private readonly repository: CardServicesRepository,
    private readonly lifecycle: CardLifecycle,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  async run(now: Date = new Date()): Promise<ExpiryRunResult> {
    let expired = 0;
    for (const card of await this.repository.cardsPastExpiry(now)) {
      try {
        await this.repository.transaction(async (manager) => {
          const row = await this.repository.lock(manager, card.id);
          await this.lifecycle.moveCard(manager, { row, event: 'expire', summary: { notAfter: row.notAfter?.toISOString() ?? null }, actor: SYSTEM });
        });
        expired++;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err; // changed meanwhile: the next run looks again
      }
    }
    let reminded = 0;
    for (const card of await this.repository.cardsToRemind(now, new Date(now.getTime() + this.config.expiryReminderDays * DAY_MS))) {
      const lang = (await this.repository.reservationOf(card))?.lang ?? 'zh-TW';
      const sent = await this.repository.transaction(async (manager) => {
        if (!(await this.repository.markReminded(manager, card.id, now))) return false;
        await this.notifications.sendEmail(manager, { to: card.email as string, template: 'cards.expiry-reminder', ...this.email(card, lang) });
        await this.audit.record(manager, { action: 'card.expiry-reminder', targetType: 'card', targetId: card.cardNumber, summary: { notAfter: card.notAfter?.toISOString() }, actor: SYSTEM });
        return true;
      });
      if (sent) reminded++;
    }
    return { reminded, expired };
  }

  private email(card: Card, lang: Lang): { subject: string; text: string } {
    const t = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);
    const params = {
      name: card.holderName,
      number: card.cardNumber,
      cardType: t(`cards.type.${card.cardType}`),
      date: formatDate(card.notAfter as Date, lang),
      renewUrl: `${this.appConfig.publicOrigin}/cards/services/${card.cardNumber}/renew`,
    };
    return { subject: t('cardServices.expiry.email.subject', params), text: t('cardServices.expiry.email.body', params) };
  }
}

/** The 'card-services' queue (worker process). */
@Processor(CARD_SERVICES_QUEUE)
export class CardServicesProcessor extends WorkerHost {
  private readonly logger: Logger;

  constructor(
    private readonly reminders: CardExpiryReminders,
    @Inject(LOGGER) logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: 'card-services-jobs' });
  }

  async process(job: Job): Promise<ExpiryRunResult> {
    if (job.name !== CARD_SERVICES_JOBS.expiryReminders) throw new UnrecoverableError(`Unknown job "${job.name}" on the ${CARD_SERVICES_QUEUE} queue`);
    const result = await this.reminders.run();
    this.logger.info(result, 'card expiry run');
    return result;
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: err.message }, 'card services job failed');
  }
}

/** Worker process: keeps the daily 'expiry-reminders' job scheduled (09:00 Asia/Taipei). */
@Injectable()
export class CardServicesScheduler implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    @InjectQueue(CARD_SERVICES_QUEUE) private readonly queue: Queue,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'card-services-jobs' });
  }

  onApplicationBootstrap(): void {
    // Not awaited: the worker's Redis connection waits for Redis, which must not hold up the boot.
    this.schedule().catch((err: unknown) => this.logger.warn({ err }, 'could not schedule the card expiry reminders'));
  }

  schedule(): Promise<unknown> {
    return this.queue.upsertJobScheduler(
      EXPIRY_REMINDER_SCHEDULER,
      { pattern: EXPIRY_REMINDER_PATTERN, tz: 'Asia/Taipei' },
      { name: CARD_SERVICES_JOBS.expiryReminders, data: {}, opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    );
  }
}
