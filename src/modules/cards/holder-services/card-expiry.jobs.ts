import { Processor } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { formatDate } from '../../../common/i18n/dates';
import { ConflictError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { Database } from '../../../core/database';
import { JobProcessor } from '../../../core/jobs';
import { QUEUE_REGISTRY, QUEUES } from '../../../core/queues';
import { LOGGER } from '../../../core/tokens';
import { AuditService, type AuditActor } from '../../audit';
import { NotificationsService } from '../../notifications';
import { CardLifecycle } from '../lifecycle/card-lifecycle.service';
import type { Card } from '../lifecycle/card.entity';
import { CardRepository } from '../lifecycle/card.repository';
import { ReservationRepository } from '../lifecycle/reservation.repository';
import { CARD_SERVICES_CONFIG, type CardServicesConfig } from './holder-services.config';

/** The card services' queue and its jobs (src/core/queues.ts; scheduled daily at 09:00 Asia/Taipei). */
export const CARD_SERVICES_QUEUE = QUEUES.cardServices;
export const CARD_SERVICES_JOBS = QUEUE_REGISTRY.cardServices.jobs;

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
    private readonly database: Database,
    private readonly cards: CardRepository,
    private readonly reservations: ReservationRepository,
    private readonly lifecycle: CardLifecycle,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  async run(now: Date = new Date()): Promise<ExpiryRunResult> {
    let expired = 0;
    for (const card of await this.cards.cardsPastExpiry(now)) {
      try {
        await this.database.transaction(async (manager) => {
          const row = await this.cards.lock(manager, card.id);
          await this.lifecycle.moveCard(manager, { row, event: 'expire', summary: { notAfter: row.notAfter?.toISOString() ?? null }, actor: SYSTEM });
        });
        expired++;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err; // changed meanwhile: the next run looks again
      }
    }
    let reminded = 0;
    for (const card of await this.cards.cardsToRemind(now, new Date(now.getTime() + this.config.expiryReminderDays * DAY_MS))) {
      const lang = (await this.reservations.findById(card.reservationId))?.lang ?? 'zh-TW';
      const sent = await this.database.transaction(async (manager) => {
        if (!(await this.cards.markReminded(manager, card.id, now))) return false;
        await this.notifications.notify(manager, { to: card.email as string, template: 'cards.expiry-reminder', lang, params: this.emailParams(card, lang) });
        await this.audit.record(manager, { action: 'card.expiry-reminder', targetType: 'card', targetId: card.cardNumber, summary: { notAfter: card.notAfter?.toISOString() }, actor: SYSTEM });
        return true;
      });
      if (sent) reminded++;
    }
    return { reminded, expired };
  }

  private emailParams(card: Card, lang: Lang): Record<string, string> {
    return {
      name: card.holderName,
      number: card.cardNumber,
      cardType: translate(lang, `cards.type.${card.cardType}`),
      date: formatDate(card.notAfter as Date, lang),
      renewUrl: `${this.appConfig.publicOrigin}/cards/services/${card.cardNumber}/renew`,
    };
  }
}

/** The 'card-services' queue (worker process). */
@Processor(CARD_SERVICES_QUEUE)
export class CardServicesProcessor extends JobProcessor<ExpiryRunResult> {
  protected readonly handlers = { [CARD_SERVICES_JOBS.expiryReminders]: () => this.expiryRun() };

  constructor(
    private readonly reminders: CardExpiryReminders,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(CARD_SERVICES_QUEUE, logger);
  }

  private async expiryRun(): Promise<ExpiryRunResult> {
    const result = await this.reminders.run();
    this.logger.info(result, 'card expiry run');
    return result;
  }
}
