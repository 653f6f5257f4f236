import { randomBytes, randomInt } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { ProtectedIdCodec } from '../../src/common/crypto/protected-id';
import { SecretBox } from '../../src/common/crypto/secret-box';
import type { CreateResult } from '../../src/modules/cards/reservation/card-reservation.service';
import { hashSecret } from '../../src/common/crypto/secret-hash';
import { CardReservation } from '../../src/modules/cards/lifecycle/card-reservation.entity';
import type { CardState } from '../../src/modules/cards/lifecycle/card-state';
import { Card } from '../../src/modules/cards/lifecycle/card.entity';
import { generateReference } from '../../src/modules/cards/lifecycle/reference-number';
import { addDays, taipeiDay } from '../../src/common/time/taipei-day';
import { CertificateIssuer, type IssueRequest } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { DEMO_FIXTURES, type DemoProfessional } from '../../src/modules/reference/data';
import type { ReaderHelper } from '../../src/reader-helper/main';
import { createDevelopmentCard, writeCardCertificate } from '../../src/shared/pkcs11';
import type supertest from 'supertest';
import { csrfFrom, type TestApp } from './app';

export interface TestCard {
  card: Card;
  cardNumber: string;
  label: string;
  pin: string;
  puk: string;
  userCode: string;
  certificateId: number;
  der: Buffer;
}

export interface TestCardOptions {
  modulePath: string;
  person?: DemoProfessional;
  /** Default 'issued' (not opened, as a counter hands it over); 'active' makes an opened card. */
  state?: Extract<CardState, 'issued' | 'active'>;
  email?: string | null;
  userCode?: string;
  validity?: IssueRequest['validity'];
}

/**
 * An issued card, made the way counter issuance makes one (kept small): an approved reservation,
 * a SoftHSM2 token `card-<number>` with its key generated on it (PIN and PUK known to the test),
 * the HCA certificate for that key written onto it, and the `card` row (PUK sealed with
 * SecretBox('card-puk'), the user code as the reservation's scrypt hash). Needs the development
 * PKI (DevPkiService.init).
 */
export async function createIssuedCard(t: TestApp, options: TestCardOptions): Promise<TestCard> {
  const person = options.person ?? DEMO_FIXTURES.physicianAtClinic;
  const state = options.state ?? 'issued';
  const userCode = options.userCode ?? 'Ab3dE9';
  const email = options.email === undefined ? person.email : options.email;
  const pin = String(randomInt(100000, 1000000));
  const puk = String(randomInt(10_000_000, 100_000_000));
  const cardNumber = String(randomInt(100_000_000_000, 1_000_000_000_000));
  const label = `card-${cardNumber}`;
  const ids = new ProtectedIdCodec(t.config.dataKey);
  const protectedId = ids.protect(person.nationalId);
  const userCodeHash = await hashSecret(userCode);
  const now = new Date();

  const reservations = t.dataSource.getRepository(CardReservation);
  const reference = generateReference(now);
  await reservations.insert({
    reference,
    cardType: 'personnel',
    status: 'approved',
    nationalIdCipher: protectedId.cipher,
    nationalIdIndex: protectedId.index,
    categoryCode: person.categoryCode,
    certificateNumber: person.certificateNumber,
    applicantName: person.nameZh,
    professionalId: null,
    institutionCode: person.homeInstitutionCode,
    counterCode: 'HB-63000',
    counterCountyCode: '63000',
    // A counter visit in the past: the card was issued, so it is on no counter's list of today and later.
    counterDate: addDays(taipeiDay(now), -30),
    phone: '0912-345-678',
    email,
    agentName: null,
    agentNationalIdCipher: null,
    agentNationalIdIndex: null,
    userCodeHash,
    mailingAddress: '臺北市大安區復興南路一段200號',
    lang: 'zh-TW',
    decidedAt: now,
    decidedBy: 'test',
    decisionReason: null,
    documentsChecked: 'id,licence,certificate',
    replacesCardId: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  const reservation = await reservations.findOneByOrFail({ reference });

  const token = createDevelopmentCard({ module: options.modulePath, label, pin, soPin: puk, keyType: 'ec-p256', opened: state === 'active' });
  const issued = await t.app.get(CertificateIssuer).issue({
    family: 'hca',
    subjectType: 'personnel',
    subject: { name: person.nameZh, nationalId: person.nationalId },
    spki: token.spki,
    holderRef: `card:${cardNumber}`,
    ...(options.validity ? { validity: options.validity } : {}),
  });
  writeCardCertificate({ module: options.modulePath, label, soPin: puk, certificate: issued.der });

  await t.dataSource.getRepository(Card).insert({
    cardNumber,
    reservationId: reservation.id,
    cardType: 'personnel',
    state,
    holderName: person.nameZh,
    nationalIdIndex: protectedId.index,
    institutionCode: person.homeInstitutionCode,
    email,
    tokenLabel: label,
    certificateId: issued.id,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    pukCipher: new SecretBox(t.config.dataKey, 'card-puk').seal(puk),
    userCodeHash,
    userCodeFailures: 0,
    userCodeLockedUntil: null,
    openedAt: state === 'active' ? now : null,
    revocationReason: null,
    replacedByCardId: null,
    expiryRemindedAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  const card = await t.dataSource.getRepository(Card).findOneByOrFail({ cardNumber });
  return { card, cardNumber, label, pin, puk, userCode, certificateId: issued.id, der: issued.der };
}

/** Re-signs the HCA issuing CA's CRL and drops the trust store's caches, so a hold or revocation shows at once. */
export async function publishHcaCrl(t: TestApp): Promise<void> {
  const issuing = await t.app.get(CertificateIssuer).issuingCa('hca');
  await t.app.get(CrlService).publish(issuing.id);
  t.app.get(TrustStoreService).invalidate();
}

export interface HelperReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface HelperRequestOptions {
  /** The Origin header; null sends none. */
  origin: string | null;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (content type JSON unless `headers` says otherwise). */
  rawBody?: string;
  /** The Host header (default: the helper's own address). */
  host?: string;
  headers?: Record<string, string>;
}

/** One HTTP request to the reader helper with full control of Host and Origin, as a browser would send it. */
export function helperRequest(port: number, method: string, path: string, options: HelperRequestOptions): Promise<HelperReply> {
  const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${port}`, ...options.headers };
  if (options.origin !== null) headers.origin = options.origin;
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A call to the reader helper as a page of `origin` makes it (Origin and Host headers, JSON). */
export function callHelper(helper: ReaderHelper, origin: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<HelperReply> {
  return helperRequest(helper.port, method, path, { origin, body });
}

/** The reference of a reservation the service recorded (a test draft that no longer passes is a failure of the test itself). */
export function createdReference(result: CreateResult): string {
  if (result.reference === null) throw new Error(`the test reservation was refused at ${result.step}: ${JSON.stringify(result.errors)}`);
  return result.reference;
}

/** The county whose health stations the tests make: no test looks at its list of counters. */
export const TEST_COUNTER_COUNTY = '10017';

/**
 * A registration counter of the test's own (a health station in TEST_COUNTER_COUNTY), so its list
 * of reservations holds only what this test booked there, whatever other files did.
 */
export async function createTestCounter(t: TestApp): Promise<{ code: string; nameZh: string; countyCode: string }> {
  const id = randomBytes(4).toString('hex');
  const counter = { code: `HS-T-${id}`, nameZh: `測試衛生所 ${id}`, countyCode: TEST_COUNTER_COUNTY };
  await t.dataSource.query(
    `INSERT INTO registration_counter (code, kind, name_zh, name_en, county_code, institution_code, address, phone, hours_zh, hours_en, active)
     VALUES (?, 'health_station', ?, ?, ?, NULL, '基隆市仁愛區測試路1號', '02-24200000', '週一至週五 08:30–17:30', 'Mon–Fri 08:30–17:30', 1)`,
    [counter.code, counter.nameZh, `Test health station ${id}`, counter.countyCode],
  );
  return counter;
}

/**
 * A new browser at the details step of a personnel-card reservation for the demo physician of
 * the initial-review hospital (terms agreed, applicant checked), from `client` (X-Forwarded-For,
 * for apps behind TRUST_PROXY); with the CSRF token bound to its session.
 */
export async function reservationAtDetails(t: TestApp, client = '127.0.0.1'): Promise<{ agent: supertest.Agent; token: string }> {
  const doctor = DEMO_FIXTURES.physicianAtInitialReviewHospital;
  const agent = t.agent();
  const start = await agent.get('/cards/reserve/personnel').set('X-Forwarded-For', client).expect(200);
  await agent.post('/cards/reserve/personnel/terms').set('X-Forwarded-For', client).type('form').send({ _csrf: csrfFrom(start.text), agree: 'yes' }).expect(303);
  // the session now exists: its pages carry the token bound to it
  const token = csrfFrom((await agent.get('/cards/reserve/personnel/applicant').set('X-Forwarded-For', client).expect(200)).text);
  await agent
    .post('/cards/reserve/personnel/applicant')
    .set('X-Forwarded-For', client)
    .type('form')
    .send({ _csrf: token, nationalId: doctor.nationalId, category: doctor.categoryCode, certificateNumber: doctor.certificateNumber, name: doctor.nameZh })
    .expect(303);
  return { agent, token };
}

/** The details step's form for reservationAtDetails (the hospital's own counter on `counterDate`), with `extra` fields changed. */
export function reservationDetailsForm(counterDate: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    county: '',
    counter: DEMO_FIXTURES.initialReviewHospital.code,
    counterDate,
    phone: '0912345678',
    email: '',
    agentName: '',
    agentNationalId: '',
    mailingAddress: '臺北市中正區中山南路100號',
    userCode: 'Hx7pQ2',
    userCodeConfirm: 'Hx7pQ2',
    ...extra,
  };
}
