import { DEVELOPMENT_CARD_PROFILE, NHI_CARD_NUMBER_PATTERN, Pkcs11Session, TokenError, TokenFlags } from '../shared/pkcs11';
import { HelperError } from './errors';

/**
 * "Behave like a card": the rules of the development card profile, in one place.
 *
 * A real card counts wrong PINs itself and answers CKR_PIN_LOCKED once they are used up; its
 * module reports the state in the token flags (CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED).
 * SoftHSM2 never locks, so a development card (see DEVELOPMENT_CARD_PROFILE) carries a public
 * `pin-tries` data object that the helper keeps instead:
 * - 0 tries left: refused with 9043 without calling C_Login at all;
 * - a wrong PIN: one try less (written without any login, the object being public); reaching 0
 *   answers 9043, otherwise 9039 with the tries left;
 * - a correct PIN, or an unlock with the PUK: back to 3.
 * A card without that object is a real card: its module's own answers and flags are used, by the
 * same code path. The `card-opened` object, when present, must say '1' before the card may sign
 * (9046 otherwise); a card without it counts as opened.
 */

const PROFILE = DEVELOPMENT_CARD_PROFILE;

export interface PinState {
  /** Tries left, or null when the card does not say. */
  triesLeft: number | null;
  locked: boolean;
  /** Whether the card carries the development profile's try counter. */
  profile: boolean;
}

function parseTries(value: Buffer): number {
  const text = value.toString('ascii');
  const tries = /^\d+$/.test(text) ? Number(text) : 0; // unreadable counts as used up
  return Math.min(Math.max(tries, 0), PROFILE.maxPinTries);
}

/** The PIN state of the card in `session` (no login needed). */
export function readPinState(session: Pkcs11Session, flags: TokenFlags): PinState {
  const counters = session.dataObjects(PROFILE.application, PROFILE.triesLabel);
  if (counters.length === 0) {
    const locked = flags.userPinLocked;
    return { triesLeft: locked ? 0 : flags.userPinFinalTry ? 1 : null, locked, profile: false };
  }
  // Two counters exist only if a write was interrupted: the lower one is the safe reading.
  const triesLeft = Math.min(...counters.map((counter) => parseTries(counter.value)));
  return { triesLeft, locked: triesLeft === 0 || flags.userPinLocked, profile: true };
}

function writeTries(session: Pkcs11Session, tries: number): void {
  session.writeData({ application: PROFILE.application, label: PROFILE.triesLabel, value: Buffer.from(String(tries)) });
}

/** Whether the holder has opened the card (cards without the profile object count as opened). */
export function isOpened(session: Pkcs11Session): boolean {
  return session.dataObjects(PROFILE.application, PROFILE.openedLabel).every((flag) => flag.value.toString('ascii') === '1');
}

/**
 * The NHI card number when the card is an NHI card (健保卡: `card-kind` 'nhi' and a 12-digit
 * `card-number`), else null. An NHI card has no PIN: its key signs without a login.
 */
export function nhiCardNumber(session: Pkcs11Session): string | null {
  const kind = session.dataObjects(PROFILE.application, PROFILE.kindLabel);
  if (!kind.some((object) => object.value.toString('ascii') === 'nhi')) return null;
  const number = session.dataObjects(PROFILE.application, PROFILE.cardNumberLabel).map((object) => object.value.toString('ascii'));
  return number.length === 1 && NHI_CARD_NUMBER_PATTERN.test(number[0]) ? number[0] : null;
}

/** Marks a development card opened (a real card has no flag to set). */
export function markOpened(session: Pkcs11Session): void {
  if (session.dataObjects(PROFILE.application, PROFILE.openedLabel).length === 0) return;
  session.writeData({ application: PROFILE.application, label: PROFILE.openedLabel, value: Buffer.from('1') });
}

/**
 * Logs the holder in with `pin`, keeping the try counter. Throws HelperError: 9043 when the PIN
 * is (or becomes) locked, 9039 with the tries left after a wrong PIN. `currentFlags` re-reads
 * the token flags (a real card updates them after a wrong PIN).
 */
export function loginHolder(session: Pkcs11Session, currentFlags: () => TokenFlags, pin: string): void {
  const before = readPinState(session, currentFlags());
  if (before.locked) throw new HelperError('pin-locked', { triesLeft: 0 });
  try {
    session.login(pin, 'user');
  } catch (error) {
    if (!(error instanceof TokenError) || error.kind !== 'pin-incorrect') throw error;
    let after: PinState;
    if (before.profile) {
      const triesLeft = Math.max((before.triesLeft ?? PROFILE.maxPinTries) - 1, 0);
      writeTries(session, triesLeft);
      after = { triesLeft, locked: triesLeft === 0, profile: true };
    } else {
      after = readPinState(session, currentFlags());
    }
    if (after.locked) throw new HelperError('pin-locked', { triesLeft: 0 });
    throw new HelperError('pin-incorrect', after.triesLeft === null ? {} : { triesLeft: after.triesLeft });
  }
  if (before.profile && before.triesLeft !== PROFILE.maxPinTries) writeTries(session, PROFILE.maxPinTries);
}

/** After an unlock with the PUK: the counter starts again at 3 (development cards). */
export function resetTries(session: Pkcs11Session): void {
  if (session.dataObjects(PROFILE.application, PROFILE.triesLabel).length > 0) writeTries(session, PROFILE.maxPinTries);
}
