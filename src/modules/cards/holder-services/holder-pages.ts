// What the card-services pages share: the card of the URL (found within the lookup limits, allowed
// the service), how it is shown, the pages whose script talks to the reader helper, and the
// user-code form that guards most services.
import { Inject, Injectable } from '@nestjs/common';
import type { Attempter } from '../../../common/access/current-principal.decorator';
import { FormValidationError, type FieldError } from '../../../common/errors/domain-error';
import { secretField, textField } from '../../../common/forms';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { helperMessages } from '../../../shared/web-eid';
import type { Card } from '../lifecycle/card.entity';
import { CardAccess } from './card-access.service';
import type { CardService } from './card-service-rules';
import { REVOKE_REASONS } from './card-state-changes.service';
import { cardView } from './card-view';
import { UserCodeService, type UserCodePurpose } from './user-code.service';

/** The services whose page is the user-code form (then their own next step). */
export type UserCodeStep = Extract<CardService, UserCodePurpose>;

const SCRIPT_KEYS = [
  'originRefused', 'triesLeft', 'checking', 'ready', 'noCard', 'otherCard', 'opening', 'signing', 'verifying', 'changing', 'unlocking',
  'pinFormat', 'newPinFormat', 'newPinMismatch', 'pukFormat', 'unexpected', 'opened', 'pinChanged', 'unlocked', 'renewed',
];

/** Messages the page script shows: the card errors users know (from the shared table) and the script's own states. */
function scriptMessages(lang: Lang): Record<string, string> {
  return { ...helperMessages(lang, 'helper.'), ...Object.fromEntries(SCRIPT_KEYS.map((key) => [key, translate(lang, `cardServices.script.${key}`)])) };
}

@Injectable()
export class HolderPages {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly access: CardAccess,
    private readonly userCodes: UserCodeService,
  ) {}

  get renewalWindowDays(): number {
    return this.access.config.renewalWindowDays;
  }

  card(number: string, attempter: Attempter, service?: CardService): Promise<Card> {
    return this.access.card(number, attempter, service);
  }

  view(card: Card, lang: Lang) {
    return cardView(card, lang, this.renewalWindowDays);
  }

  /** A page whose script talks to the reader helper. */
  scriptPage(card: Card, lang: Lang, extra: Record<string, unknown>) {
    return { card: this.view(card, lang), helperUrl: this.config.helperUrl, scriptMessages: scriptMessages(lang), backHref: `/cards/services/${card.cardNumber}`, ...extra };
  }

  private userCodeContext(card: Card, lang: Lang, service: UserCodeStep) {
    return {
      card: this.view(card, lang),
      service,
      action: `/cards/services/${card.cardNumber}/${service}`,
      headingKey: `cardServices.${service}.title`,
      introKey: `cardServices.${service}.intro`,
      submitKey: `cardServices.${service}.submit`,
      warningKey: ['suspend', 'revoke', 'lost'].includes(service) ? `cardServices.${service}.warning` : null,
      reasonItems: service === 'revoke' ? REVOKE_REASONS.map((value) => ({ value, labelKey: `cardServices.revoke.reason.${value}`, hintKey: `cardServices.revoke.reason.${value}.hint` })) : null,
      confirmItems: ['revoke', 'lost'].includes(service) ? [{ value: 'yes', labelKey: `cardServices.${service}.confirm` }] : null,
      backHref: `/cards/services/${card.cardNumber}`,
    };
  }

  /** The user-code form of a service. */
  async userCodeForm(number: string, attempter: Attempter, lang: Lang, service: UserCodeStep) {
    const card = await this.card(number, attempter, service);
    return { ...this.userCodeContext(card, lang, service), titleKey: `cardServices.${service}.title`, values: {} };
  }

  /**
   * Checks a service's user-code form: the service's own fields first (`errors`: a missing
   * choice costs no user-code try), then the user code. Returns the card, or re-renders the form.
   */
  async checkUserCodeForm(number: string, body: unknown, attempter: Attempter, lang: Lang, service: UserCodeStep, errors: FieldError[] = []): Promise<Card> {
    const card = await this.card(number, attempter, service);
    const values = { reason: textField(body, 'reason'), confirm: textField(body, 'confirm') === 'yes' ? 'yes' : '' };
    if (!errors.length) {
      const result = await this.userCodes.check(card, secretField(body, 'userCode'), service, attempter);
      if (result.ok) return card;
      errors = result.errors;
    }
    throw new FormValidationError('cards/services/user-code', `cardServices.${service}.title`, errors, values, this.userCodeContext(card, lang, service));
  }
}
