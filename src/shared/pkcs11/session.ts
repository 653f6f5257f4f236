import { createHash, randomBytes } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import { certificateFields } from './der';
import { call, TokenError } from './errors';
import { ecParams, ecSpki, HASH_LENGTH, HashName, KeyType, rsaSpki, SignatureScheme } from './keys';

export type UserType = 'user' | 'so';

/** A key pair generated on the token. */
export interface GeneratedKeyPair {
  /** CKA_ID shared by the private key, the public key and (later) the certificate. */
  id: Buffer;
  label: string;
  privateKey: Buffer;
  publicKey: Buffer;
  /** The public key as SubjectPublicKeyInfo DER. */
  spki: Buffer;
}

/** A public key object on the token. */
export interface StoredPublicKey {
  handle: Buffer;
  id: Buffer;
  label: string;
  spki: Buffer;
}

/** An X.509 certificate object on the token. */
export interface StoredCertificate {
  handle: Buffer;
  id: Buffer;
  label: string;
  /** CKA_VALUE: the certificate, DER. */
  der: Buffer;
}

/** A CKO_DATA object. */
export interface StoredData {
  handle: Buffer;
  application: string;
  label: string;
  value: Buffer;
}

const SIGNATURE_BUFFER = 1024;
const FIND_BATCH = 32;

const RSA_MECHANISM: Record<'rsa-pkcs1' | 'rsa-pss', Record<HashName, number>> = {
  'rsa-pkcs1': { sha256: pkcs11js.CKM_SHA256_RSA_PKCS, sha384: pkcs11js.CKM_SHA384_RSA_PKCS, sha512: pkcs11js.CKM_SHA512_RSA_PKCS },
  'rsa-pss': { sha256: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, sha384: pkcs11js.CKM_SHA384_RSA_PKCS_PSS, sha512: pkcs11js.CKM_SHA512_RSA_PKCS_PSS },
};
const PSS_HASH: Record<HashName, { hashAlg: number; mgf: number }> = {
  sha256: { hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256 },
  sha384: { hashAlg: pkcs11js.CKM_SHA384, mgf: pkcs11js.CKG_MGF1_SHA384 },
  sha512: { hashAlg: pkcs11js.CKM_SHA512, mgf: pkcs11js.CKG_MGF1_SHA512 },
};

/** CKA_LABEL / CKA_APPLICATION as text (modules pad with NULs or blanks). */
export function labelText(value: Buffer): string {
  return value.toString('utf8').replace(/[\s\0]+$/, '');
}

/**
 * One PKCS#11 session on a token. Sessions are short-lived: open, use, close (the module keeps
 * count so that a rescan never pulls a session out from under its user).
 */
export class Pkcs11Session {
  private loggedInAs: UserType | undefined;
  private closed = false;

  constructor(
    private readonly p11: pkcs11js.PKCS11,
    readonly handle: Buffer,
    private readonly onClose: () => void,
  ) {}

  get loggedIn(): UserType | undefined {
    return this.loggedInAs;
  }

  /**
   * Logs in. The PIN is passed to the module and nowhere else. If the token is already logged
   * in (another session of this process), it is logged out first so that the PIN is really
   * checked.
   */
  login(pin: string, as: UserType = 'user'): void {
    const userType = as === 'so' ? pkcs11js.CKU_SO : pkcs11js.CKU_USER;
    try {
      call('C_Login', () => this.p11.C_Login(this.handle, userType, pin));
    } catch (error) {
      if (!(error instanceof TokenError) || error.kind !== 'user-already-logged-in') throw error;
      call('C_Logout', () => this.p11.C_Logout(this.handle));
      call('C_Login', () => this.p11.C_Login(this.handle, userType, pin));
    }
    this.loggedInAs = as;
  }

  /** Logs out; a token that is not logged in is fine. */
  logout(): void {
    try {
      call('C_Logout', () => this.p11.C_Logout(this.handle));
    } catch (error) {
      if (!(error instanceof TokenError) || error.kind !== 'user-not-logged-in') throw error;
    }
    this.loggedInAs = undefined;
  }

  /** Logs out (if logged in) and closes the session. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.loggedInAs) this.logout();
    } catch {
      // closing the session ends the login anyway
    }
    try {
      call('C_CloseSession', () => this.p11.C_CloseSession(this.handle));
    } finally {
      this.onClose();
    }
  }

  /** Sets the user PIN (C_InitPIN); the session must be logged in as SO. Unblocks a locked PIN. */
  initUserPin(newPin: string): void {
    call('C_InitPIN', () => this.p11.C_InitPIN(this.handle, newPin));
  }

  /**
   * Changes the PIN of the logged-in user (or, in a read/write session that is not logged in,
   * the user PIN, checked against `oldPin`).
   */
  setPin(oldPin: string, newPin: string): void {
    call('C_SetPIN', () => this.p11.C_SetPIN(this.handle, oldPin, newPin));
  }

  /** Handles of the objects matching a template. */
  find(template: pkcs11js.Template): Buffer[] {
    const found: Buffer[] = [];
    call('C_FindObjectsInit', () => this.p11.C_FindObjectsInit(this.handle, template));
    try {
      for (;;) {
        const batch = call('C_FindObjects', () => this.p11.C_FindObjects(this.handle, FIND_BATCH));
        found.push(...batch);
        if (batch.length < FIND_BATCH) break;
      }
    } finally {
      call('C_FindObjectsFinal', () => this.p11.C_FindObjectsFinal(this.handle));
    }
    return found;
  }

  /** Attribute values of an object, in the order asked. */
  attributes(object: Buffer, types: number[]): Buffer[] {
    const result = call('C_GetAttributeValue', () =>
      this.p11.C_GetAttributeValue(this.handle, object, types.map((type) => ({ type }))),
    );
    return types.map((type) => result.find((attribute) => attribute.type === type)?.value ?? Buffer.alloc(0));
  }

  /** Destroys an object. */
  destroy(object: Buffer): void {
    call('C_DestroyObject', () => this.p11.C_DestroyObject(this.handle, object));
  }

  /**
   * Generates a key pair on the token (the session must be logged in as user). The private key
   * is sensitive, never extractable and may only sign; the public key object is public.
   */
  /**
   * `private: false` makes a private key usable without a login (still sensitive, never
   * extractable): an NHI card's key, which has no PIN.
   */
  generateKeyPair(options: { keyType: KeyType; label: string; id?: Buffer; private?: boolean }): GeneratedKeyPair {
    const id = options.id ?? randomBytes(16);
    const common = [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_ID, value: id },
      { type: pkcs11js.CKA_LABEL, value: options.label },
    ];
    const publicTemplate: pkcs11js.Template = [...common, { type: pkcs11js.CKA_PRIVATE, value: false }, { type: pkcs11js.CKA_VERIFY, value: true }];
    const privateTemplate: pkcs11js.Template = [
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: options.private ?? true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: false },
      { type: pkcs11js.CKA_DERIVE, value: false },
    ];
    let mechanism: pkcs11js.Mechanism;
    if (options.keyType === 'ec-p256' || options.keyType === 'ec-p384') {
      mechanism = { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN };
      publicTemplate.push({ type: pkcs11js.CKA_EC_PARAMS, value: ecParams(options.keyType === 'ec-p256' ? 'P-256' : 'P-384') });
    } else {
      mechanism = { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN };
      publicTemplate.push(
        { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([0x01, 0x00, 0x01]) },
      );
    }
    const pair = call('C_GenerateKeyPair', () => this.p11.C_GenerateKeyPair(this.handle, mechanism, publicTemplate, privateTemplate));
    return { id, label: options.label, privateKey: pair.privateKey, publicKey: pair.publicKey, spki: this.publicKeySpki(pair.publicKey) };
  }

  /** The SubjectPublicKeyInfo (DER) of a public key object. */
  publicKeySpki(publicKey: Buffer): Buffer {
    const [keyType] = this.attributes(publicKey, [pkcs11js.CKA_KEY_TYPE]);
    const type = keyType.length >= 4 ? keyType.readUInt32LE(0) : -1;
    if (type === pkcs11js.CKK_EC) {
      const [params, point] = this.attributes(publicKey, [pkcs11js.CKA_EC_PARAMS, pkcs11js.CKA_EC_POINT]);
      return ecSpki(params, point);
    }
    if (type === pkcs11js.CKK_RSA) {
      const [modulus, exponent] = this.attributes(publicKey, [pkcs11js.CKA_MODULUS, pkcs11js.CKA_PUBLIC_EXPONENT]);
      return rsaSpki(modulus, exponent);
    }
    throw new TokenError('other', 'publicKeySpki', undefined, undefined, 'unsupported public key type');
  }

  /** The public key objects visible in this session. */
  publicKeys(): StoredPublicKey[] {
    return this.find([{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }]).map((handle) => {
      const [id, label] = this.attributes(handle, [pkcs11js.CKA_ID, pkcs11js.CKA_LABEL]);
      return { handle, id, label: labelText(label), spki: this.publicKeySpki(handle) };
    });
  }

  /** The private key with this CKA_ID (needs a user login on most tokens). */
  privateKeyById(id: Buffer): Buffer | undefined {
    return this.find([
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_ID, value: id },
    ])[0];
  }

  /**
   * Signs `data` with a private key. ECDSA: the digest is computed here and signed with
   * CKM_ECDSA; the result is the raw r||s the token returns (as WebCrypto and Web eID expect).
   * RSA: CKM_SHAxxx_RSA_PKCS or CKM_SHAxxx_RSA_PKCS_PSS (MGF1 with the same hash, salt = hash
   * length), hashing on the token.
   */
  sign(privateKey: Buffer, scheme: SignatureScheme, data: Buffer): Buffer {
    let mechanism: pkcs11js.Mechanism;
    let input = data;
    if (scheme.scheme === 'ecdsa') {
      mechanism = { mechanism: pkcs11js.CKM_ECDSA };
      input = createHash(scheme.hash).update(data).digest();
    } else if (scheme.scheme === 'rsa-pss') {
      const parameter: pkcs11js.RsaPSS = { type: pkcs11js.CK_PARAMS_RSA_PSS, ...PSS_HASH[scheme.hash], saltLen: HASH_LENGTH[scheme.hash] };
      mechanism = { mechanism: RSA_MECHANISM['rsa-pss'][scheme.hash], parameter };
    } else {
      mechanism = { mechanism: RSA_MECHANISM['rsa-pkcs1'][scheme.hash] };
    }
    call('C_SignInit', () => this.p11.C_SignInit(this.handle, mechanism, privateKey));
    return Buffer.from(call('C_Sign', () => this.p11.C_Sign(this.handle, input, Buffer.alloc(SIGNATURE_BUFFER))));
  }

  /** Stores an X.509 certificate as a public token object (CKA_SUBJECT etc. taken from it). */
  createCertificate(options: { der: Buffer; id: Buffer; label: string }): Buffer {
    const fields = certificateFields(options.der);
    return call('C_CreateObject', () =>
      this.p11.C_CreateObject(this.handle, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: false },
        { type: pkcs11js.CKA_ID, value: options.id },
        { type: pkcs11js.CKA_LABEL, value: options.label },
        { type: pkcs11js.CKA_SUBJECT, value: fields.subject },
        { type: pkcs11js.CKA_ISSUER, value: fields.issuer },
        { type: pkcs11js.CKA_SERIAL_NUMBER, value: fields.serialNumber },
        { type: pkcs11js.CKA_VALUE, value: options.der },
      ]),
    );
  }

  /** The X.509 certificate objects visible in this session. */
  certificates(): StoredCertificate[] {
    return this.find([
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
    ]).map((handle) => {
      const [id, label, der] = this.attributes(handle, [pkcs11js.CKA_ID, pkcs11js.CKA_LABEL, pkcs11js.CKA_VALUE]);
      return { handle, id, label: labelText(label), der };
    });
  }

  /** CKO_DATA objects of an application (optionally with one label). */
  dataObjects(application: string, label?: string): StoredData[] {
    const template: pkcs11js.Template = [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
      { type: pkcs11js.CKA_APPLICATION, value: application },
    ];
    if (label !== undefined) template.push({ type: pkcs11js.CKA_LABEL, value: label });
    return this.find(template).map((handle) => {
      const [app, objectLabel, value] = this.attributes(handle, [pkcs11js.CKA_APPLICATION, pkcs11js.CKA_LABEL, pkcs11js.CKA_VALUE]);
      return { handle, application: labelText(app), label: labelText(objectLabel), value };
    });
  }

  /**
   * Creates a CKO_DATA token object. A public one (the default) can be read, and replaced, in a
   * read/write session without any login.
   */
  createData(options: { application: string; label: string; value: Buffer; private?: boolean }): Buffer {
    return call('C_CreateObject', () =>
      this.p11.C_CreateObject(this.handle, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: options.private ?? false },
        { type: pkcs11js.CKA_MODIFIABLE, value: true },
        { type: pkcs11js.CKA_APPLICATION, value: options.application },
        { type: pkcs11js.CKA_LABEL, value: options.label },
        { type: pkcs11js.CKA_VALUE, value: options.value },
      ]),
    );
  }

  /**
   * Writes a CKO_DATA object's value. SoftHSM2 (following its reading of PKCS#11) refuses
   * C_SetAttributeValue on a data object's CKA_VALUE even when CKA_MODIFIABLE is true, so the
   * write creates the new object first and then destroys the older ones: a crash in between
   * leaves two objects, never none, and readers take the one that is safest for them.
   */
  writeData(options: { application: string; label: string; value: Buffer; private?: boolean }): void {
    const older = this.dataObjects(options.application, options.label);
    this.createData(options);
    for (const object of older) this.destroy(object.handle);
  }
}
