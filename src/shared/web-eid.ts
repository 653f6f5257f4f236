/**
 * The contract between the reader helper (src/reader-helper, on the user's PC), the pages that
 * call it and the server that checks what it returns: the Web eID authentication token, the
 * value the card signs, the helper's error codes and its HTTP API. Shared by both sides; Node
 * built-ins only.
 *
 * Token format: Web eID (web-eid.eu) "web-eid:1.0". The card signs
 *   hash(origin) || hash(challenge)
 * with the hash of the token's algorithm (SHA-256 for ES256/RS256/PS256, SHA-384 for *384, SHA-512
 * for *512), origin and challenge taken as the UTF-8 bytes of their text (the challenge is hashed
 * as the base64 string the server issued, not decoded), as the Web eID validators do
 * (web-eid-authtoken-validation-java, AuthTokenSignatureValidator).
 */
import { createHash } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// The authentication token
// ---------------------------------------------------------------------------------------------

export const WEB_EID_FORMAT = 'web-eid:1.0';

export const WEB_EID_ALGORITHMS = {
  ES256: { scheme: 'ecdsa', hash: 'sha256' },
  ES384: { scheme: 'ecdsa', hash: 'sha384' },
  ES512: { scheme: 'ecdsa', hash: 'sha512' },
  RS256: { scheme: 'rsa-pkcs1', hash: 'sha256' },
  RS384: { scheme: 'rsa-pkcs1', hash: 'sha384' },
  RS512: { scheme: 'rsa-pkcs1', hash: 'sha512' },
  PS256: { scheme: 'rsa-pss', hash: 'sha256' },
  PS384: { scheme: 'rsa-pss', hash: 'sha384' },
  PS512: { scheme: 'rsa-pss', hash: 'sha512' },
} as const satisfies Record<string, { scheme: 'ecdsa' | 'rsa-pkcs1' | 'rsa-pss'; hash: 'sha256' | 'sha384' | 'sha512' }>;

export type WebEidAlgorithm = keyof typeof WEB_EID_ALGORITHMS;

export function isWebEidAlgorithm(value: unknown): value is WebEidAlgorithm {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(WEB_EID_ALGORITHMS, value);
}

/** Raw r||s length of an ECDSA signature per algorithm (P-256, P-384, P-521). */
const ECDSA_SIGNATURE_LENGTH: Partial<Record<WebEidAlgorithm, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/** What the helper returns from POST /sign and the login page posts to the server. */
export interface WebEidAuthToken {
  format: typeof WEB_EID_FORMAT;
  /** The card's authentication certificate, base64 DER. Not trusted until the server validated it. */
  unverifiedCertificate: string;
  algorithm: WebEidAlgorithm;
  /** Base64 signature over signedData(origin, challenge, algorithm); ECDSA as raw r||s. */
  signature: string;
  /** Identifies the helper and its version, e.g. 'nhi-reader-helper/1.0.0'. */
  appVersion: string;
}

/** Shortest challenge the helper signs: 32 random bytes in base64 (Web eID asks for 256 bits). */
export const MIN_CHALLENGE_LENGTH = 44;
export const MAX_CHALLENGE_LENGTH = 256;
/** A challenge is base64 or base64url text of 44 to 256 characters. */
export const CHALLENGE_PATTERN = /^[A-Za-z0-9+/_-]{43,256}={0,2}$/;

export function isAcceptableChallenge(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= MIN_CHALLENGE_LENGTH &&
    value.length <= MAX_CHALLENGE_LENGTH &&
    CHALLENGE_PATTERN.test(value)
  );
}

/**
 * The bytes the card signs: hash(UTF-8 origin) || hash(UTF-8 challenge), with the hash of the
 * algorithm (SHA-256 unless told otherwise). `origin` is the page's origin exactly as the
 * browser serializes it (scheme://host[:port], no trailing slash).
 */
export function signedData(origin: string, challenge: string, algorithm: WebEidAlgorithm = 'ES256'): Buffer {
  const hash = WEB_EID_ALGORITHMS[algorithm].hash;
  return Buffer.concat([
    createHash(hash).update(origin, 'utf8').digest(),
    createHash(hash).update(challenge, 'utf8').digest(),
  ]);
}

export class WebEidTokenFormatError extends Error {
  override readonly name = 'WebEidTokenFormatError';
}

const MAX_CERTIFICATE_BASE64 = 16 * 1024;
const MAX_SIGNATURE_BASE64 = 1024;
const MAX_APP_VERSION = 200;

/** Decodes canonical base64 (standard alphabet, padded); undefined when it is not that. */
export function decodeBase64Strict(value: string): Buffer | undefined {
  if (value.length === 0 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64');
  return decoded.toString('base64') === value ? decoded : undefined;
}

/**
 * Checks the shape of a token received from a browser and returns it with only the known
 * fields. Throws WebEidTokenFormatError naming the first problem. Says nothing about whether
 * the certificate is trusted or the signature valid: that is the validator's work.
 */
export function parseWebEidToken(value: unknown): WebEidAuthToken {
  const fail = (reason: string): never => {
    throw new WebEidTokenFormatError(reason);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('the token is not a JSON object');
  const token = value as Record<string, unknown>;
  if (token.format !== WEB_EID_FORMAT) fail(`format must be "${WEB_EID_FORMAT}"`);
  const { unverifiedCertificate, algorithm, signature, appVersion } = token;
  if (typeof unverifiedCertificate !== 'string' || unverifiedCertificate.length > MAX_CERTIFICATE_BASE64 || !decodeBase64Strict(unverifiedCertificate)) {
    fail('unverifiedCertificate must be base64 DER');
  }
  if (!isWebEidAlgorithm(algorithm)) return fail('algorithm is not one of ' + Object.keys(WEB_EID_ALGORITHMS).join(', '));
  const signatureBytes = typeof signature === 'string' && signature.length <= MAX_SIGNATURE_BASE64 ? decodeBase64Strict(signature) : undefined;
  if (!signatureBytes) return fail('signature must be base64');
  const ecdsaLength = ECDSA_SIGNATURE_LENGTH[algorithm];
  if (ecdsaLength !== undefined && signatureBytes.length !== ecdsaLength) fail(`an ${algorithm} signature is ${ecdsaLength} bytes (raw r||s)`);
  if (typeof appVersion !== 'string' || appVersion.length === 0 || appVersion.length > MAX_APP_VERSION) fail('appVersion must be a non-empty string');
  return {
    format: WEB_EID_FORMAT,
    unverifiedCertificate: unverifiedCertificate as string,
    algorithm,
    signature: signature as string,
    appVersion: appVersion as string,
  };
}

// ---------------------------------------------------------------------------------------------
// Card rules the helper enforces
// ---------------------------------------------------------------------------------------------

/** A PIN is 6 to 8 digits (else 9041). */
export const CARD_PIN_PATTERN = /^\d{6,8}$/;
/** The new PIN set when unlocking with the PUK is 6 digits. */
export const CARD_UNLOCK_PIN_PATTERN = /^\d{6}$/;
/** A PUK (the card's SO PIN) is 6 to 16 letters or digits. */
export const CARD_PUK_PATTERN = /^[0-9A-Za-z]{6,16}$/;

// ---------------------------------------------------------------------------------------------
// Error codes
// ---------------------------------------------------------------------------------------------

/** Card errors, with the codes users know from the certificate components (seed 004). */
export type HelperCardErrorName =
  | 'card-not-present'
  | 'card-unreadable'
  | 'pin-length'
  | 'pin-incorrect'
  | 'pin-locked'
  | 'card-not-opened'
  | 'helper-unreachable'
  | 'certificate-not-valid-now';

export interface HelperCardErrorInfo {
  code: number;
  zhTW: string;
  en: string;
  /** What the user can do about it (from the seed's table of common errors). */
  fixZhTW: string;
  fixEn: string;
}

export const HELPER_CARD_ERRORS: Record<HelperCardErrorName, HelperCardErrorInfo> = {
  'card-not-present': {
    code: 9056,
    zhTW: '卡片不存在',
    en: 'No card found',
    fixZhTW: '請確認卡片已正確插入讀卡機（正反面、晶片髒污可用橡皮擦清潔）；電腦有 2 台以上讀卡機或插著 iKey 時請先拔除；必要時重新安裝讀卡機驅動程式與元件。',
    fixEn: 'Check that the card is inserted the right way round (clean a dirty chip with an eraser); with two or more readers or an iKey attached, remove the others; if needed reinstall the reader driver and the component.',
  },
  'card-unreadable': {
    code: 9057,
    zhTW: '卡片無法辨識或憑證無效',
    en: 'The card cannot be read or its certificate is invalid',
    fixZhTW: '請確認卡片效期與讀卡機狀態（例如兩台讀卡機、內接或外接、USB 插孔）。',
    fixEn: 'Check the card’s validity and the reader (e.g. two readers, internal or external, the USB port).',
  },
  'pin-length': {
    code: 9041,
    zhTW: 'PIN 碼長度錯誤（應為 6 至 8 碼）',
    en: 'Wrong PIN length (6 to 8 digits)',
    fixZhTW: '請輸入 6 至 8 位數字的 PIN 碼。',
    fixEn: 'Enter a PIN of 6 to 8 digits.',
  },
  'pin-incorrect': {
    code: 9039,
    zhTW: '密碼不正確',
    en: 'Wrong PIN',
    fixZhTW: '請重新確認密碼；連續輸入錯誤將鎖卡。',
    fixEn: 'Check the PIN and try again; repeated wrong PINs lock the card.',
  },
  'pin-locked': {
    code: 9043,
    zhTW: 'PIN 碼已鎖住',
    en: 'The PIN is locked',
    fixZhTW: '請使用卡片服務的「解鎖」功能，以使用者代碼取得 PUK 後設定新的 6 位數 PIN 碼。',
    fixEn: 'Use the card services’ unlock: your user code gives the PUK, then set a new 6-digit PIN.',
  },
  'card-not-opened': {
    code: 9046,
    zhTW: '憑證尚未開卡',
    en: 'The card has not been opened yet',
    fixZhTW: '請先辦理開卡。',
    fixEn: 'Open the card first.',
  },
  'helper-unreachable': {
    code: 61006,
    zhTW: '無法連線讀卡元件',
    en: 'The card reader helper cannot be reached',
    fixZhTW: '請確認讀卡元件已安裝並啟動；必要時先移除再重新安裝（安裝時先關閉防毒軟體），再重新開啟瀏覽器。',
    fixEn: 'Check that the reader helper is installed and running; if needed uninstall and reinstall it (with the antivirus paused), then restart the browser.',
  },
  'certificate-not-valid-now': {
    code: 66501,
    zhTW: '憑證尚未生效或已過期',
    en: 'The certificate is not yet valid or has expired',
    fixZhTW: '請辦理展期、重新申辦，或改用健保卡。',
    fixEn: 'Renew or reapply for the certificate, or use the NHI card instead.',
  },
};

/** Errors about the request itself rather than the card. */
export type HelperRequestErrorName =
  | 'origin-not-allowed'
  | 'origin-mismatch'
  | 'host-not-allowed'
  | 'bad-request'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'not-found'
  | 'method-not-allowed'
  | 'internal';

export type HelperErrorName = HelperCardErrorName | HelperRequestErrorName;

export function isHelperCardError(name: string): name is HelperCardErrorName {
  return Object.prototype.hasOwnProperty.call(HELPER_CARD_ERRORS, name);
}

/** The card error with this numeric code, if any. */
export function helperCardErrorByCode(code: number): HelperCardErrorName | undefined {
  return (Object.keys(HELPER_CARD_ERRORS) as HelperCardErrorName[]).find((name) => HELPER_CARD_ERRORS[name].code === code);
}

/**
 * The card errors as the pages' scripts show them, keyed `<prefix><code>`: what it means and the
 * fix, in the page's language ('en' or else zh-TW).
 */
export function helperMessages(lang: string, prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.values(HELPER_CARD_ERRORS).map((e) => [`${prefix}${e.code}`, lang === 'en' ? `${e.en} (${e.code}). ${e.fixEn}` : `${e.zhTW}（${e.code}）。${e.fixZhTW}`]),
  );
}

// ---------------------------------------------------------------------------------------------
// The helper's HTTP API (http://127.0.0.1:47321 by default; JSON in and out)
// ---------------------------------------------------------------------------------------------

export const READER_HELPER_VERSION = '1.0.0';
export const READER_HELPER_APP_VERSION = `nhi-reader-helper/${READER_HELPER_VERSION}`;
export const DEFAULT_HELPER_PORT = 47321;

export const HELPER_ENDPOINTS = {
  status: '/status',
  certificate: '/certificate',
  sign: '/sign',
  pinChange: '/pin/change',
  pinUnlock: '/pin/unlock',
  cardOpen: '/card/open',
} as const;

export interface HelperCertificateSummary {
  label: string;
  /** The subject as "C=TW, O=…, CN=…" (encoded order). */
  subject: string;
  /** Upper-case hex without a sign octet (as the server's validator writes it). */
  serialNumber: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
}

export interface HelperTokenStatus {
  slot: number;
  label: string;
  serial: string;
  opened: boolean;
  /** The 12-digit card number of an NHI card (健保卡), which has no PIN; null for other cards. */
  nhiCardNumber: string | null;
  pinLocked: boolean;
  /** PIN tries left, or null when the card does not say. */
  triesLeft: number | null;
  certificates: HelperCertificateSummary[];
}

/** GET /status */
export interface HelperStatusResponse {
  version: string;
  /** The PKCS#11 library the helper loaded. */
  module: string;
  tokens: HelperTokenStatus[];
}

/** GET /certificate?token=<label> (token optional when one card is present). */
export interface HelperCertificateResponse extends HelperCertificateSummary {
  token: string;
  /** The certificate, base64 DER. */
  certificate: string;
  issuer: string;
}

/** POST /sign → WebEidAuthToken. `origin` must equal the request's Origin header. */
export interface HelperSignRequest {
  origin: string;
  challenge: string;
  /** Required for every card but an NHI card, which has no PIN. */
  pin?: string;
  token?: string;
}

/** POST /pin/change */
export interface HelperPinChangeRequest {
  token?: string;
  oldPin: string;
  newPin: string;
}

/** POST /pin/unlock: PUK (the card's SO PIN) and a new 6-digit PIN; resets the try counter. */
export interface HelperPinUnlockRequest {
  token?: string;
  puk: string;
  newPin: string;
}

/** POST /card/open: marks the card opened after checking the PIN. */
export interface HelperCardOpenRequest {
  token?: string;
  pin: string;
}

/** Answer of the PIN and card endpoints. */
export interface HelperOkResponse {
  ok: true;
  token: string;
}

/** Every error answer. `code` is present for card errors; `triesLeft` after a wrong PIN when known. */
export interface HelperErrorResponse {
  error: HelperErrorName;
  code?: number;
  message: string;
  triesLeft?: number;
}
