// HsmService against a real SoftHSM2 token (no database): the CA token is created once, keys are
// generated on it and stay there; certificates (through @peculiar/x509) and CRLs are signed with them.
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify, webcrypto } from 'node:crypto';
import { CRLReasons } from '@peculiar/asn1-x509';
import * as pkcs11js from 'pkcs11js';
import { uniqueLabel, useSoftHsmTestStore } from '../support/softhsm';
import type { AppConfig } from '../../src/config/app-config';
import { HsmKey, HsmService, HsmUnavailableError } from '../../src/modules/certificates/hsm.service';
import { randomSerialHex } from '../../src/modules/certificates/pki-extensions';
import { ecdsaSignatureDer } from '../../src/shared/pkcs11';
import { encodeCertificateList, encodeTbsCertList } from '../../src/modules/certificates/validation';
import { x509 } from '../../src/modules/certificates/validation/x509-runtime';

const store = useSoftHsmTestStore();
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

function hsmWith(overrides: Partial<AppConfig> = {}): HsmService {
  return new HsmService({ pkcs11Module: store.modulePath, hsmTokenLabel: tokenLabel, hsmPin: 'user-pin-1234', hsmSoPin: 'so-pin-5678', ...overrides } as AppConfig);
}

const tokenLabel = uniqueLabel('ca-unit-');

describe('HsmService', () => {
  let hsm: HsmService;
  let label: string;
  let spki: Uint8Array<ArrayBuffer>;

  beforeAll(() => {
    hsm = hsmWith();
    expect(hsm.ensureToken()).toBe(true);
    label = uniqueLabel('ca-key-');
    spki = new Uint8Array(hsm.generateKey(label));
  });

  it('creates the CA token once', () => {
    expect(hsm.ensureToken()).toBe(false);
    expect(hsm.findToken()?.token.label).toBe(tokenLabel);
  });

  it('generates keys on the token that are sensitive, never extractable and sign-only', () => {
    expect(hsm.keyLabels()).toContain(label);
    expect(hsm.hasKey(label)).toBe(true);
    expect(hsm.hasKey('no-such-key')).toBe(false);
    expect(Buffer.from(hsm.publicKey(label)).equals(Buffer.from(spki))).toBe(true);
    const slot = hsm.findToken()!;
    const flags = hsm.module().withSession(slot, {}, (session) => {
      session.login('user-pin-1234');
      const [key] = session.find([
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_LABEL, value: label },
      ]);
      return session.attributes(key, [pkcs11js.CKA_SENSITIVE, pkcs11js.CKA_EXTRACTABLE, pkcs11js.CKA_SIGN, pkcs11js.CKA_DECRYPT]).map((value) => value[0]);
    });
    expect(flags).toEqual([1, 0, 1, 0]);
    expect(() => hsm.generateKey(label)).toThrow(HsmUnavailableError);
  });

  it('signs a certificate and a CRL for @peculiar/x509 that verify with the public key', async () => {
    const name = 'CN=Unit Root CA, C=TW';
    const cert = await hsm.createCertificate(label, {
      serialNumber: randomSerialHex(),
      subject: name,
      issuer: name,
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 3600_000),
      publicKey: spki,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    expect(cert.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    expect(await cert.verify({ signatureOnly: true })).toBe(true);
    const algorithm = Buffer.from('300a06082a8648ce3d040302', 'hex');
    const tbs = encodeTbsCertList({
      signatureAlgorithm: algorithm,
      issuer: new Uint8Array(cert.subjectName.toArrayBuffer()),
      thisUpdate: new Date(),
      nextUpdate: new Date(Date.now() + 3600_000),
      entries: [{ serialHex: '0A', revokedAt: new Date(), reason: CRLReasons.certificateHold }],
      extensions: [],
    });
    const crl = new x509.X509Crl(new Uint8Array(encodeCertificateList(tbs, algorithm, hsm.signDer(label, tbs))));
    expect(await crl.verify({ publicKey: cert.publicKey })).toBe(true);
    expect(crl.findRevoked('0A')?.reason).toBe(x509.X509CrlReason.certificateHold);
  });

  it('routes only HSM keys to PKCS#11; WebCrypto keys and digests go to Node', async () => {
    const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const data = new TextEncoder().encode('hello');
    const software = await hsm.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams, keys.privateKey, data);
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams, keys.publicKey, software, data)).toBe(true);

    const onToken = await hsm.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams, new HsmKey(label).asCryptoKey(), data);
    expect(onToken.byteLength).toBe(64);
    const publicKey = await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams, publicKey, onToken, data)).toBe(true);
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams, publicKey, onToken, data)).toBe(false);
    expect(new Uint8Array(await hsm.crypto.subtle.digest('SHA-256', data))).toHaveLength(32);
    expect(hsm.crypto.getRandomValues(new Uint8Array(8))).toHaveLength(8);
  });

  it('keeps one logged-in session and signs again after the login or the session is lost', () => {
    const data = Buffer.from('signed through a kept session');
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const verifies = (signature: Buffer) => verify('sha256', data, { key, dsaEncoding: 'der' }, signature);
    expect(verifies(hsm.signDer(label, data))).toBe(true);
    // Login state is per token: another session of this process logging out ends the kept login.
    hsm.module().withSession(hsm.findToken()!, {}, (session) => session.login('user-pin-1234'));
    expect(verifies(hsm.signDer(label, data))).toBe(true);
    // A rescan (C_Finalize + C_Initialize) closes kept sessions first, and runs.
    expect(hsm.module().rescan()).toBe(true);
    expect(verifies(hsm.signDer(label, data))).toBe(true);
    // A service with another PIN does not borrow the kept session.
    expect(() => hsmWith({ hsmPin: 'wrong-pin-000' }).signDer(label, data)).toThrow(/refused HSM_PIN/);
    expect(verifies(hsm.signDer(label, data))).toBe(true);
  });

  it('says what is wrong: a missing key, a wrong PIN, a missing token, an algorithm it does not do', () => {
    expect(() => hsm.sign(new HsmKey('no-such-key'), { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams, new Uint8Array([1]))).toThrow('no private key labelled "no-such-key"');
    expect(() => hsm.sign(new HsmKey(label), { name: 'RSASSA-PKCS1-v1_5' }, new Uint8Array([1]))).toThrow('HSM keys sign with ECDSA');
    expect(() => hsmWith({ hsmPin: 'wrong-pin-000' }).hasKey(label)).toThrow(/refused HSM_PIN .*pin-incorrect/);
    expect(() => hsmWith({ hsmTokenLabel: 'ca-unit-absent' }).hasKey(label)).toThrow('the HSM token "ca-unit-absent" does not exist');
  });
});

describe('ecdsaSignatureDer', () => {
  it('encodes r||s as ECDSA-Sig-Value: minimal INTEGERs, a zero octet before a high bit', () => {
    const raw = Buffer.concat([Buffer.alloc(31), Buffer.from([0x01]), Buffer.from([0x80]), Buffer.alloc(31, 0x11)]);
    expect(ecdsaSignatureDer(raw).toString('hex')).toBe(`3026020101022100${'80' + '11'.repeat(31)}`);
    expect(() => ecdsaSignatureDer(Buffer.alloc(63))).toThrow('two halves');
  });

  it('gives signatures that Node verifies in DER form', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, ecdsaSignatureDer(raw))).toBe(true);
    }
  });
});
