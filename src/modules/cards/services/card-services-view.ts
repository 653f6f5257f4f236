// What the card services show and offer for a card: its state in words, its validity period,
// and the services menu, which follows the card state machine (allowedCardEvents) and the
// certificate's dates. One place decides which service a card may use; the controller's guards
// and the status page's menu both ask it.
import { ConflictError } from '../../../common/errors/domain-error';
import { maskIdentifier } from '../../../common/identifiers/mask';
import type { Lang } from '../../../common/i18n/i18n';
import { allowedCardEvents, type CardEvent, type CardState } from '../card-state';
import type { Card } from '../card.entity';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Each service is a page under /cards/services/<number>/<path>. */
export const CARD_SERVICES = ['open', 'change-pin', 'unlock', 'user-code', 'suspend', 'resume', 'renew', 'revoke', 'lost'] as const;
export type CardService = (typeof CARD_SERVICES)[number];

/** The services that are a transition of the card state machine. */
const SERVICE_EVENTS: Partial<Record<CardService, CardEvent>> = { open: 'open', suspend: 'suspend', resume: 'resume', revoke: 'revoke', lost: 'revoke' };

/** The state as the holder should see it: a live card past its certificate's end is expired, whatever the nightly job has done yet. */
export function shownState(card: Card, now: Date = new Date()): CardState {
  const live = card.state === 'issued' || card.state === 'active' || card.state === 'suspended';
  return live && card.notAfter !== null && card.notAfter.getTime() <= now.getTime() ? 'expired' : card.state;
}

/** Whether the certificate expires within `windowDays` (and has not yet). */
export function expiresWithin(card: Card, windowDays: number, now: Date = new Date()): boolean {
  return card.notAfter !== null && card.notAfter.getTime() > now.getTime() && card.notAfter.getTime() - now.getTime() <= windowDays * DAY_MS;
}

/** Online renewal with the current card: an active card whose certificate ends within the window. */
export function onlineRenewalOpen(card: Card, renewalWindowDays: number, now: Date = new Date()): boolean {
  return shownState(card, now) === 'active' && expiresWithin(card, renewalWindowDays, now);
}

/** The services a card may use now, in menu order. */
export function servicesFor(card: Card, renewalWindowDays: number, now: Date = new Date()): CardService[] {
  const state = shownState(card, now);
  if (state === 'expired') return ['renew']; // by reservation only
  if (state !== 'issued' && state !== 'active' && state !== 'suspended') return [];
  const events = allowedCardEvents(state);
  const services: CardService[] = [];
  if (events.includes('open')) services.push('open');
  if (state !== 'issued') services.push('change-pin');
  services.push('unlock', 'user-code');
  if (events.includes('suspend')) services.push('suspend');
  if (events.includes('resume')) services.push('resume');
  if (onlineRenewalOpen(card, renewalWindowDays, now)) services.push('renew');
  if (events.includes('revoke')) services.push('revoke', 'lost');
  return services;
}

/**
 * Refuses a service the card may not use now with a 409: a transition the state machine does
 * not allow is the same 'card-transition-illegal' CardLifecycle answers with.
 */
export function requireService(card: Card, service: CardService, renewalWindowDays: number, now: Date = new Date()): void {
  if (servicesFor(card, renewalWindowDays, now).includes(service)) return;
  const event = SERVICE_EVENTS[service];
  if (event) throw new ConflictError('card-transition-illegal', `cardServices.errors.notInState.${shownState(card, now)}`, { event });
  throw new ConflictError('card-service-unavailable', 'cardServices.errors.unavailable');
}

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

export function formatDate(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-TW', { dateStyle: 'long', timeZone: 'Asia/Taipei' }).format(date);
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
