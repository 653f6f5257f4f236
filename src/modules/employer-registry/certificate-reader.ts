import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { textField } from '../../common/forms';
import { translate, type Lang } from '../../common/i18n/i18n';
import { helperMessages } from '../../shared/web-eid';
import { TokenProofService } from '../auth';
import { TrustStoreService, type CredentialFamily, type ValidationSuccess } from '../certificates';

/** A card read on a page: the challenge and the Web eID token the page's script filled in. */
export interface CardPresentation {
  token: unknown;
  challenge: string;
  sessionId: string;
  origin: string | undefined;
}

/**
 * A certificate read through the reader helper on an employers' page (registration, delegation):
 * the card proven present for this session and site, the certificate validated (path, validity,
 * revocation) and of one of the families the step asks for.
 */
@Injectable()
export class CertificateReader {
  constructor(
    private readonly proofs: TokenProofService,
    private readonly trustStore: TrustStoreService,
  ) {}

  /** The card proven present for this session and validated; or the field error to show. */
  async read(presentation: CardPresentation, families: readonly CredentialFamily[]): Promise<{ ok: true; result: ValidationSuccess } | { ok: false; messageKey: string }> {
    if (!presentation.token || !presentation.challenge) return { ok: false, messageKey: 'employers.register.errors.cardNotRead' };
    const proof = await this.proofs.prove(presentation);
    if (!proof.ok) return { ok: false, messageKey: 'employers.register.errors.cardNotRead' };
    const result = await this.trustStore.validate(proof.der, { purpose: 'client-auth' });
    if (!result.valid) return { ok: false, messageKey: 'employers.register.errors.certificateInvalid' };
    if (!result.family || !families.includes(result.family)) return { ok: false, messageKey: 'employers.register.errors.wrongCardType' };
    return { ok: true, result };
  }
}

const SCRIPT_KEYS = ['employers.card.reading', 'employers.card.ready', 'employers.card.noCard', 'employers.card.pinFormat', 'login.errors.unexpected'];

/** The messages of the card block's script (public/src/employer-card.js). */
export function cardScriptMessages(lang: Lang): Record<string, string> {
  return { ...helperMessages(lang, 'login.helper.'), ...Object.fromEntries(SCRIPT_KEYS.map((key) => [key, translate(lang, key)])) };
}

/** What a form with the card block posted: the challenge and the token (JSON) the script filled in; empty without JavaScript. */
export function presentationFrom(req: Request, body: unknown): CardPresentation {
  let token: unknown = null;
  try {
    token = JSON.parse(textField(body, 'cardToken') || 'null');
  } catch {
    token = null;
  }
  return { token, challenge: textField(body, 'cardChallenge'), sessionId: req.sessionID, origin: req.get('origin') };
}
