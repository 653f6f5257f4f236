import { Injectable } from '@nestjs/common';
import { maskCardNumber } from '../../common/identifiers';
import { TokenProofService } from '../auth';
import { TrustStoreService } from '../certificates';
import type { NhiCardFailure } from './nhi-card.errors';

/** What the page's script sends after the reader helper signed this session's challenge with the NHI card. */
export interface NhiCardPresentation {
  /** The Web eID token (same format as the certificate login). */
  token: unknown;
  challenge: unknown;
  sessionId: string;
  /** The Origin header the browser sent. */
  origin: string | undefined;
}

export type NhiCardCheckResult =
  | { ok: true; cardNumber: string; /** How the card is named in audit rows: 'nhi-card:0000****1234'. */ credential: string }
  | { ok: false; code: NhiCardFailure; detail?: string };

/**
 * "This NHI card is in the user's reader now": the one question every NHI card flow asks. In
 * production the answer comes from the NHIA's card verification service; here (development,
 * tests) from our own development NHI card CA. Inject with NHI_CARD_CHECK.
 */
export interface NhiCardCheck {
  check(presentation: NhiCardPresentation): Promise<NhiCardCheckResult>;
}

export const NHI_CARD_CHECK = Symbol('NHI_CARD_CHECK');

export function nhiCredential(cardNumber: string): string {
  return `nhi-card:${maskCardNumber(cardNumber)}`;
}

/**
 * The card check against the development NHI card CA: the token proves the card signed this
 * session's challenge for our origin (TokenProofService, as for certificates), its certificate
 * chains to an enabled trust anchor, is valid and unrevoked, and is of the `nhi-card` family;
 * the card number is the certificate's subject serialNumber.
 */
@Injectable()
export class DevelopmentCaNhiCardCheck implements NhiCardCheck {
  constructor(
    private readonly proofs: TokenProofService,
    private readonly trustStore: TrustStoreService,
  ) {}

  async check(presentation: NhiCardPresentation): Promise<NhiCardCheckResult> {
    const proof = await this.proofs.prove(presentation);
    if (!proof.ok) return { ok: false, code: proof.code };
    const result = await this.trustStore.validate(proof.der, { purpose: 'client-auth' });
    if (!result.valid) return { ok: false, code: 'card-invalid', detail: result.code };
    if (result.family !== 'nhi-card') return { ok: false, code: 'card-not-nhi', detail: result.family ?? undefined };
    const cardNumber = result.subject.serialNumber ?? '';
    if (!/^\d{12}$/.test(cardNumber)) return { ok: false, code: 'card-invalid', detail: 'no card number' };
    return { ok: true, cardNumber, credential: nhiCredential(cardNumber) };
  }
}
