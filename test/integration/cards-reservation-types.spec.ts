import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import type supertest from 'supertest';
import { ProtectedIdCodec } from '../../src/common/crypto/protected-id';
import { translate } from '../../src/common/i18n/i18n';
import { maskNationalId } from '../../src/common/identifiers';
import { REDIS } from '../../src/core/core.module';
import { CardReservation } from '../../src/modules/cards/lifecycle/card-reservation.entity';
import { CardReservationService } from '../../src/modules/cards/reservation/card-reservation.service';
import { firstBookableDay } from '../../src/modules/cards/lifecycle/counter-date';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';

type Agent = supertest.Agent;

const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);
/** Handlebars escapes quotes in text: compare messages as they appear in the HTML. */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');

const CLINIC = DEMO_FIXTURES.clinic; // Da'an clinic, Taipei (not an initial-review counter)
const CLINIC_DOCTOR = DEMO_FIXTURES.physicianAtClinic;
const CONTACT = DEMO_FIXTURES.pharmacistAtPharmacy;
const USER_CODE = 'aB3dE9';
/** A valid business number (統一編號) and one with a wrong check digit. */
const BUSINESS_NUMBER = '04595257';
const BAD_BUSINESS_NUMBER = '04595258';

function binary(res: supertest.Response & { body: unknown }, callback: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

function pdfText(pdf: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cards-pdf-')), 'application.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

describe('card reservation: attached cards (醫事機構附卡) and test cards (醫事憑證測試卡)', () => {
  let t: TestApp;
  let firstDay: string;

  beforeAll(async () => {
    t = await createTestApp();
    firstDay = firstBookableDay(await t.app.get(CardReservationService).calendar())!;
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    const redis = t.app.get<Redis>(REDIS);
    const keys = await redis.keys('cards:*');
    if (keys.length) await redis.del(...keys);
  });

  async function post(agent: Agent, path: string, form: Record<string, string>) {
    const token = csrfFrom((await agent.get('/cards/reserve/personnel').expect(200)).text);
    return agent.post(path).type('form').send({ _csrf: token, ...form });
  }

  async function agreed(type: 'attached' | 'test'): Promise<Agent> {
    const agent = t.agent();
    const res = await post(agent, `/cards/reserve/${type}/terms`, { agree: 'yes' });
    expect(res.headers.location).toBe(`/cards/reserve/${type}/applicant`);
    return agent;
  }

  function detailsForm(extra: Record<string, string>) {
    return { counterDate: firstDay, phone: '0223456789', email: '', agentName: '', agentNationalId: '', mailingAddress: '臺北市大安區復興南路一段200號', userCode: USER_CODE, userCodeConfirm: USER_CODE, ...extra };
  }

  /** details → check your answers → submit; returns the check page and the confirmation's reference. */
  async function finish(agent: Agent, type: 'attached' | 'test', details: Record<string, string>) {
    const saved = await post(agent, `/cards/reserve/${type}/details`, detailsForm(details));
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/cards/reserve/${type}/check`);
    const check = await agent.get(`/cards/reserve/${type}/check`).expect(200);
    const done = await post(agent, `/cards/reserve/${type}/check`, {});
    expect(done.status).toBe(303);
    const reference = /^\/cards\/reservations\/(R\w+)\/confirmation$/.exec(done.headers.location)![1];
    const confirmation = await agent.get(done.headers.location).expect(200);
    const pdf = await agent.get(`/cards/reservations/${reference}/application.pdf`).buffer(true).parse(binary as never).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    return { check: check.text, reference, confirmation: confirmation.text, pdf: pdfText(pdf.body as Buffer) };
  }

  const attachedForm = (extra: Record<string, string> = {}) => ({
    institutionCode: CLINIC.code,
    responsibleName: '林志明',
    responsibleNationalId: CLINIC_DOCTOR.nationalId,
    cardCount: '2',
    purpose: '分院櫃台使用',
    ...extra,
  });

  const testForm = (extra: Record<string, string> = {}) => ({
    organisationName: '示範資訊股份有限公司',
    businessNumber: BUSINESS_NUMBER,
    contactName: '張開發',
    contactNationalId: CONTACT.nationalId,
    cardCount: '3',
    purpose: '門診系統讀卡模組測試',
    ...extra,
  });

  it('reserves attached cards for an institution, with its counters, documents and PDF title', async () => {
    const start = await t.agent().get('/cards/reserve/attached').expect(200);
    expect(start.text).toContain(zh('cards.reserve.attached.title'));
    expect(start.text).toContain(zh('cards.documents.attached.self.4'));
    expect(start.text).toContain(zh('cards.start.need.attached'));

    const agent = await agreed('attached');
    const form = await agent.get('/cards/reserve/attached/applicant').expect(200);
    expect(form.text).toContain('name="cardCount"');
    expect(form.text).toContain('name="purpose"');
    expect((await post(agent, '/cards/reserve/attached/applicant', attachedForm())).headers.location).toBe('/cards/reserve/attached/details');

    // counter rules as for institution cards: a clinic gets its county's bureau and stations
    const details = await agent.get('/cards/reserve/attached/details').expect(200);
    expect(details.text).toContain('value="HS-63000-01"');
    const { check, reference, confirmation, pdf } = await finish(agent, 'attached', { county: '63000', counter: 'HB-63000' });
    expect(check).toContain(zh('cards.check.applicantHeading.attached'));
    expect(check).toContain('href="/cards/reserve/attached/applicant#cardCount"');
    expect(check).toContain('分院櫃台使用');

    expect(confirmation).toContain(zh('cards.reserve.attached.title'));
    expect(confirmation).toContain(zh('cards.documents.attached.self.4'));
    expect(confirmation).toContain(CLINIC.nameZh);
    expect(confirmation).toContain(maskNationalId(CLINIC_DOCTOR.nationalId));
    expect(confirmation).not.toContain(CLINIC_DOCTOR.nationalId);

    const row = await t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference });
    expect(row).toMatchObject({ cardType: 'attached', status: 'reserved', institutionCode: CLINIC.code, applicantName: '林志明', cardCount: 2, purpose: '分院櫃台使用', organisationName: null, businessNumber: null, counterCode: 'HB-63000' });
    expect(new ProtectedIdCodec(t.config.dataKey).reveal(row.nationalIdCipher)).toBe(CLINIC_DOCTOR.nationalId);

    expect(pdf).toContain('醫事機構附卡申請書');
    expect(pdf).toContain(reference);
    expect(pdf).toContain(CLINIC.nameZh);
    expect(pdf).toContain('分院櫃台使用');
  });

  it('refuses an attached-card count out of range, keeping the values', async () => {
    const agent = await agreed('attached');
    for (const cardCount of ['6', '0']) {
      const res = await post(agent, '/cards/reserve/attached/applicant', attachedForm({ cardCount }));
      expect(res.status).toBe(422);
      expect(res.text).toContain('<title>錯誤：');
      expect(res.text).toContain(`<a href="#cardCount">${html(zh('cards.errors.cardCount.range', { max: 5 }))}</a>`);
      expect(res.text).toContain(`value="${cardCount}"`);
      expect(res.text).toContain(`value="${CLINIC.code}"`);
      expect(res.text).toContain('>分院櫃台使用</textarea>');
    }
    const empty = await post(agent, '/cards/reserve/attached/applicant', attachedForm({ cardCount: '', purpose: '' }));
    expect(empty.text).toContain(html(zh('cards.errors.cardCount.empty', { max: 5 })));
    expect(empty.text).toContain(html(zh('cards.errors.purpose.empty')));
    // still refused: the journey does not go on to the details
    expect((await agent.get('/cards/reserve/attached/details').expect(303)).headers.location).toBe('/cards/reserve/attached/applicant');
  });

  it('reserves test cards for a developer, at the health bureau of any county', async () => {
    const start = await t.agent().get('/cards/reserve/test').expect(200);
    expect(start.text).toContain(zh('cards.reserve.test.title'));
    expect(start.text).toContain(zh('cards.start.counterTest'));
    expect(start.text).toContain(zh('cards.documents.test.self.2'));

    const agent = await agreed('test');
    expect((await post(agent, '/cards/reserve/test/applicant', testForm({ businessNumber: ' 0459-5257 ' }))).headers.location).toBe('/cards/reserve/test/details');

    // no institution: no county chosen yet, and only health bureaus (no stations) on offer
    const details = await agent.get('/cards/reserve/test/details').expect(200);
    expect(details.text).toContain(zh('cards.details.bureauRuleTest'));
    expect(details.text).toContain(html(zh('cards.details.noCounters')));
    const newTaipei = await agent.get('/cards/reserve/test/details?county=65000').expect(200);
    expect(newTaipei.text).toContain('value="HB-65000"');
    expect(newTaipei.text).not.toContain('value="HS-65000-01"');
    const station = await post(agent, '/cards/reserve/test/details', detailsForm({ county: '65000', counter: 'HS-65000-01' }));
    expect(station.status).toBe(422);
    expect(station.text).toContain(html(zh('cards.errors.counter.notOffered')));

    const { check, reference, confirmation, pdf } = await finish(agent, 'test', { county: '65000', counter: 'HB-65000' });
    expect(check).toContain(zh('cards.check.applicantHeading.test'));
    expect(check).toContain(BUSINESS_NUMBER);
    expect(check).toContain('href="/cards/reserve/test/applicant#businessNumber"');

    expect(confirmation).toContain(zh('cards.reserve.test.title'));
    expect(confirmation).toContain(zh('cards.documents.test.self.2'));
    expect(confirmation).toContain('示範資訊股份有限公司');
    expect(confirmation).not.toContain(CONTACT.nationalId);

    const row = await t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference });
    expect(row).toMatchObject({ cardType: 'test', institutionCode: null, applicantName: '張開發', organisationName: '示範資訊股份有限公司', businessNumber: BUSINESS_NUMBER, cardCount: 3, purpose: '門診系統讀卡模組測試', counterCode: 'HB-65000', counterCountyCode: '65000' });

    expect(pdf).toContain('醫事憑證測試卡申請書');
    expect(pdf).toContain(reference);
    expect(pdf).toContain(BUSINESS_NUMBER);
    expect(pdf).toContain(zh('cards.documents.test.self.2'));
  });

  it('refuses a bad business number (and too many test cards), keeping the values', async () => {
    const agent = await agreed('test');
    const res = await post(agent, '/cards/reserve/test/applicant', testForm({ businessNumber: BAD_BUSINESS_NUMBER, cardCount: '4' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain(`<a href="#businessNumber">${html(zh('cards.errors.businessNumber.checksum'))}</a>`);
    expect(res.text).toContain(`<a href="#cardCount">${html(zh('cards.errors.cardCount.range', { max: 3 }))}</a>`);
    expect(res.text).toContain(`value="${BAD_BUSINESS_NUMBER}"`);
    expect(res.text).toContain('value="示範資訊股份有限公司"');
    expect(res.text).toContain(`value="${CONTACT.nationalId}"`);
    expect(res.text).toContain('>門診系統讀卡模組測試</textarea>');
    const format = await post(agent, '/cards/reserve/test/applicant', testForm({ businessNumber: '1234' }));
    expect(format.text).toContain(html(zh('cards.errors.businessNumber.format')));
  });

  it('lists both on the home page', async () => {
    const home = await t.agent().get('/').expect(200);
    expect(home.text).toContain('href="/cards/reserve/attached"');
    expect(home.text).toContain('href="/cards/reserve/test"');
    expect(home.text).toContain(zh('cards.reserve.test.title'));
  });
});
