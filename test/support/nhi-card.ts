import { randomBytes, randomInt } from 'node:crypto';
import type supertest from 'supertest';
import { ProtectedIdCodec } from '../../src/common/crypto/protected-id';
import { nationalIdWithCheckDigit } from '../../src/common/identifiers';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { hashSecret } from '../../src/common/crypto/secret-hash';
import { NhiCardAccount } from '../../src/modules/nhi-card/nhi-card.entity';
import { InsuredPerson, Professional } from '../../src/modules/reference/reference.entity';
import type { ReaderHelper } from '../../src/reader-helper/main';
import { createNhiDevelopmentCard, writeCardCertificate } from '../../src/shared/pkcs11';
import { csrfFrom, type TestApp } from './app';
import { callHelper } from './cards';

/** An insured person of the test's own (fresh national ID, card number, 戶號), optionally also in the professional registry. */
export interface TestInsured {
  nationalId: string;
  nameZh: string;
  cardNumber: string;
  householdNumber: string;
  registeredAddress: string;
  mobile: string;
  birthDate: string;
  /** The professional registry's row id, when made with { professional: true }. */
  professionalId: number | null;
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

export async function createInsured(t: TestApp, options: { professional?: boolean; nationalId?: string } = {}): Promise<TestInsured> {
  const nationalId = options.nationalId ?? nationalIdWithCheckDigit(`${'ABEFGHKMNPTUW'[randomInt(13)]}${randomInt(1, 3)}${digits(7)}`);
  const person = {
    nationalId,
    nameZh: `測試${randomBytes(2).toString('hex')}`,
    cardNumber: `0009${digits(8)}`,
    householdNumber: `T${digits(7)}`,
    registeredAddress: `基隆市仁愛區測試路${randomInt(1, 999)}號`,
    mobile: `0988-${digits(3)}-${digits(3)}`,
    birthDate: `19${randomInt(50, 99)}-0${randomInt(1, 10)}-1${randomInt(0, 10)}`,
  };
  const id = new ProtectedIdCodec(t.config.dataKey).protect(nationalId);
  const { nationalId: _, ...row } = person;
  await t.dataSource.getRepository(InsuredPerson).insert({ ...row, nationalIdCipher: id.cipher, nationalIdIndex: id.index });
  let professionalId: number | null = null;
  if (options.professional) {
    await t.dataSource.getRepository(Professional).insert({ nationalIdCipher: id.cipher, nationalIdIndex: id.index, categoryCode: 'A', certificateNumber: digits(6), nameZh: person.nameZh, homeInstitutionCode: null, email: null });
    professionalId = (await t.dataSource.getRepository(Professional).findOneByOrFail({ nationalIdIndex: id.index })).id;
  }
  return { ...person, professionalId };
}

/** The development NHI card of an insured person: a SoftHSM2 token (no PIN) with its key and a development NHI card CA certificate. */
export async function createNhiCard(t: TestApp, modulePath: string, person: Pick<TestInsured, 'nameZh' | 'cardNumber'>): Promise<{ label: string; cardNumber: string; der: Buffer }> {
  const label = `card-nhi-${randomBytes(4).toString('hex')}`;
  const soPin = digits(8);
  const card = createNhiDevelopmentCard({ module: modulePath, label, cardNumber: person.cardNumber, soPin, keyType: 'ec-p256' });
  const issued = await t.app.get(CertificateIssuer).issue({ family: 'nhi', subjectType: 'nhi-card', subject: { name: person.nameZh, cardNumber: person.cardNumber }, spki: card.spki, holderRef: `test:${label}` });
  writeCardCertificate({ module: modulePath, label, soPin, certificate: issued.der });
  return { label, cardNumber: person.cardNumber, der: issued.der };
}

/** Re-signs the development NHI card CA's CRL, so the trust store has a fresh one. */
export async function publishNhiCrl(t: TestApp): Promise<void> {
  const issuing = await t.app.get(CertificateIssuer).issuingCa('nhi');
  await t.app.get(CrlService).publish(issuing.id);
  t.app.get(TrustStoreService).invalidate();
}

/** What the page's script does: a challenge for this browser session, signed by the card through the real reader helper (no PIN). */
export async function readNhiCard(t: TestApp, helper: ReaderHelper, agent: supertest.Agent, csrf: string, label: string): Promise<{ challenge: string; token: unknown; csrf: string }> {
  const origin = t.config.publicOrigin;
  const answer = await agent.post('/auth/challenge').set('X-CSRF-Token', csrf).set('Origin', origin).set('Accept', 'application/json').expect(200);
  const signed = await callHelper(helper, origin, 'POST', '/sign', { origin, challenge: answer.body.challenge, token: label });
  if (signed.status !== 200) throw new Error(`the reader helper refused to sign: ${JSON.stringify(signed.body)}`);
  return { challenge: answer.body.challenge, token: signed.body, csrf: answer.body.csrfToken };
}

/**
 * A browser on `page` submitting its form with the NHI card `label` read into the card block
 * (label null: no card read, as without JavaScript), the other fields as given.
 */
export async function submitWithCard(
  t: TestApp,
  helper: ReaderHelper,
  agent: supertest.Agent,
  page: string,
  label: string | null,
  fields: Record<string, string>,
  action = page,
): Promise<supertest.Response> {
  const form = await agent.get(page).expect(200);
  let csrf = csrfFrom(form.text);
  const card: Record<string, string> = { cardChallenge: '', cardToken: '' };
  if (label) {
    const read = await readNhiCard(t, helper, agent, csrf, label);
    csrf = read.csrf;
    card.cardChallenge = read.challenge;
    card.cardToken = JSON.stringify(read.token);
  }
  return agent.post(action).set('Origin', t.config.publicOrigin).type('form').send({ _csrf: csrf, ...card, ...fields });
}

/** The card's online-service registration, verified (what /nhi-card/register and its e-mail link leave behind), with this password. */
export async function registerNhiAccount(t: TestApp, person: Pick<TestInsured, 'nationalId' | 'cardNumber'>, password: string): Promise<void> {
  const now = new Date();
  await t.dataSource.getRepository(NhiCardAccount).insert({
    cardNumber: person.cardNumber,
    nationalIdIndex: new ProtectedIdCodec(t.config.dataKey).protect(person.nationalId).index,
    phone: '0912-345-678',
    email: `nhi.${person.cardNumber}@example.test`,
    passwordHash: await hashSecret(password),
    status: 'active',
    lang: 'zh-TW',
    verifiedAt: now,
    lockedAt: null,
    otpSecretCipher: null,
    otpEnrolledAt: null,
    otpLastStep: null,
    createdAt: now,
    updatedAt: now,
  });
}
