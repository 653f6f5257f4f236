// What the card services show of a card: its state in words, its validity period, the services
// menu (card-service-rules.ts decides what is on it), the holder's name and address masked.
import { maskIdentifier } from '../../../common/identifiers/mask';
import { formatDate } from '../../../common/i18n/dates';
import type { Lang } from '../../../common/i18n/i18n';
import { onlineRenewalOpen, servicesFor, shownState } from './card-service-rules';
import type { Card } from '../lifecycle/card.entity';

/** '王小明' → '王*明', '王明' → '王*': the status page is open to anyone with the card number. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - (chars.length > 2 ? 2 : 1)) + (chars.length > 2 ? chars[chars.length - 1] : '');
}

/** 'lin.zhiming@example.test' → 'l*********g@example.test'. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '*'.repeat(email.length);
  const local = email.slice(0, at);
  return `${maskIdentifier(local, 1, local.length > 2 ? 1 : 0)}${email.slice(at)}`;
}

/** A card as the status page shows it. */
export function cardView(card: Card, lang: Lang, renewalWindowDays: number, now: Date = new Date()) {
  const state = shownState(card, now);
  const base = `/cards/services/${card.cardNumber}`;
  return {
    number: card.cardNumber,
    base,
    tokenLabel: card.tokenLabel,
    type: card.cardType,
    typeKey: `cards.type.${card.cardType}`,
    state,
    stateKey: `cardServices.state.${state}`,
    explainKey: `cardServices.status.explain.${state}`,
    holder: maskName(card.holderName),
    validity: card.notBefore && card.notAfter ? { from: formatDate(card.notBefore, lang), to: formatDate(card.notAfter, lang) } : null,
    expiresSoon: onlineRenewalOpen(card, renewalWindowDays, now),
    services: servicesFor(card, renewalWindowDays, now).map((service) => ({
      service,
      href: `${base}/${service}`,
      labelKey: `cardServices.menu.${service}`,
      hintKey: `cardServices.menu.${service}.hint`,
    })),
  };
}
export type CardView = ReturnType<typeof cardView>;
