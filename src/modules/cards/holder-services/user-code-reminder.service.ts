import { Inject, Injectable } from '@nestjs/common';
import type { Attempter } from '../../../common/access/current-principal.decorator';
import type { Lang } from '../../../common/i18n/i18n';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { Database } from '../../../core/database';
import { RateLimiter, type RatePolicy } from '../../../core/rate-limiter';
import { AuditService } from '../../audit';
import { NotificationsService } from '../../notifications';
import { cardsError } from '../cards.errors';
import type { Card } from '../lifecycle/card.entity';
import { attemptSubject } from '../reservation/card-reservation.service';
import { holder } from './card-access.service';
import { maskEmail } from './card-view';
import { CARD_SERVICES_CONFIG, type CardServicesConfig } from './holder-services.config';

/** User-code reminder requests per session / client address in an hour (every request counts). */
const REMINDERS: RatePolicy<'session' | 'client'> = { name: 'cards:user-code-reminders', windowSeconds: 60 * 60, limits: { session: 5, client: 30 } };

/**
 * The user-code reminder (用戶代碼查詢通知). The user code is kept only as a hash, so the reminder is
 * an e-mail to the card's registered address saying where the code is written down and how to
 * have it reset at a counter, never the code. At most CARD_USER_CODE_REMINDERS_PER_DAY per card,
 * and a few per session and client address an hour.
 */
@Injectable()
export class UserCodeReminders {
  private readonly perCard: RatePolicy<'card'>;

  constructor(
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    @Inject(CARD_SERVICES_CONFIG) private readonly config: CardServicesConfig,
    private readonly limiter: RateLimiter,
    private readonly database: Database,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {
    this.perCard = { name: 'cards:user-code-reminders', windowSeconds: 24 * 60 * 60, limits: { card: config.userCodeRemindersPerDay } };
  }

  /** Sends the reminder; returns the masked address it went to, or null when the card has none. */
  async send(card: Card, lang: Lang, attempter: Attempter): Promise<{ sentTo: string | null }> {
    const subject = attemptSubject(attempter);
    if (await this.limiter.blocked(REMINDERS, subject)) throw cardsError.tooMany('card-reminder-rate-limited', 'cardServices.errors.rateLimited');
    await this.limiter.record(REMINDERS, subject);
    const { card: count = 0 } = await this.limiter.record(this.perCard, { card: card.cardNumber });
    if (count > this.config.userCodeRemindersPerDay) {
      await this.audit.recordAlone({ action: 'card.user-code-reminder', outcome: 'failure', targetType: 'card', targetId: card.cardNumber, summary: { reason: 'rate-limited' } });
      throw cardsError.tooMany('card-reminder-card-limited', 'cardServices.errors.reminderLimited', { max: this.config.userCodeRemindersPerDay });
    }
    if (!card.email) {
      await this.audit.recordAlone({ action: 'card.user-code-reminder', outcome: 'failure', targetType: 'card', targetId: card.cardNumber, summary: { reason: 'no-email' } });
      return { sentTo: null };
    }
    const email = card.email;
    await this.database.transaction(async (tx) => {
      await this.notifications.notify(tx, {
        to: email,
        template: 'cards.user-code-reminder',
        lang,
        params: { name: card.holderName, number: card.cardNumber, countersUrl: `${this.appConfig.publicOrigin}/counters`, servicesUrl: `${this.appConfig.publicOrigin}/cards/services/${card.cardNumber}` },
      });
      await this.audit.record(tx, { action: 'card.user-code-reminder', targetType: 'card', targetId: card.cardNumber, summary: { to: maskEmail(email) }, actor: holder(card, 'card-number') });
    });
    return { sentTo: maskEmail(email) };
  }
}
