import { X509Certificate } from 'node:crypto';
import { certificateFields, Pkcs11Module, Pkcs11Session, StoredCertificate, TokenError, TokenSlot } from '../shared/pkcs11';
import {
  CARD_PIN_PATTERN,
  CARD_PUK_PATTERN,
  CARD_UNLOCK_PIN_PATTERN,
  HelperCardOpenRequest,
  HelperCertificateResponse,
  HelperCertificateSummary,
  HelperOkResponse,
  HelperPinChangeRequest,
  HelperPinUnlockRequest,
  HelperSignRequest,
  HelperStatusResponse,
  isAcceptableChallenge,
  READER_HELPER_APP_VERSION,
  READER_HELPER_VERSION,
  signedData,
  WEB_EID_ALGORITHMS,
  WEB_EID_FORMAT,
  WebEidAlgorithm,
  WebEidAuthToken,
} from '../shared/web-eid';
import { isOpened, loginHolder, markOpened, nhiCardNumber, readPinState, resetTries } from './card-profile';
import { cardErrorOf, HelperError } from './errors';

export interface CardReaderOptions {
  /** PKCS#11 library of the card (SoftHSM2 in development). */
  modulePath: string;
  /** Only tokens whose label starts with this are cards. */
  labelPrefix: string;
  /** The clock, for certificate validity (tests may move it). */
  now?: () => Date;
}

interface CardCertificate {
  stored: StoredCertificate;
  x509: X509Certificate;
  summary: HelperCertificateSummary;
}

const CURVE_ALGORITHM: Record<string, WebEidAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

function summarize(stored: StoredCertificate): CardCertificate | undefined {
  try {
    const x509 = new X509Certificate(stored.der);
    return {
      stored,
      x509,
      summary: {
        label: stored.label,
        subject: x509.subject.split('\n').join(', '),
        serialNumber: certificateFields(stored.der).serialNumberHex,
        notBefore: new Date(x509.validFrom).toISOString(),
        notAfter: new Date(x509.validTo).toISOString(),
      },
    };
  } catch {
    return undefined; // not a certificate we can read: as if absent
  }
}

/** The Web eID algorithm for the certificate's key. */
function algorithmOf(x509: X509Certificate): WebEidAlgorithm {
  const key = x509.publicKey;
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'rsa-pss') return 'PS256';
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const algorithm = curve ? CURVE_ALGORITHM[curve] : undefined;
  if (!algorithm) throw new HelperError('card-unreadable');
  return algorithm;
}

/**
 * The card operations behind the helper's endpoints. Every operation runs synchronously from
 * the rescan to the logout, so two requests never interleave on a token.
 */
export class CardReader {
  readonly module: Pkcs11Module;
  private readonly now: () => Date;

  constructor(private readonly options: CardReaderOptions) {
    this.module = Pkcs11Module.open(options.modulePath);
    this.now = options.now ?? (() => new Date());
  }

  status(): HelperStatusResponse {
    return this.guard(() => {
      const tokens = this.cards().map((slot) =>
        this.module.withSession(slot, {}, (session) => {
          const pin = readPinState(session, slot.token.flags);
          return {
            slot: slot.id,
            label: slot.token.label,
            serial: slot.token.serial,
            opened: isOpened(session),
            nhiCardNumber: nhiCardNumber(session),
            pinLocked: pin.locked,
            triesLeft: pin.triesLeft,
            certificates: this.readCertificates(session).map((certificate) => certificate.summary),
          };
        }),
      );
      return { version: READER_HELPER_VERSION, module: this.module.libraryPath, tokens };
    });
  }

  certificate(token?: string): HelperCertificateResponse {
    return this.guard(() => {
      const slot = this.card(token);
      const chosen = this.module.withSession(slot, {}, (session) => this.authCertificate(session));
      return {
        token: slot.token.label,
        certificate: chosen.stored.der.toString('base64'),
        issuer: chosen.x509.issuer.split('\n').join(', '),
        ...chosen.summary,
      };
    });
  }

  sign(request: HelperSignRequest): WebEidAuthToken {
    if (!isAcceptableChallenge(request.challenge)) throw new HelperError('bad-request', { message: 'the challenge must be base64 text of 44 to 256 characters' });
    return this.guard(() => {
      const slot = this.card(request.token);
      return this.module.withSession(slot, this.sessionOptions(slot), (session) => {
        // An NHI card has no PIN (its key signs without a login); every other card needs one.
        const nhi = nhiCardNumber(session) !== null;
        if (!nhi) requirePin(request.pin ?? '', CARD_PIN_PATTERN);
        if (!isOpened(session)) throw new HelperError('card-not-opened');
        const certificate = this.authCertificate(session);
        if (!this.validNow(certificate.x509)) throw new HelperError('certificate-not-valid-now');
        const algorithm = algorithmOf(certificate.x509);
        if (!nhi) loginHolder(session, () => this.module.tokenInfo(slot.handle).flags, request.pin ?? '');
        const key = session.privateKeyById(certificate.stored.id);
        if (!key) throw new HelperError('card-unreadable');
        const signature = session.sign(key, WEB_EID_ALGORITHMS[algorithm], signedData(request.origin, request.challenge, algorithm));
        return {
          format: WEB_EID_FORMAT,
          unverifiedCertificate: certificate.stored.der.toString('base64'),
          algorithm,
          signature: signature.toString('base64'),
          appVersion: READER_HELPER_APP_VERSION,
        };
      });
    });
  }

  changePin(request: HelperPinChangeRequest): HelperOkResponse {
    requirePin(request.oldPin, CARD_PIN_PATTERN);
    requirePin(request.newPin, CARD_PIN_PATTERN);
    return this.guard(() => {
      const slot = this.card(request.token);
      this.module.withSession(slot, this.sessionOptions(slot), (session) => {
        loginHolder(session, () => this.module.tokenInfo(slot.handle).flags, request.oldPin);
        session.setPin(request.oldPin, request.newPin);
      });
      return { ok: true, token: slot.token.label };
    });
  }

  unlockPin(request: HelperPinUnlockRequest): HelperOkResponse {
    requirePin(request.puk, CARD_PUK_PATTERN);
    requirePin(request.newPin, CARD_UNLOCK_PIN_PATTERN);
    return this.guard(() => {
      const slot = this.card(request.token);
      this.module.withSession(slot, this.sessionOptions(slot), (session) => {
        session.login(request.puk, 'so');
        session.initUserPin(request.newPin);
        session.logout();
        resetTries(session);
      });
      return { ok: true, token: slot.token.label };
    });
  }

  openCard(request: HelperCardOpenRequest): HelperOkResponse {
    requirePin(request.pin, CARD_PIN_PATTERN);
    return this.guard(() => {
      const slot = this.card(request.token);
      this.module.withSession(slot, this.sessionOptions(slot), (session) => {
        loginHolder(session, () => this.module.tokenInfo(slot.handle).flags, request.pin);
        markOpened(session);
      });
      return { ok: true, token: slot.token.label };
    });
  }

  /** Runs a card operation, turning PKCS#11 failures into the card errors users know. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof TokenError) throw cardErrorOf(error);
      throw error;
    }
  }

  /** The cards in the reader (tokens with the label prefix), after a fresh look at the slots. */
  private cards(): TokenSlot[] {
    this.module.rescan();
    return this.module.tokens().filter((slot) => slot.token.label.startsWith(this.options.labelPrefix));
  }

  /**
   * The card to use: the one labelled `label`, or the only card present. Two or more cards and
   * no label is 9056 too (the seed's cause 6: "two or more readers, remove the others").
   */
  private card(label?: string): TokenSlot {
    const cards = this.cards();
    if (label !== undefined) {
      const card = cards.find((slot) => slot.token.label === label);
      if (!card) throw new HelperError('card-not-present');
      return card;
    }
    if (cards.length !== 1) {
      throw new HelperError('card-not-present', cards.length > 1 ? { message: 'More than one card is present: choose one' } : {});
    }
    return cards[0];
  }

  private sessionOptions(slot: TokenSlot): { write: boolean } {
    return { write: !slot.token.flags.writeProtected };
  }

  private readCertificates(session: Pkcs11Session): CardCertificate[] {
    return session.certificates().flatMap((stored) => summarize(stored) ?? []);
  }

  /** The card's authentication certificate: a valid one if any (latest expiry first). */
  private authCertificate(session: Pkcs11Session): CardCertificate {
    const certificates = this.readCertificates(session).sort((a, b) => b.summary.notAfter.localeCompare(a.summary.notAfter));
    const chosen = certificates.find((certificate) => this.validNow(certificate.x509)) ?? certificates[0];
    if (!chosen) throw new HelperError('card-unreadable');
    return chosen;
  }

  private validNow(x509: X509Certificate): boolean {
    const now = this.now().getTime();
    return new Date(x509.validFrom).getTime() <= now && now <= new Date(x509.validTo).getTime();
  }
}

function requirePin(value: string, pattern: RegExp): void {
  if (!pattern.test(value)) throw new HelperError('pin-length');
}
