import { randomInt } from 'node:crypto';
import { CARD_PIN_PATTERN, CARD_PUK_PATTERN } from '../web-eid';
import { certificateFields } from './der';
import { TokenError } from './errors';
import { KeyType } from './keys';
import { Pkcs11Module } from './module';
import type { Pkcs11Session } from './session';

/**
 * The development card profile: a SoftHSM2 token that behaves like a smart card. Real cards
 * count wrong PINs and lock themselves; SoftHSM2 never does, so a development card carries two
 * public CKO_DATA objects of this application that the reader helper keeps
 * (src/reader-helper/card-profile.ts holds the rules):
 * - `pin-tries`: the PIN tries left, ASCII decimal, 0 to `maxPinTries`;
 * - `card-opened`: '1' once the holder opened the card (開卡), '0' before.
 * Both are public (CKA_PRIVATE false) so the helper reads them, and replaces them (see
 * Pkcs11Session.writeData), in a read/write session without any login: a wrong PIN can be
 * counted although the login failed.
 */
export const DEVELOPMENT_CARD_PROFILE = {
  application: 'nhi-development-card',
  triesLabel: 'pin-tries',
  openedLabel: 'card-opened',
  maxPinTries: 3,
  keyLabel: 'authentication',
  certificateLabel: 'authentication',
  /** NHI cards: `card-kind` says 'nhi', `card-number` holds the 12-digit card number (both public). */
  kindLabel: 'card-kind',
  cardNumberLabel: 'card-number',
} as const;

export const NHI_CARD_NUMBER_PATTERN = /^\d{12}$/;

export interface CreateDevelopmentCardOptions {
  /** PKCS#11 library path, or a module already open. */
  module: string | Pkcs11Module;
  /** Token label; the reader helper shows only labels with its prefix ('card-' by default). */
  label: string;
  /** Initial user PIN: 6 to 8 digits. */
  pin: string;
  /** SO PIN, which the card services call the PUK: 6 to 16 letters or digits. */
  soPin: string;
  keyType: KeyType;
  /** Whether the card starts opened; an unopened card makes the helper answer 9046. */
  opened: boolean;
}

export interface DevelopmentCard {
  /** CK_SLOT_ID in this process (informative only). */
  slot: number;
  label: string;
  /** Token serial number (CK_TOKEN_INFO.serialNumber). */
  serial: string;
  /** CKA_ID of the key pair, hex. */
  keyId: string;
  /** The card key's public key, SubjectPublicKeyInfo DER: give it to the CA. */
  spki: Buffer;
}

function moduleOf(module: string | Pkcs11Module): Pkcs11Module {
  return typeof module === 'string' ? Pkcs11Module.open(module) : module;
}

function invalid(operation: string, message: string): TokenError {
  return new TokenError('invalid-argument', operation, undefined, undefined, message);
}

/** A new token labelled `label` on a free slot, initialized with the SO PIN (PUK). */
function initCardToken(operation: string, moduleOrPath: string | Pkcs11Module, label: string, soPin: string) {
  const module = moduleOf(moduleOrPath);
  module.rescan();
  if (module.findToken(label)) throw invalid(operation, `a token labelled "${label}" already exists`);
  const free = module.freeSlot();
  if (!free) throw new TokenError('token-not-found', operation, undefined, undefined, 'no free slot to initialize a token in');
  return { module, slot: module.initToken(free, { soPin, label }) };
}

/** Sets the user PIN as the SO and logs the user in with it (to generate the card's keys). */
function loginWithNewUserPin(session: Pkcs11Session, soPin: string, pin: string): void {
  session.login(soPin, 'so');
  session.initUserPin(pin);
  session.logout();
  session.login(pin, 'user');
}

/**
 * Creates a development card: initializes a token on a free slot with the SO PIN (PUK), sets
 * the user PIN, generates the key pair on the token (private key sensitive, not extractable,
 * sign only) and writes the profile objects (3 tries left, opened or not). The certificate comes
 * later: have the CA issue one for `spki`, then call writeCardCertificate.
 */
export function createDevelopmentCard(options: CreateDevelopmentCardOptions): DevelopmentCard {
  const operation = 'createDevelopmentCard';
  if (!CARD_PIN_PATTERN.test(options.pin)) throw invalid(operation, 'the PIN must be 6 to 8 digits');
  if (!CARD_PUK_PATTERN.test(options.soPin)) throw invalid(operation, 'the PUK (SO PIN) must be 6 to 16 letters or digits');
  const profile = DEVELOPMENT_CARD_PROFILE;
  const { module, slot } = initCardToken(operation, options.module, options.label, options.soPin);
  const spkiAndId = module.withSession(slot, { write: true }, (session) => {
    loginWithNewUserPin(session, options.soPin, options.pin);
    const pair = session.generateKeyPair({ keyType: options.keyType, label: profile.keyLabel });
    session.writeData({ application: profile.application, label: profile.triesLabel, value: Buffer.from(String(profile.maxPinTries)) });
    session.writeData({ application: profile.application, label: profile.openedLabel, value: Buffer.from(options.opened ? '1' : '0') });
    return { spki: pair.spki, keyId: pair.id.toString('hex') };
  });
  return { slot: slot.id, label: slot.token.label, serial: slot.token.serial, ...spkiAndId };
}

export interface CreateNhiDevelopmentCardOptions {
  module: string | Pkcs11Module;
  label: string;
  /** The 12-digit NHI card number, printed on the card and readable without a login. */
  cardNumber: string;
  /** SO PIN: the issuer's, to write the certificate later (the holder never uses it). */
  soPin: string;
  keyType: KeyType;
}

/**
 * A development NHI card (健保卡): a token whose key pair is generated on it and usable without a
 * PIN (the NHI card has none: the registered password is the second factor), and public
 * `card-kind` = 'nhi' and `card-number` objects the reader helper reads. The user PIN SoftHSM2
 * needs to generate keys is random and forgotten at once. No try counter, always opened.
 */
export function createNhiDevelopmentCard(options: CreateNhiDevelopmentCardOptions): DevelopmentCard {
  const operation = 'createNhiDevelopmentCard';
  if (!NHI_CARD_NUMBER_PATTERN.test(options.cardNumber)) throw invalid(operation, 'the NHI card number must be 12 digits');
  if (!CARD_PUK_PATTERN.test(options.soPin)) throw invalid(operation, 'the SO PIN must be 6 to 16 letters or digits');
  const profile = DEVELOPMENT_CARD_PROFILE;
  const { module, slot } = initCardToken(operation, options.module, options.label, options.soPin);
  const spkiAndId = module.withSession(slot, { write: true }, (session) => {
    loginWithNewUserPin(session, options.soPin, String(randomInt(10_000_000, 100_000_000)));
    const pair = session.generateKeyPair({ keyType: options.keyType, label: profile.keyLabel, private: false });
    session.writeData({ application: profile.application, label: profile.kindLabel, value: Buffer.from('nhi') });
    session.writeData({ application: profile.application, label: profile.cardNumberLabel, value: Buffer.from(options.cardNumber) });
    return { spki: pair.spki, keyId: pair.id.toString('hex') };
  });
  return { slot: slot.id, label: slot.token.label, serial: slot.token.serial, ...spkiAndId };
}

export interface WriteCardCertificateOptions {
  module: string | Pkcs11Module;
  /** The card's token label. */
  label: string;
  /** The card's SO PIN (PUK): writing the certificate is the issuer's act, not the holder's. */
  soPin: string;
  /** The certificate, DER. Its public key must be the card's key. */
  certificate: Buffer;
  /** CKA_LABEL of the certificate object. */
  certificateLabel?: string;
}

export interface WrittenCertificate {
  /** CKA_ID of the key pair the certificate was written beside, hex. */
  keyId: string;
  /** The certificate's serial number, upper-case hex without a sign octet. */
  serialNumber: string;
  certificateLabel: string;
}

/**
 * Writes an issued certificate onto a card, beside the key pair whose public key it certifies
 * (same CKA_ID). Certificates previously stored for that key are replaced (renewal).
 */
export function writeCardCertificate(options: WriteCardCertificateOptions): WrittenCertificate {
  const operation = 'writeCardCertificate';
  const fields = certificateFields(options.certificate);
  const certificateLabel = options.certificateLabel ?? DEVELOPMENT_CARD_PROFILE.certificateLabel;
  const module = moduleOf(options.module);
  module.rescan();
  const slot = module.findToken(options.label);
  if (!slot) throw new TokenError('token-not-found', operation, undefined, undefined, `no token labelled "${options.label}"`);
  return module.withSession(slot, { write: true }, (session) => {
    session.login(options.soPin, 'so');
    const key = session.publicKeys().find((candidate) => candidate.spki.equals(fields.subjectPublicKeyInfo));
    if (!key) throw new TokenError('object-not-found', operation, undefined, undefined, "no key on the card matches the certificate's public key");
    for (const old of session.certificates().filter((certificate) => certificate.id.equals(key.id))) session.destroy(old.handle);
    session.createCertificate({ der: options.certificate, id: key.id, label: certificateLabel });
    return { keyId: key.id.toString('hex'), serialNumber: fields.serialNumberHex, certificateLabel };
  });
}
