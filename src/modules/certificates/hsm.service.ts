import { Inject, Injectable } from '@nestjs/common';
import { createHash, webcrypto } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import * as pkcs11js from 'pkcs11js';
import { ServiceUnavailableError } from '../../common/errors/domain-error';
import { PROJECT_ROOT } from '../../common/paths';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { x509 } from './validation/x509-runtime';
import { ecdsaSignatureDer, labelText, Pkcs11Module, Pkcs11Session, TokenError, type HashName, type TokenErrorKind, type TokenSlot } from '../../shared/pkcs11';

/** Curves of CA keys. The shared PKCS#11 layer generates P-256 keys (see HsmService.generateKey). */
export type HsmCurve = 'P-256';

/**
 * A private key that lives on the HSM, in the shape @peculiar/x509 expects of a CryptoKey: the
 * generators spread `algorithm` into the signature algorithm and hand the key back to
 * `crypto.subtle.sign`, which `HsmService.crypto` routes to PKCS#11. It holds only a label.
 */
export class HsmKey {
  readonly type = 'private';
  readonly extractable = false;
  readonly usages: KeyUsage[] = ['sign'];
  readonly algorithm: EcKeyAlgorithm;

  constructor(
    readonly label: string,
    namedCurve: HsmCurve = 'P-256',
  ) {
    this.algorithm = { name: 'ECDSA', namedCurve };
  }

  /** For the generators' `signingKey` parameter. */
  asCryptoKey(): CryptoKey {
    return this as unknown as CryptoKey;
  }
}

/**
 * The HSM is missing, locked or refuses: `message` is for administrators (never a PIN); pages
 * show the 503 page ('hsm-unavailable') and /readyz says why.
 */
export class HsmUnavailableError extends ServiceUnavailableError<'hsm-unavailable'> {
  constructor(detail: string) {
    super('hsm-unavailable', 'errors.unavailable.hsm');
    this.message = detail;
  }
}

/**
 * What a kept session can lose: the session (rescan, device reset), the login (another session of
 * this process logged the token out) and with it the handles of private objects. A new session
 * is opened, logged in, and the operation runs once more.
 */
const SESSION_LOST = new Set<TokenErrorKind>(['session-invalid', 'user-not-logged-in', 'handle-invalid', 'cryptoki-not-initialized']);

const SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

const HASHES: Record<string, HashName> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function hashOf(algorithm: AlgorithmIdentifier | EcdsaParams): HashName {
  const hash = typeof algorithm === 'object' && 'hash' in algorithm ? algorithm.hash : undefined;
  const name = typeof hash === 'string' ? hash : hash?.name;
  const mapped = name ? HASHES[name.toUpperCase()] : undefined;
  if (!mapped) throw new HsmUnavailableError(`unsupported hash for an HSM signature: ${String(name)}`);
  return mapped;
}

function bytes(data: BufferSource | Uint8Array): Buffer {
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * The CA keys behind PKCS#11: the token labelled HSM_TOKEN_LABEL in the module PKCS11_MODULE
 * (SoftHSM2 in development, the real HSM's library in production), logged in with HSM_PIN.
 * Keys are generated on the token and never leave it. One read/write session, logged in once,
 * is kept for every operation; each runs synchronously in it, so no two operations of this
 * process interleave in the session.
 *
 * `crypto` is a WebCrypto object for @peculiar/x509's generators (their 2nd argument): its
 * `subtle.sign` signs with the HSM when given an HsmKey and delegates everything else to Node.
 */
@Injectable()
export class HsmService {
  readonly crypto: Crypto;
  private loaded: Pkcs11Module | undefined;
  /** Private key handles found in a session, by label (valid while that session is open). */
  private readonly keyHandles = new WeakMap<Pkcs11Session, Map<string, Buffer>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const subtle = webcrypto.subtle;
    const sign = async (algorithm: AlgorithmIdentifier, key: CryptoKey | HsmKey, data: BufferSource): Promise<ArrayBuffer> => {
      if (key instanceof HsmKey) {
        const signature = this.sign(key, algorithm, data);
        return signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength) as ArrayBuffer;
      }
      return subtle.sign(algorithm, key as webcrypto.CryptoKey, data);
    };
    const routed = new Proxy(subtle, {
      get(target, property) {
        if (property === 'sign') return sign;
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    this.crypto = {
      subtle: routed,
      getRandomValues: <T extends ArrayBufferView | null>(array: T) => webcrypto.getRandomValues(array as never) as T,
      randomUUID: () => webcrypto.randomUUID(),
    } as unknown as Crypto;
  }

  /** The kept session's key: the token and the PIN (a service with another PIN must log in itself). */
  private get keptKey(): string {
    return `hsm:${this.tokenLabel}:${createHash('sha256').update(this.config.hsmPin).digest('hex').slice(0, 16)}`;
  }

  get tokenLabel(): string {
    return this.config.hsmTokenLabel;
  }

  /**
   * The loaded PKCS#11 module. SOFTHSM2_CONF, when relative, is taken from the project root
   * (SoftHSM2 reads it at C_Initialize, from this process's environment).
   */
  module(): Pkcs11Module {
    if (!this.loaded) {
      const conf = process.env.SOFTHSM2_CONF;
      if (conf && !isAbsolute(conf)) process.env.SOFTHSM2_CONF = resolve(PROJECT_ROOT, conf);
      try {
        this.loaded = Pkcs11Module.open(this.config.pkcs11Module);
      } catch (error) {
        throw new HsmUnavailableError(`cannot load the PKCS#11 module ${this.config.pkcs11Module}: ${(error as Error).message}`);
      }
    }
    return this.loaded;
  }

  /** The CA token's slot, if the token exists (re-reading the slot list once if needed). */
  findToken(): TokenSlot | undefined {
    const module = this.module();
    return module.findToken(this.tokenLabel) ?? (module.rescan() ? module.findToken(this.tokenLabel) : undefined);
  }

  /**
   * Creates the CA token when missing: C_InitToken on a free slot with HSM_SO_PIN, then the user
   * PIN HSM_PIN. Returns whether it was created.
   */
  ensureToken(): boolean {
    if (this.findToken()) return false;
    const module = this.module();
    const free = module.freeSlot();
    if (!free) throw new HsmUnavailableError('the HSM has no free slot to create the CA token in');
    const slot = module.initToken(free, { soPin: this.config.hsmSoPin, label: this.tokenLabel });
    module.withSession(slot, { write: true }, (session) => {
      session.login(this.config.hsmSoPin, 'so');
      session.initUserPin(this.config.hsmPin);
    });
    return true;
  }

  /**
   * The CA token's read/write session, logged in as its user: opened and logged in once, then
   * kept (an HSM login costs about 15 signatures). Re-opened after a rescan or when the module
   * reports the session or the login gone.
   */
  private caSession(): Pkcs11Session {
    return this.module().keptSession(this.keptKey, (module) => {
      const slot = this.findToken();
      if (!slot) throw new HsmUnavailableError(`the HSM token "${this.tokenLabel}" does not exist: run \`npm run cli -- pki dev-init\` (development) or check HSM_TOKEN_LABEL`);
      const session = module.openSession(slot, { write: true });
      try {
        session.login(this.config.hsmPin, 'user');
      } catch (error) {
        session.close();
        if (error instanceof TokenError && (error.kind === 'pin-incorrect' || error.kind === 'pin-locked')) {
          throw new HsmUnavailableError(`the HSM refused HSM_PIN for token "${this.tokenLabel}" (${error.kind})`);
        }
        throw error;
      }
      return session;
    });
  }

  /** Whether the CA token answers with a logged-in session; why not, for administrators (never a PIN). */
  health(): { ok: true } | { ok: false; reason: string } {
    try {
      this.withCaSession(() => undefined);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Runs `fn` in the CA token's logged-in session, once more in a new one if that session was lost. */
  private withCaSession<T>(fn: (session: Pkcs11Session) => T): T {
    try {
      return fn(this.caSession());
    } catch (error) {
      if (!(error instanceof TokenError) || !SESSION_LOST.has(error.kind)) throw error;
      this.module().release(this.keptKey);
      return fn(this.caSession());
    }
  }

  private privateKeyHandle(session: Pkcs11Session, label: string): Buffer | undefined {
    let handles = this.keyHandles.get(session);
    if (!handles) this.keyHandles.set(session, (handles = new Map()));
    let handle = handles.get(label);
    if (!handle) {
      handle = session.find([
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_LABEL, value: label },
      ])[0];
      if (handle) handles.set(label, handle);
    }
    return handle;
  }

  /** Generates a CA key pair on the token (private key sensitive, not extractable); returns the SPKI DER. */
  generateKey(label: string): Buffer {
    return this.withCaSession((session) => {
      if (this.privateKeyHandle(session, label)) throw new HsmUnavailableError(`a key labelled "${label}" already exists on the HSM`);
      return session.generateKeyPair({ keyType: 'ec-p256', label }).spki;
    });
  }

  /** Whether the token holds a private key with this label. */
  hasKey(label: string): boolean {
    return this.withCaSession((session) => this.privateKeyHandle(session, label) !== undefined);
  }

  /** The SPKI DER of the public key labelled `label`. */
  publicKey(label: string): Buffer {
    return this.withCaSession((session) => {
      const found = session.publicKeys().find((key) => key.label === label);
      if (!found) throw new HsmUnavailableError(`no public key labelled "${label}" on the HSM`);
      return found.spki;
    });
  }

  /** The key labelled `label` as a signing key for the x509 generators. */
  key(label: string): HsmKey {
    return new HsmKey(label);
  }

  /** ECDSA over `data` with the HSM key: the digest is computed here, CKM_ECDSA on the token, raw r||s out. */
  sign(key: HsmKey, algorithm: AlgorithmIdentifier, data: BufferSource | Uint8Array): Buffer {
    if (typeof algorithm === 'object' && algorithm.name !== 'ECDSA') {
      throw new HsmUnavailableError(`HSM keys sign with ECDSA, not ${algorithm.name}`);
    }
    const hash = hashOf(algorithm);
    return this.withCaSession((session) => {
      const handle = this.privateKeyHandle(session, key.label);
      if (!handle) throw new HsmUnavailableError(`no private key labelled "${key.label}" on the HSM token "${this.tokenLabel}"`);
      return session.sign(handle, { scheme: 'ecdsa', hash }, bytes(data));
    });
  }

  /** ECDSA with SHA-256 by the HSM key `label` over `data`, DER-encoded (as X.509, CRLs and OCSP carry it). */
  signDer(label: string, data: Uint8Array): Buffer {
    return ecdsaSignatureDer(this.sign(this.key(label), SIGNING_ALGORITHM, data));
  }

  /** A certificate signed by the HSM key `signingKeyLabel` (ECDSA with SHA-256). */
  createCertificate(signingKeyLabel: string, params: Omit<x509.X509CertificateCreateWithKeyParams, 'signingKey' | 'signingAlgorithm'>): Promise<x509.X509Certificate> {
    return x509.X509CertificateGenerator.create(
      { ...params, signingKey: this.key(signingKeyLabel).asCryptoKey(), signingAlgorithm: SIGNING_ALGORITHM },
      this.crypto,
    );
  }

  /** Labels of the private keys on the token (for diagnostics). */
  keyLabels(): string[] {
    return this.withCaSession((session) =>
      session.find([{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]).map((handle) => labelText(session.attributes(handle, [pkcs11js.CKA_LABEL])[0])),
    );
  }
}
