import { resolve } from 'node:path';
import * as pkcs11js from 'pkcs11js';
import { call, TokenError } from './errors';
import { labelText, Pkcs11Session } from './session';

/** The token flags callers look at (CK_TOKEN_INFO.flags). */
export interface TokenFlags {
  tokenInitialized: boolean;
  userPinInitialized: boolean;
  loginRequired: boolean;
  writeProtected: boolean;
  protectedAuthenticationPath: boolean;
  userPinCountLow: boolean;
  userPinFinalTry: boolean;
  userPinLocked: boolean;
  userPinToBeChanged: boolean;
  soPinCountLow: boolean;
  soPinFinalTry: boolean;
  soPinLocked: boolean;
  soPinToBeChanged: boolean;
}

export interface TokenInfo {
  label: string;
  manufacturer: string;
  model: string;
  serial: string;
  flags: TokenFlags;
  /** CK_TOKEN_INFO.flags as returned. */
  rawFlags: number;
  minPinLength: number;
  maxPinLength: number;
}

export interface Slot {
  /** CK_SLOT_ID. Not stable across processes for SoftHSM2: identify tokens by label or serial. */
  id: number;
  handle: Buffer;
  description: string;
  /** Present when a token is in the slot (initialized or not). */
  token?: TokenInfo;
}

/** A slot holding an initialized token. */
export type TokenSlot = Slot & { token: TokenInfo };

export interface ModuleInfo {
  manufacturer: string;
  description: string;
  libraryVersion: string;
  cryptokiVersion: string;
}

/** CK_SLOT_INFO flag (PKCS#11 2.40 value), missing from pkcs11js's typings. */
const CKF_TOKEN_PRESENT = 0x00000001;

/** PKCS#11 labels are 32 bytes, blank-padded. */
export const TOKEN_LABEL_BYTES = 32;

function flagsOf(raw: number): TokenFlags {
  const has = (flag: number) => (raw & flag) !== 0;
  return {
    tokenInitialized: has(pkcs11js.CKF_TOKEN_INITIALIZED),
    userPinInitialized: has(pkcs11js.CKF_USER_PIN_INITIALIZED),
    loginRequired: has(pkcs11js.CKF_LOGIN_REQUIRED),
    writeProtected: has(pkcs11js.CKF_WRITE_PROTECTED),
    protectedAuthenticationPath: has(pkcs11js.CKF_PROTECTED_AUTHENTICATION_PATH),
    userPinCountLow: has(pkcs11js.CKF_USER_PIN_COUNT_LOW),
    userPinFinalTry: has(pkcs11js.CKF_USER_PIN_FINAL_TRY),
    userPinLocked: has(pkcs11js.CKF_USER_PIN_LOCKED),
    userPinToBeChanged: has(pkcs11js.CKF_USER_PIN_TO_BE_CHANGED),
    soPinCountLow: has(pkcs11js.CKF_SO_PIN_COUNT_LOW),
    soPinFinalTry: has(pkcs11js.CKF_SO_PIN_FINAL_TRY),
    soPinLocked: has(pkcs11js.CKF_SO_PIN_LOCKED),
    soPinToBeChanged: has(pkcs11js.CKF_SO_PIN_TO_BE_CHANGED),
  };
}

function slotId(handle: Buffer): number {
  if (handle.length >= 8) return Number(handle.readBigUInt64LE(0));
  return handle.readUInt32LE(0);
}

function version(v: pkcs11js.Version): string {
  return `${v.major}.${v.minor}`;
}

/** Checks that a label fits a PKCS#11 label field (1 to 32 bytes of UTF-8, no padding). */
export function assertTokenLabel(label: string): void {
  const bytes = Buffer.byteLength(label, 'utf8');
  if (bytes === 0 || bytes > TOKEN_LABEL_BYTES || label !== label.trim() || label.includes('\0')) {
    throw new TokenError('invalid-argument', 'assertTokenLabel', undefined, undefined, 'a token label is 1 to 32 bytes without surrounding blanks');
  }
}

const registry = new Map<string, Pkcs11Module>();

/**
 * One loaded PKCS#11 library. There is at most one per library path per process (the library's
 * state is process-wide): get it with `Pkcs11Module.open(path)`, which calls C_Initialize the
 * first time, and `close()` it (C_Finalize) when the process is done with it.
 */
export class Pkcs11Module {
  private openSessions = 0;
  private closed = false;
  /** Sessions kept open between uses (see keptSession), by their holder's key. */
  private readonly kept = new Map<string, Pkcs11Session>();

  private constructor(
    readonly libraryPath: string,
    private readonly p11: pkcs11js.PKCS11,
  ) {}

  /** The module for a library path, loaded and initialized on first use. */
  static open(libraryPath: string): Pkcs11Module {
    // A bare file name is left to the dynamic loader's search path.
    const path = libraryPath.includes('/') ? resolve(libraryPath) : libraryPath;
    const existing = registry.get(path);
    if (existing) return existing;
    const p11 = new pkcs11js.PKCS11();
    call('load', () => p11.load(path));
    initialize(p11);
    const module = new Pkcs11Module(path, p11);
    registry.set(path, module);
    return module;
  }

  info(): ModuleInfo {
    const info = call('C_GetInfo', () => this.p11.C_GetInfo());
    return {
      manufacturer: info.manufacturerID.trim(),
      description: info.libraryDescription.trim(),
      libraryVersion: version(info.libraryVersion),
      cryptokiVersion: version(info.cryptokiVersion),
    };
  }

  /** All slots, with the token info of those holding a token. */
  slots(): Slot[] {
    this.assertOpen();
    return call('C_GetSlotList', () => this.p11.C_GetSlotList(false)).map((handle) => {
      const info = call('C_GetSlotInfo', () => this.p11.C_GetSlotInfo(handle));
      const slot: Slot = { id: slotId(handle), handle, description: info.slotDescription.trim() };
      if (info.flags & CKF_TOKEN_PRESENT) slot.token = this.tokenInfo(handle);
      return slot;
    });
  }

  /** Slots holding an initialized token. */
  tokens(): TokenSlot[] {
    return this.slots().filter((slot): slot is TokenSlot => slot.token?.flags.tokenInitialized === true);
  }

  /** The initialized token with this label, if present. */
  findToken(label: string): TokenSlot | undefined {
    return this.tokens().find((slot) => slot.token.label === label);
  }

  /** A slot whose token is present but not initialized (SoftHSM2 always offers one). */
  freeSlot(): Slot | undefined {
    return this.slots().find((slot) => slot.token && !slot.token.flags.tokenInitialized);
  }

  /** Fresh token info for a slot. */
  tokenInfo(slotHandle: Buffer): TokenInfo {
    const info = call('C_GetTokenInfo', () => this.p11.C_GetTokenInfo(slotHandle));
    return {
      label: labelText(Buffer.from(info.label, 'utf8')),
      manufacturer: info.manufacturerID.trim(),
      model: info.model.trim(),
      serial: info.serialNumber.trim(),
      flags: flagsOf(info.flags),
      rawFlags: info.flags,
      minPinLength: info.minPinLen,
      maxPinLength: info.maxPinLen,
    };
  }

  /**
   * Initializes the token in a slot (C_InitToken) with an SO PIN and a label; any previous
   * content is erased. Returns the slot with its new token info. SoftHSM2 then offers a new
   * free slot.
   */
  initToken(slot: Slot, options: { soPin: string; label: string }): TokenSlot {
    assertTokenLabel(options.label);
    const padded = options.label + ' '.repeat(TOKEN_LABEL_BYTES - Buffer.byteLength(options.label, 'utf8'));
    call('C_InitToken', () => this.p11.C_InitToken(slot.handle, options.soPin, padded));
    return { ...slot, token: this.tokenInfo(slot.handle) };
  }

  /** Opens a session on a slot's token (read/write when `write`). Close it when done. */
  openSession(slot: Slot, options: { write?: boolean } = {}): Pkcs11Session {
    this.assertOpen();
    const flags = pkcs11js.CKF_SERIAL_SESSION | (options.write ? pkcs11js.CKF_RW_SESSION : 0);
    const handle = call('C_OpenSession', () => this.p11.C_OpenSession(slot.handle, flags));
    this.openSessions++;
    return new Pkcs11Session(this.p11, handle, () => {
      this.openSessions--;
    });
  }

  /** Runs `fn` with a session that is closed (and logged out) afterwards, whatever happens. */
  withSession<T>(slot: Slot, options: { write?: boolean }, fn: (session: Pkcs11Session) => T): T {
    const session = this.openSession(slot, options);
    try {
      return fn(session);
    } finally {
      session.close();
    }
  }

  /**
   * A session kept open between uses under `key`, made by `open` when there is none: for a
   * holder that signs often (the CA key's logged-in session), where opening a session and
   * logging in costs far more than the signature. Use it synchronously, never across an await.
   * Kept sessions are closed by `release`, and before `rescan` and `close`.
   */
  keptSession(key: string, open: (module: this) => Pkcs11Session): Pkcs11Session {
    this.assertOpen();
    let session = this.kept.get(key);
    if (!session) {
      session = open(this);
      this.kept.set(key, session);
    }
    return session;
  }

  /** Closes the kept session under `key` (all of them without a key). */
  release(key?: string): void {
    for (const [held, session] of [...this.kept]) {
      if (key !== undefined && held !== key) continue;
      this.kept.delete(held);
      try {
        session.close();
      } catch {
        // a session the module already dropped (device removed, token re-initialized) is gone anyway
      }
    }
  }

  /**
   * Re-reads the slot list from scratch (C_Finalize + C_Initialize), so that tokens created or
   * removed by other processes show up: SoftHSM2 (like some vendor modules) fixes its token list
   * at C_Initialize. Kept sessions are closed first (their holders open new ones); skipped,
   * returning false, while any other session of this module is open in this process, since
   * finalizing would close it.
   */
  rescan(): boolean {
    this.assertOpen();
    this.release();
    if (this.openSessions > 0) return false;
    call('C_Finalize', () => this.p11.C_Finalize());
    initialize(this.p11);
    return true;
  }

  /** Finalizes the library and forgets it; the next `open()` loads it again. */
  close(): void {
    if (this.closed) return;
    this.release();
    this.closed = true;
    registry.delete(this.libraryPath);
    try {
      call('C_Finalize', () => this.p11.C_Finalize());
    } finally {
      this.p11.close();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new TokenError('cryptoki-not-initialized', 'Pkcs11Module', undefined, undefined, 'the PKCS#11 module has been closed');
  }
}

/**
 * C_Initialize. CKR_CRYPTOKI_ALREADY_INITIALIZED means another instance of this library in the
 * process (e.g. one left behind by an earlier jest test file, whose module registry is gone)
 * initialized it: the library state is process-wide, so it is usable as is.
 */
function initialize(p11: pkcs11js.PKCS11): void {
  try {
    call('C_Initialize', () => p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK }));
  } catch (error) {
    if (!(error instanceof TokenError) || error.ckr !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw error;
  }
}

/** Closes every module this process opened (for shutdown and test teardown). */
export function closeAllPkcs11Modules(): void {
  for (const module of [...registry.values()]) module.close();
}
