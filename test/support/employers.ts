import { randomBytes, randomInt } from 'node:crypto';
import type supertest from 'supertest';
import { ProtectedIdCodec } from '../../src/common/crypto/protected-id';
import { nationalIdWithCheckDigit, validateBusinessNumber } from '../../src/common/identifiers';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import type { SubjectKind } from '../../src/modules/certificates/ca-profiles';
import type { CredentialFamilyCode } from '../../src/modules/certificates/certificates.entity';
import type { LeafSubject } from '../../src/modules/certificates/leaf-subject';
import { EmployerUnit } from '../../src/modules/employer-registry/employer-unit.entity';
import { EmployerRegistration } from '../../src/modules/employer-registry/registration.entity';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import type { UnitKind } from '../../src/modules/employer-registry/unit-kind';
import { createReaderHelper, type ReaderHelper } from '../../src/reader-helper/main';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { createDevelopmentCard, writeCardCertificate } from '../../src/shared/pkcs11';
import { createTestApp, csrfFrom, type TestApp } from './app';
import { callHelper } from './cards';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** A business number of the test's own (random, passing the checksum). */
export function testBusinessNumber(): string {
  for (;;) {
    const candidate = `7${digits(7)}`;
    if (validateBusinessNumber(candidate).ok) return candidate;
  }
}

/** The identifier a unit of this kind is known by, fresh for the test. */
export function testIdentifier(kind: UnitKind): string {
  switch (kind) {
    case 'agency':
      return `2.16.886.101.77${digits(3)}.${randomInt(1, 99999)}`;
    case 'organization':
      return `2.16.886.1.100.77.${randomInt(1, 99999)}.${randomInt(1, 99999)}`;
    case 'company':
      return testBusinessNumber();
    case 'institution':
      return `77${digits(8)}`;
  }
}

export interface TestUnit {
  unitCode: string;
  kind: UnitKind;
  nameZh: string;
  identifier: string;
  responsibleNationalId: string;
}

/** A unit of the test's own in the employer registry (unique code and identifier). */
export async function createUnit(t: TestApp, kind: UnitKind, extra: Partial<Pick<TestUnit, 'identifier'>> = {}): Promise<TestUnit> {
  const identifier = extra.identifier ?? testIdentifier(kind);
  const unit: TestUnit = {
    unitCode: `7${digits(8)}`,
    kind,
    nameZh: `測試單位${randomBytes(3).toString('hex')}`,
    identifier,
    responsibleNationalId: nationalIdWithCheckDigit(`${'ABEFGHKMNPTUW'[randomInt(13)]}${randomInt(1, 3)}${digits(7)}`),
  };
  const id = new ProtectedIdCodec(t.config.dataKey).protect(unit.responsibleNationalId);
  const now = new Date();
  await t.dataSource.getRepository(EmployerUnit).insert({
    unitCode: unit.unitCode,
    kind,
    nameZh: unit.nameZh,
    businessNumber: kind === 'company' ? identifier : null,
    agencyOid: kind === 'agency' || kind === 'organization' ? identifier : null,
    institutionCode: kind === 'institution' ? identifier : null,
    countyCode: '63000',
    responsibleIdCipher: id.cipher,
    responsibleIdIndex: id.index,
    labourInsuranceNumber: `${digits(8)}K`,
    createdAt: now,
    updatedAt: now,
  });
  return unit;
}

const CARD_OF: Record<UnitKind, { family: CredentialFamilyCode; kind: SubjectKind; subject: (name: string, identifier: string) => LeafSubject }> = {
  agency: { family: 'gca', kind: 'agency', subject: (name, agencyOid) => ({ name, agencyOid }) },
  organization: { family: 'xca', kind: 'organization', subject: (name, agencyOid) => ({ name, agencyOid }) },
  company: { family: 'moeaca', kind: 'company', subject: (name, businessNumber) => ({ name, businessNumber }) },
  institution: { family: 'hca', kind: 'institution', subject: (name, institutionCode) => ({ name, institutionCode }) },
};

export interface OrganisationCard {
  label: string;
  pin: string;
  der: Buffer;
}

/** A development card: a SoftHSM2 token (opened, PIN known) with its key and a certificate of `family`'s development CA (`label`: the token's label, default a fresh one). */
export async function createDevCard(t: TestApp, modulePath: string, family: CredentialFamilyCode, kind: SubjectKind, subject: LeafSubject, label = `card-${kind.slice(0, 4)}-${randomBytes(4).toString('hex')}`): Promise<OrganisationCard> {
  const pin = digits(6);
  const soPin = digits(8);
  const token = createDevelopmentCard({ module: modulePath, label, pin, soPin, keyType: 'ec-p256', opened: true });
  const issued = await t.app.get(CertificateIssuer).issue({ family, subjectType: kind, subject, spki: token.spki, holderRef: `test:${label}` });
  writeCardCertificate({ module: modulePath, label, soPin, certificate: issued.der });
  return { label, pin, der: issued.der };
}

/**
 * A development organisation card of a unit kind, carrying `identifier` (as `dev card create` makes it).
 */
export function createOrganisationCard(t: TestApp, modulePath: string, kind: UnitKind, name: string, identifier: string, label?: string): Promise<OrganisationCard> {
  const profile = CARD_OF[kind];
  return createDevCard(t, modulePath, profile.family, profile.kind, profile.subject(name, identifier), label);
}

/** The login page's script: a challenge, signed by the card through the real reader helper with its PIN, posted as `cardType`. */
export async function signInWithCard(t: TestApp, helper: ReaderHelper, card: Pick<OrganisationCard, 'label' | 'pin'>, cardType: string, agent: supertest.Agent = t.agent()) {
  const origin = t.config.publicOrigin;
  const page = await agent.get('/login').expect(200);
  const answer = await agent.post('/auth/challenge').set('X-CSRF-Token', csrfFrom(page.text)).set('Origin', origin).set('Accept', 'application/json').expect(200);
  const signed = await callHelper(helper, origin, 'POST', '/sign', { origin, challenge: answer.body.challenge, pin: card.pin, token: card.label });
  if (signed.status !== 200) throw new Error(`the reader helper refused to sign: ${JSON.stringify(signed.body)}`);
  const res = await agent
    .post('/auth/certificate')
    .set('X-CSRF-Token', answer.body.csrfToken)
    .set('Origin', origin)
    .set('Accept', 'application/json')
    .send({ challenge: answer.body.challenge, token: signed.body, cardType, returnTo: '/' });
  return { agent, res };
}

/** A development citizen certificate (MOICA) on a SoftHSM2 token, of this national ID. */
export function createCitizenCard(t: TestApp, modulePath: string, nationalId: string, name: string, label?: string): Promise<OrganisationCard> {
  return createDevCard(t, modulePath, 'moica', 'citizen', { name, nationalId }, label);
}

/** A fresh valid national ID for a test person. */
export function testNationalId(): string {
  return nationalIdWithCheckDigit(`${'ABEFGHKMNPTUW'[randomInt(13)]}${randomInt(1, 3)}${digits(7)}`);
}

/** What the card block's script does on a page whose CSRF token is `csrf`: a challenge, signed by the card after its PIN through the real reader helper. */
export async function readCard(t: TestApp, helper: ReaderHelper, agent: supertest.Agent, csrf: string, card: Pick<OrganisationCard, 'label' | 'pin'>) {
  const origin = t.config.publicOrigin;
  const answer = await agent.post('/auth/challenge').set('X-CSRF-Token', csrf).set('Origin', origin).set('Accept', 'application/json').expect(200);
  const signed = await callHelper(helper, origin, 'POST', '/sign', { origin, challenge: answer.body.challenge, pin: card.pin, token: card.label });
  if (signed.status !== 200) throw new Error(`the reader helper refused to sign: ${JSON.stringify(signed.body)}`);
  return { cardChallenge: answer.body.challenge as string, cardToken: JSON.stringify(signed.body), csrf: answer.body.csrfToken as string };
}

/** Opens `page`, reads `card` (or none) into its card block and posts the form with `fields`. */
export async function postWithCard(t: TestApp, helper: ReaderHelper, agent: supertest.Agent, page: string, card: Pick<OrganisationCard, 'label' | 'pin'> | null, fields: Record<string, string>) {
  const form = await agent.get(page).expect(200);
  let csrf = csrfFrom(form.text);
  let read = { cardChallenge: '', cardToken: '' };
  if (card) {
    const r = await readCard(t, helper, agent, csrf, card);
    csrf = r.csrf;
    read = { cardChallenge: r.cardChallenge, cardToken: r.cardToken };
  }
  return agent.post(page).set('Origin', t.config.publicOrigin).type('form').send({ _csrf: csrf, ...read, ...fields });
}

/** Posts a plain form of `page` (its own CSRF token). */
export async function postForm(t: TestApp, agent: supertest.Agent, page: string, fields: Record<string, string>, action = page) {
  const form = await agent.get(page).expect(200);
  return agent.post(action).set('Origin', t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(form.text), ...fields });
}

/** A registered unit of the test's own: the registry row, its organisation card, its manager's citizen card and an active registration bound to both. */
export async function createRegisteredUnit(t: TestApp, modulePath: string, kind: UnitKind = 'company', labels: { unit?: string; manager?: string } = {}) {
  const unit = await createUnit(t, kind);
  const unitCard = await createOrganisationCard(t, modulePath, kind, unit.nameZh, unit.identifier, labels.unit);
  const managerId = testNationalId();
  const managerCard = await createCitizenCard(t, modulePath, managerId, '管理者', labels.manager);
  const validated = async (der: Buffer) => {
    const result = await t.app.get(TrustStoreService).validate(der, { purpose: 'client-auth' });
    if (!result.valid) throw new Error(result.code);
    return result;
  };
  const [managerCert, unitCert] = [await validated(managerCard.der), await validated(unitCard.der)];
  const codec = new ProtectedIdCodec(t.config.dataKey);
  const manager = codec.protect(managerId);
  const email = `unit-${unit.unitCode}@example.test`;
  await t.dataSource.getRepository(EmployerRegistration).insert({
    reference: `ER${digits(14)}`,
    unitCode: unit.unitCode,
    activeUnitCode: unit.unitCode,
    unitCertSerial: unitCert.serialNumber,
    unitCertIssuer: unitCert.issuer,
    unitCertFamily: kind,
    managerIdCipher: manager.cipher,
    managerIdIndex: manager.index,
    managerCertSerial: managerCert.serialNumber,
    managerCertIssuer: managerCert.issuer,
    managerName: '管理者',
    email,
    phone: '02-23456789',
    mobile: null,
    unitName: unit.nameZh,
    businessNumber: '04595252',
    labourInsuranceNumber: null,
    threeInOne: false,
    responsibleIdCipher: manager.cipher,
    responsibleIdIndex: manager.index,
    responsibleIsManager: true,
    lang: 'zh-TW',
    createdAt: new Date(),
    endedAt: null,
  });
  return { unit, unitCard, managerCard, managerId, email };
}

/** The certificate serial as the serial query shows it (hex uppercase). */
export async function serialOf(t: TestApp, der: Buffer): Promise<string> {
  const result = await t.app.get(TrustStoreService).validate(der, { purpose: 'client-auth' });
  if (!result.valid) throw new Error(result.code);
  return result.serialNumber;
}

/**
 * One app, the development PKI with fresh CRLs of the families the employers' flows read, and
 * the real reader helper over this worker's SoftHSM2 store, for a spec file (beforeAll/afterAll).
 */
export function useEmployerTestBed(modulePath: string): { readonly t: TestApp; readonly helper: ReaderHelper } {
  const bed = {} as { t: TestApp; helper: ReaderHelper };
  beforeAll(async () => {
    bed.t = await createTestApp();
    await bed.t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    for (const family of ['gca', 'xca', 'moeaca', 'hca', 'moica'] as const) {
      await bed.t.app.get(CrlService).publish((await bed.t.app.get(CertificateIssuer).issuingCa(family)).id);
    }
    bed.t.app.get(TrustStoreService).invalidate();
    bed.helper = await createReaderHelper({ port: 0, allowedOrigins: [bed.t.config.publicOrigin], modulePath, labelPrefix: 'card-', log: () => undefined });
  });
  afterAll(async () => {
    await bed.helper.close();
    await bed.t.close();
  });
  return bed;
}
