// The reader helper against a real SoftHSM2 store, in-process on a free port, called the way a
// browser calls it (Origin and Host headers, JSON bodies, CORS preflight). Cards are made with
// createDevelopmentCard and carry a throwaway certificate for their on-token key, written with
// writeCardCertificate; the development CA is not needed.
import { constants as cryptoConstants, verify, webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { uniqueLabel, useSoftHsmTestStore } from '../support/softhsm';
import { helperRequest, type HelperReply, type HelperRequestOptions } from '../support/cards';
import {
  closeAllPkcs11Modules,
  createDevelopmentCard,
  DEVELOPMENT_CARD_PROFILE,
  KeyType,
  Pkcs11Module,
  TokenError,
  writeCardCertificate,
} from '../../src/shared/pkcs11';
import { createReaderHelper, ReaderHelper } from '../../src/reader-helper/main';
import { HelperStatusResponse, parseWebEidToken, signedData, WebEidAuthToken } from '../../src/shared/web-eid';

const store = useSoftHsmTestStore();
x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

const ORIGIN = 'http://127.0.0.1:3000';
const PIN = '482916';
const PUK = '70315824';
const DAY = 24 * 60 * 60 * 1000;
/**
 * Every PIN-like value typed in this file (6 characters or more, so that it cannot turn up in a
 * timestamp by chance): none may ever show in the helper's log.
 */
const SECRETS = new Set<string>([PIN, PUK]);
const secret = (value: string) => {
  if (value.length >= 6) SECRETS.add(value);
  return value;
};

let helper: ReaderHelper;
const logLines: string[] = [];

interface Card {
  label: string;
  spki: Buffer;
  certificate: Buffer;
  serialNumber: string;
}

/** A development card with a certificate for its key, signed by a throwaway WebCrypto issuer. */
async function makeCard(options: { keyType?: KeyType; opened?: boolean; notBefore?: Date; notAfter?: Date } = {}): Promise<Card> {
  const keyType = options.keyType ?? 'ec-p256';
  const label = uniqueLabel('card-');
  const card = createDevelopmentCard({ module: store.modulePath, label, pin: PIN, soPin: PUK, keyType, opened: options.opened ?? true });
  const keyAlgorithm =
    keyType === 'rsa-2048' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: keyType === 'ec-p256' ? 'P-256' : 'P-384' };
  const publicKey = await subtle.importKey('spki', new Uint8Array(card.spki), keyAlgorithm, true, ['verify']);
  const issuer = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const serialNumber = `7f${Buffer.from(card.keyId, 'hex').subarray(0, 8).toString('hex')}`;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: `CN=測試醫師 ${label}, O=Test Hospital, C=TW`,
    issuer: 'CN=Throwaway test issuer, C=TW',
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    publicKey,
    signingKey: issuer.privateKey,
  });
  const der = Buffer.from(certificate.rawData);
  const written = writeCardCertificate({ module: store.modulePath, label, soPin: PUK, certificate: der });
  expect(written.keyId).toBe(card.keyId);
  return { label, spki: card.spki, certificate: der, serialNumber: written.serialNumber };
}

/** One HTTP request with full control of Host and Origin (default: ORIGIN), as a browser would send it. */
function call(method: string, path: string, options: Partial<HelperRequestOptions> = {}): Promise<HelperReply> {
  return helperRequest(helper.port, method, path, { ...options, origin: options.origin === undefined ? ORIGIN : options.origin });
}

const challenge = () => webcrypto.getRandomValues(Buffer.alloc(32)).toString('base64');
const sign = (card: Card, pin: string, extra: Record<string, unknown> = {}) =>
  call('POST', '/sign', { body: { origin: ORIGIN, challenge: challenge(), pin: secret(pin), token: card.label, ...extra } });

function verifyToken(token: WebEidAuthToken, card: Card, signedChallenge: string): boolean {
  const data = signedData(ORIGIN, signedChallenge, token.algorithm);
  const key = { key: card.spki, format: 'der' as const, type: 'spki' as const };
  const signature = Buffer.from(token.signature, 'base64');
  const hash = `sha${token.algorithm.slice(2)}`;
  if (token.algorithm.startsWith('ES')) return verify(hash, data, { ...key, dsaEncoding: 'ieee-p1363' }, signature);
  return verify(hash, data, { ...key, padding: cryptoConstants.RSA_PKCS1_PADDING }, signature);
}

async function status(): Promise<HelperStatusResponse> {
  const reply = await call('GET', '/status');
  expect(reply.status).toBe(200);
  return reply.body as HelperStatusResponse;
}

beforeAll(async () => {
  helper = await createReaderHelper({
    port: 0,
    allowedOrigins: [ORIGIN],
    modulePath: store.modulePath,
    labelPrefix: 'card-',
    log: (line) => logLines.push(line),
  });
});

afterAll(async () => {
  await helper?.close();
  closeAllPkcs11Modules();
});

describe('GET /status', () => {
  it('lists the development cards with their certificates and PIN state, never the CA token', async () => {
    const card = await makeCard();
    const caLabel = uniqueLabel('nhi-ca-dev-');
    const module = Pkcs11Module.open(store.modulePath);
    module.initToken(module.freeSlot()!, { soPin: PUK, label: caLabel });

    const { version, module: modulePath, tokens } = await status();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(modulePath).toBe(store.modulePath);
    expect(tokens.map((token) => token.label)).toContain(card.label);
    expect(tokens.some((token) => token.label.startsWith('nhi-ca-dev'))).toBe(false);
    const listed = tokens.find((token) => token.label === card.label)!;
    expect(listed).toMatchObject({ opened: true, pinLocked: false, triesLeft: DEVELOPMENT_CARD_PROFILE.maxPinTries });
    expect(listed.serial).toMatch(/^[0-9a-f]{16}$/);
    expect(listed.certificates).toEqual([
      expect.objectContaining({ label: 'authentication', serialNumber: card.serialNumber, subject: expect.stringContaining(`CN=測試醫師 ${card.label}`) }),
    ]);
  });

  it('answers a user who opens it directly (no Origin) but refuses a foreign page', async () => {
    expect((await call('GET', '/status', { origin: null })).status).toBe(200);
    const foreign = await call('GET', '/status', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toBe('origin-not-allowed');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('POST /sign', () => {
  it('returns a Web eID token whose ES256 signature verifies against the card key over signedData', async () => {
    const card = await makeCard();
    const nonce = challenge();
    const reply = await call('POST', '/sign', { body: { origin: ORIGIN, challenge: nonce, pin: PIN, token: card.label } });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    const token = parseWebEidToken(reply.body);
    expect(token).toMatchObject({ format: 'web-eid:1.0', algorithm: 'ES256', unverifiedCertificate: card.certificate.toString('base64') });
    expect(verifyToken(token, card, nonce)).toBe(true);
    // bound to the origin and the challenge: another origin or challenge does not verify
    expect(verifyToken(token, card, challenge())).toBe(false);
    const key = { key: card.spki, format: 'der' as const, type: 'spki' as const, dsaEncoding: 'ieee-p1363' as const };
    expect(verify('sha256', signedData('https://evil.example', nonce), key, Buffer.from(token.signature, 'base64'))).toBe(false);
  });

  it('signs RS256 with an RSA card', async () => {
    const card = await makeCard({ keyType: 'rsa-2048' });
    const nonce = challenge();
    const reply = await call('POST', '/sign', { body: { origin: ORIGIN, challenge: nonce, pin: PIN, token: card.label } });
    expect(reply.status).toBe(200);
    const token = parseWebEidToken(reply.body);
    expect(token.algorithm).toBe('RS256');
    expect(verifyToken(token, card, nonce)).toBe(true);
  });

  it('signs ES384, over SHA-384 signedData, with a P-384 card', async () => {
    const card = await makeCard({ keyType: 'ec-p384' });
    const nonce = challenge();
    const reply = await call('POST', '/sign', { body: { origin: ORIGIN, challenge: nonce, pin: PIN, token: card.label } });
    expect(reply.status).toBe(200);
    const token = parseWebEidToken(reply.body);
    expect(token.algorithm).toBe('ES384');
    expect(Buffer.from(token.signature, 'base64')).toHaveLength(96);
    expect(verifyToken(token, card, nonce)).toBe(true);
  });

  it('counts wrong PINs down 2, 1, then locks (9043), refusing even the right PIN; the PUK unlocks with a new PIN', async () => {
    const card = await makeCard();
    const first = await sign(card, '111111');
    expect(first.status).toBe(422);
    expect(first.body).toMatchObject({ error: 'pin-incorrect', code: 9039, triesLeft: 2 });
    expect((await sign(card, '222222')).body).toMatchObject({ code: 9039, triesLeft: 1 });
    expect((await sign(card, '333333')).body).toMatchObject({ error: 'pin-locked', code: 9043 });
    expect((await sign(card, PIN)).body).toMatchObject({ error: 'pin-locked', code: 9043 });
    expect((await status()).tokens.find((token) => token.label === card.label)).toMatchObject({ pinLocked: true, triesLeft: 0 });

    // a wrong PUK, or a new PIN that is not 6 digits, does not unlock
    expect((await call('POST', '/pin/unlock', { body: { token: card.label, puk: secret('99999999'), newPin: secret('135790') } })).body).toMatchObject({ code: 9039 });
    expect((await call('POST', '/pin/unlock', { body: { token: card.label, puk: PUK, newPin: secret('13579086') } })).body).toMatchObject({ code: 9041 });
    expect((await sign(card, PIN)).body).toMatchObject({ code: 9043 });

    const newPin = secret('135790');
    const unlocked = await call('POST', '/pin/unlock', { body: { token: card.label, puk: PUK, newPin } });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toEqual({ ok: true, token: card.label });
    expect((await status()).tokens.find((token) => token.label === card.label)).toMatchObject({ pinLocked: false, triesLeft: 3 });
    expect((await sign(card, PIN)).body).toMatchObject({ code: 9039, triesLeft: 2 });
    expect((await sign(card, newPin)).status).toBe(200);
    // the correct PIN restored the counter
    expect((await status()).tokens.find((token) => token.label === card.label)!.triesLeft).toBe(3);
  });

  it('answers 9056 when the card is not in the reader, including a non-card token and several cards with none chosen', async () => {
    const body = { origin: ORIGIN, challenge: challenge(), pin: PIN };
    expect((await call('POST', '/sign', { body: { ...body, token: 'card-not-inserted' } })).body).toMatchObject({ error: 'card-not-present', code: 9056 });
    const caLabel = uniqueLabel('nhi-ca-dev-');
    const module = Pkcs11Module.open(store.modulePath);
    module.initToken(module.freeSlot()!, { soPin: PUK, label: caLabel });
    expect((await call('POST', '/sign', { body: { ...body, token: caLabel } })).body).toMatchObject({ code: 9056 });
    await makeCard();
    await makeCard();
    expect((await call('POST', '/sign', { body })).body).toMatchObject({ code: 9056, message: expect.stringContaining('More than one card') });
  });

  it('answers 9046 until the card is opened with its PIN', async () => {
    const card = await makeCard({ opened: false });
    expect((await sign(card, PIN)).body).toMatchObject({ error: 'card-not-opened', code: 9046 });
    expect((await status()).tokens.find((token) => token.label === card.label)!.opened).toBe(false);
    expect((await call('POST', '/card/open', { body: { token: card.label, pin: secret('000000') } })).body).toMatchObject({ code: 9039, triesLeft: 2 });
    const opened = await call('POST', '/card/open', { body: { token: card.label, pin: PIN } });
    expect(opened.status).toBe(200);
    expect((await status()).tokens.find((token) => token.label === card.label)).toMatchObject({ opened: true, triesLeft: 3 });
    expect((await sign(card, PIN)).status).toBe(200);
  });

  it('answers 9041 for a PIN that is not 6 to 8 digits, without counting a try', async () => {
    const card = await makeCard();
    for (const pin of ['12', '12345', '123456789', 'abcdef']) {
      expect((await sign(card, pin)).body).toMatchObject({ error: 'pin-length', code: 9041 });
    }
    expect((await status()).tokens.find((token) => token.label === card.label)!.triesLeft).toBe(3);
  });

  it('answers 66501 for a certificate that has expired or is not yet valid, before asking the card for the PIN', async () => {
    const expired = await makeCard({ notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    expect((await sign(expired, PIN)).body).toMatchObject({ error: 'certificate-not-valid-now', code: 66501 });
    const future = await makeCard({ notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 400 * DAY) });
    expect((await sign(future, '000000')).body).toMatchObject({ code: 66501 });
    expect((await status()).tokens.find((token) => token.label === future.label)!.triesLeft).toBe(3);
  });

  it('answers 9057 for a card without a certificate', async () => {
    const label = uniqueLabel('card-');
    createDevelopmentCard({ module: store.modulePath, label, pin: PIN, soPin: PUK, keyType: 'ec-p256', opened: true });
    expect((await call('POST', '/sign', { body: { origin: ORIGIN, challenge: challenge(), pin: PIN, token: label } })).body).toMatchObject({
      error: 'card-unreadable',
      code: 9057,
    });
  });

  it('refuses a foreign or missing Origin, and an origin in the body that is not the page’s', async () => {
    const card = await makeCard();
    const body = { origin: ORIGIN, challenge: challenge(), pin: PIN, token: card.label };
    const foreign = await call('POST', '/sign', { body: { ...body, origin: 'https://evil.example' }, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toBe('origin-not-allowed');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const missing = await call('POST', '/sign', { body, origin: null });
    expect(missing.status).toBe(403);
    expect(missing.body.error).toBe('origin-not-allowed');
    const mismatch = await call('POST', '/sign', { body: { ...body, origin: 'https://evil.example' } });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.error).toBe('origin-mismatch');
    // nothing was tried on the card
    expect((await status()).tokens.find((token) => token.label === card.label)!.triesLeft).toBe(3);
  });

  it('refuses a challenge that is too short, JSON it cannot parse, non-JSON and oversized bodies', async () => {
    const card = await makeCard();
    expect((await call('POST', '/sign', { body: { origin: ORIGIN, challenge: 'abc', pin: PIN, token: card.label } })).body.error).toBe('bad-request');
    const broken = await call('POST', '/sign', { rawBody: `{"pin":"${secret('864209')}",` });
    expect(broken.status).toBe(400);
    expect(JSON.stringify(broken.body)).not.toContain('864209');
    expect((await call('POST', '/sign', { rawBody: 'pin=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await call('POST', '/sign', { body: { origin: ORIGIN, challenge: 'A'.repeat(5000), pin: PIN } })).status).toBe(413);
  });
});

describe('CORS and Host', () => {
  it('answers a preflight from the allowed origin with exactly that origin', async () => {
    const reply = await call('OPTIONS', '/sign', {
      headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type', 'access-control-request-private-network': 'true' },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(reply.headers['access-control-allow-methods']).toContain('POST');
    expect(String(reply.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
    expect(reply.headers['access-control-allow-private-network']).toBe('true');
    expect(reply.headers.vary).toContain('Origin');
  });

  it('gives a preflight from another origin no CORS headers', async () => {
    const reply = await call('OPTIONS', '/sign', { origin: 'https://evil.example', headers: { 'access-control-request-method': 'POST' } });
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    expect(reply.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('refuses a Host other than 127.0.0.1 or localhost at its port (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${helper.port}`, '127.0.0.1:1']) {
      const reply = await call('GET', '/status', { host });
      expect(reply.status).toBe(403);
      expect(reply.body.error).toBe('host-not-allowed');
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect((await call('GET', '/status', { host: `localhost:${helper.port}` })).status).toBe(200);
  });
});

describe('PIN services and the certificate', () => {
  it('changes the PIN: the old one then fails, the new one signs; a wrong old PIN counts a try', async () => {
    const card = await makeCard();
    const newPin = secret('97153208');
    expect((await call('POST', '/pin/change', { body: { token: card.label, oldPin: secret('000000'), newPin } })).body).toMatchObject({ code: 9039, triesLeft: 2 });
    expect((await call('POST', '/pin/change', { body: { token: card.label, oldPin: PIN, newPin: secret('1234') } })).body).toMatchObject({ code: 9041 });
    const changed = await call('POST', '/pin/change', { body: { token: card.label, oldPin: PIN, newPin } });
    expect(changed.status).toBe(200);
    expect((await sign(card, PIN)).body).toMatchObject({ code: 9039 });
    expect((await sign(card, newPin)).status).toBe(200);
  });

  it('gives the certificate, its serial and subject to an allowed page only', async () => {
    const card = await makeCard();
    const reply = await call('GET', `/certificate?token=${encodeURIComponent(card.label)}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      token: card.label,
      certificate: card.certificate.toString('base64'),
      serialNumber: card.serialNumber,
      subject: expect.stringContaining('C=TW'),
      issuer: expect.stringContaining('CN=Throwaway test issuer'),
    });
    expect(card.serialNumber).toMatch(/^7F[0-9A-F]{16}$/);
    expect((await call('GET', `/certificate?token=${encodeURIComponent(card.label)}`, { origin: null })).status).toBe(403);
  });
});

describe('the shared PKCS#11 wrapper on a development card', () => {
  it('keeps the private key on the token: sensitive, not extractable, sign only; signs PSS too', async () => {
    const label = uniqueLabel('card-');
    const card = createDevelopmentCard({ module: store.modulePath, label, pin: PIN, soPin: PUK, keyType: 'rsa-2048', opened: true });
    const module = Pkcs11Module.open(store.modulePath);
    const slot = module.findToken(label)!;
    expect(slot.token.flags).toMatchObject({ tokenInitialized: true, userPinInitialized: true, userPinLocked: false });
    module.withSession(slot, {}, (session) => {
      // before login the private key is invisible
      expect(session.privateKeyById(Buffer.from(card.keyId, 'hex'))).toBeUndefined();
      session.login(PIN);
      const key = session.privateKeyById(Buffer.from(card.keyId, 'hex'))!;
      const pkcs11js = require('pkcs11js');
      const [sensitive, extractable, canSign, canDecrypt] = session.attributes(key, [pkcs11js.CKA_SENSITIVE, pkcs11js.CKA_EXTRACTABLE, pkcs11js.CKA_SIGN, pkcs11js.CKA_DECRYPT]);
      expect([sensitive[0], extractable[0], canSign[0], canDecrypt[0]]).toEqual([1, 0, 1, 0]);
      let thrown: unknown;
      try {
        session.attributes(key, [pkcs11js.CKA_PRIVATE_EXPONENT]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TokenError);
      expect((thrown as TokenError).kind).toBe('attribute-sensitive');
      const data = Buffer.from('PSS test data');
      const signature = session.sign(key, { scheme: 'rsa-pss', hash: 'sha384' }, data);
      const publicKey = { key: card.spki, format: 'der' as const, type: 'spki' as const };
      expect(verify('sha384', data, { ...publicKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signature)).toBe(true);
    });
  });

  it('maps a wrong PIN to a typed error without the PIN in its message, and refuses a certificate for another key', async () => {
    const card = await makeCard();
    const other = await makeCard();
    const module = Pkcs11Module.open(store.modulePath);
    const slot = module.findToken(card.label)!;
    let thrown: unknown;
    module.withSession(slot, {}, (session) => {
      try {
        session.login(secret('555555'));
      } catch (error) {
        thrown = error;
      }
    });
    expect(thrown).toBeInstanceOf(TokenError);
    expect((thrown as TokenError).kind).toBe('pin-incorrect');
    expect((thrown as TokenError).ckr).toBe('CKR_PIN_INCORRECT');
    expect((thrown as Error).message).not.toContain('555555');
    expect(() => writeCardCertificate({ module: store.modulePath, label: card.label, soPin: PUK, certificate: other.certificate })).toThrow(
      "no key on the card matches the certificate's public key",
    );
  });
});

describe('the request log', () => {
  it('has one JSON line per request and never a PIN or PUK', async () => {
    expect(logLines.length).toBeGreaterThan(30);
    for (const line of logLines) {
      const entry = JSON.parse(line);
      expect(entry).toEqual(
        expect.objectContaining({ method: expect.any(String), path: expect.any(String), status: expect.any(Number), durationMs: expect.any(Number) }),
      );
    }
    expect(logLines.some((line) => JSON.parse(line).code === 9039)).toBe(true);
    const text = logLines.join('\n');
    for (const value of SECRETS) expect(text).not.toContain(value);
  });
});
