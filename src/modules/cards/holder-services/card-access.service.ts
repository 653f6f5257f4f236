import { Inject, Injectable } from '@nestjs/common';
import type { Attempter } from '../../../common/access/current-principal.decorator';
import type { FieldError } from '../../../common/errors/domain-error';
import { validateHcaCardNumber } from '../../../common/identifiers';
import { RateLimiter } from '../../../core/rate-limiter';
import { AuditService, type AuditActor } from '../../audit';
import { cardsError } from '../cards.errors';
import type { Card } from '../lifecycle/card.entity';
import { CardRepository } from '../lifecycle/card.repository';
import { attemptPolicy, attemptSubject } from '../reservation/card-reservation.service';
import { requireService, type CardService } from './card-service-rules';
import { CARD_SERVICES_CONFIG, type CardServicesConfig } from './holder-services.config';

const LOOKUP_FAILURES = attemptPolicy('cards:card-lookup-failures');

/** The holder, as the audit records who acted on a public card-services page. */
export function holder(card: Card, credential: 'user-code' | 'card' | 'card-number'): AuditActor {
  return { kind: 'card-holder', id: card.cardNumber, credential };
}

/**
 * Finding a card by its number (12 digits, with or without "GH", spaces allowed) for the card
 * services: an unknown number counts against the session's and client's lookup limit and is
 * audited; a service the card may not use now is a 409.
 */
@Injectable()
export class CardAccess {
  constructor(
    @Inject(CARD_SERVICES_CONFIG) readonly config: CardServicesConfig,
    private readonly cards: CardRepository,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditService,
  ) {}

  /** The card with the number typed on the entry form; audited. */
  async lookup(input: string, attempter: Attempter): Promise<{ card: Card | null; errors: FieldError[]; value: string }> {
    const number = validateHcaCardNumber(input);
    if (!number.ok) return { card: null, errors: [{ field: 'cardNumber', messageKey: `cardServices.errors.cardNumber.${number.reason}` }], value: input };
    const card = await this.find(number.value, attempter);
    if (!card) return { card: null, errors: [{ field: 'cardNumber', messageKey: 'cardServices.errors.cardNumber.unknown' }], value: number.value };
    await this.audit.recordAlone({ action: 'card.lookup', targetType: 'card', targetId: card.cardNumber, actor: holder(card, 'card-number') });
    return { card, errors: [], value: number.value };
  }

  /** The card of a page's URL (404 when none, counted like a failed lookup), allowed to use `service`. */
  async card(numberParam: string, attempter: Attempter, service?: CardService): Promise<Card> {
    const number = validateHcaCardNumber(numberParam);
    const card = number.ok ? await this.find(number.value, attempter) : null;
    if (!card) throw cardsError.notFound('card-not-found', 'cardServices.errors.cardNotFound');
    if (service) requireService(card, service, this.config.renewalWindowDays);
    return card;
  }

  private async find(cardNumber: string, attempter: Attempter): Promise<Card | null> {
    const subject = attemptSubject(attempter);
    if (await this.limiter.blocked(LOOKUP_FAILURES, subject)) throw cardsError.tooMany('card-lookup-rate-limited', 'cardServices.errors.rateLimited');
    const card = await this.cards.findByNumber(cardNumber);
    if (!card) {
      await this.limiter.record(LOOKUP_FAILURES, subject);
      await this.audit.recordAlone({ action: 'card.lookup', outcome: 'failure', targetType: 'card', targetId: cardNumber, summary: { reason: 'unknown' } });
    }
    return card;
  }
}
