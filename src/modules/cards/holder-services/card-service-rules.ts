// Which card service a card may use now: the card state machine (allowedCardEvents) and the
// certificate's dates decide. One place decides it; the pages' guards and the status page's menu
// both ask here.
import { cardsError } from '../cards.errors';
import { allowedCardEvents, LIVE_CARD_STATES, type CardEvent, type CardState } from '../lifecycle/card-state';
import type { Card } from '../lifecycle/card.entity';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Each service is a page under /cards/services/<number>/<path>. */
export const CARD_SERVICES = ['open', 'change-pin', 'unlock', 'user-code', 'suspend', 'resume', 'renew', 'revoke', 'lost'] as const;
export type CardService = (typeof CARD_SERVICES)[number];

/** The services that are a transition of the card state machine. */
const SERVICE_EVENTS: Partial<Record<CardService, CardEvent>> = { open: 'open', suspend: 'suspend', resume: 'resume', revoke: 'revoke', lost: 'revoke' };

/** The state as the holder should see it: a live card past its certificate's end is expired, whatever the nightly job has done yet. */
export function shownState(card: Card, now: Date = new Date()): CardState {
  const live = LIVE_CARD_STATES.includes(card.state);
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
  if (!LIVE_CARD_STATES.includes(state)) return [];
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
  if (event) throw cardsError.conflict('card-transition-illegal', `cardServices.errors.notInState.${shownState(card, now)}`, { event });
  throw cardsError.conflict('card-service-unavailable', 'cardServices.errors.unavailable');
}

/** Online renewal is open for this card, or a 409 saying from when it is. */
export function requireRenewalOpen(card: Card, renewalWindowDays: number, now: Date = new Date()): void {
  if (!onlineRenewalOpen(card, renewalWindowDays, now)) throw cardsError.conflict('card-renewal-not-open', 'cardServices.renew.errors.notOpen', { days: renewalWindowDays });
}
