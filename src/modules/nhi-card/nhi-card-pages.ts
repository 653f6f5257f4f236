import type { Request } from 'express';
import { textField } from '../../common/forms';
import { translate } from '../../common/i18n/i18n';
import { helperMessages } from '../../shared/web-eid';
import type { NhiCardPresentation } from './card-check';

/** The messages the card block's script shows (reader helper answers, progress). */
const SCRIPT_MESSAGE_KEYS = ['nhiCard.card.reading', 'nhiCard.card.found', 'nhiCard.card.noNhiCard', 'nhiCard.card.ready', 'login.errors.unexpected', 'login.helper.originRefused'];

export function cardScriptMessages(req: Request): Record<string, string> {
  return { ...helperMessages(req.lang, 'login.helper.'), ...Object.fromEntries(SCRIPT_MESSAGE_KEYS.map((key) => [key, translate(req.lang, key)])) };
}

/**
 * What a page with the card block posted: the page's script put this session's challenge and
 * the token the reader helper signed (JSON) in hidden fields. Without JavaScript both are empty
 * and the card check answers 'token-malformed' (its message says a card reader and JavaScript are needed).
 */
export function presentationFrom(req: Request, body: unknown): NhiCardPresentation {
  let token: unknown;
  try {
    token = JSON.parse(textField(body, 'cardToken') || 'null');
  } catch {
    token = null;
  }
  return { token, challenge: textField(body, 'cardChallenge'), sessionId: req.sessionID, origin: req.get('origin') };
}

/** The pages of the registration journeys, each with its template and title. */
export const NHI_PAGES = {
  register: { template: 'nhi-card/register', titleKey: 'nhiCard.register.title' },
  resend: { template: 'nhi-card/resend', titleKey: 'nhiCard.resend.title' },
  password: { template: 'nhi-card/password', titleKey: 'nhiCard.changePassword.title' },
  forgot: { template: 'nhi-card/forgot', titleKey: 'nhiCard.forgot.title' },
  reset: { template: 'nhi-card/reset', titleKey: 'nhiCard.reset.title' },
  cancel: { template: 'nhi-card/cancel', titleKey: 'nhiCard.cancel.title' },
  otp: { template: 'nhi-card/otp', titleKey: 'nhiCard.otp.title' },
} as const;
export type NhiPage = keyof typeof NHI_PAGES;

/** The confirmations after each journey (GET /nhi-card/done/<what>). */
export const NHI_DONE = ['registered', 'verified', 'resent', 'password-changed', 'reset-sent', 'reset-done', 'cancelled', 'otp-enrolled'] as const;
export type NhiDone = (typeof NHI_DONE)[number];
