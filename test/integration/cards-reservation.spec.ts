import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import type supertest from 'supertest';
import { ProtectedIdCodec } from '../../src/common/crypto/protected-id';
import { formatDay } from '../../src/common/i18n/dates';
import { translate } from '../../src/common/i18n/i18n';
import { maskNationalId } from '../../src/common/identifiers';
import { REDIS } from '../../src/core/core.module';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { verifySecret } from '../../src/common/crypto/secret-hash';
import { CardReservation, CounterClosedDay } from '../../src/modules/cards/lifecycle/card-reservation.entity';
import { CardReservationService } from '../../src/modules/cards/reservation/card-reservation.service';
import { addDays, dayOfWeek, firstBookableDay, taipeiDay } from '../../src/modules/cards/lifecycle/counter-date';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';

type Agent = supertest.Agent;

const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);
/** Handlebars escapes quotes in text: compare messages as they appear in the HTML. */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');

const HOSPITAL_DOCTOR = DEMO_FIXTURES.physicianAtInitialReviewHospital; // 王小明, Taipei medical center (an initial-review counter)
const CLINIC_DOCTOR = DEMO_FIXTURES.physicianAtClinic; // 林志明, Da'an clinic in Taipei
const HOSPITAL = DEMO_FIXTURES.initialReviewHospital;
const USER_CODE = 'aB3dE9';

/** A PDF response body as bytes. */
function binary(res: supertest.Response & { body: unknown }, callback: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'cards-pdf-'));
  const file = join(dir, 'application.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

describe('card reservation (online, personnel and institution cards)', () => {
  let t: TestApp;
  let redis: Redis;
  let firstDay: string;
  let secondDay: string;

  beforeAll(async () => {
    t = await createTestApp();
    redis = t.app.get<Redis>(REDIS);
    const calendar = await t.app.get(CardReservationService).calendar();
    firstDay = firstBookableDay(calendar)!;
    secondDay = firstBookableDay({ ...calendar, today: firstDay })!;
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    const keys = await redis.keys('cards:*');
    if (keys.length) await redis.del(...keys);
  });

  /** GET a page (expecting 200) and return the CSRF token it carries. */
  async function csrf(agent: Agent, path = '/cards/reserve/personnel'): Promise<string> {
    return csrfFrom((await agent.get(path).expect(200)).text);
  }

  async function post(agent: Agent, path: string, form: Record<string, string>) {
    // the token first: a fresh agent gets its CSRF cookie with that page, and a request takes the cookies it has when created
    const token = await csrf(agent);
    return agent.post(path).type('form').send({ _csrf: token, ...form });
  }

  async function agreed(type: 'personnel' | 'institution' = 'personnel'): Promise<Agent> {
    const agent = t.agent();
    const res = await post(agent, `/cards/reserve/${type}/terms`, { agree: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/cards/reserve/${type}/applicant`);
    return agent;
  }

  function personnelForm(person: typeof HOSPITAL_DOCTOR) {
    return { nationalId: person.nationalId, category: person.categoryCode, certificateNumber: person.certificateNumber, name: person.nameZh };
  }

  async function atDetails(person: typeof HOSPITAL_DOCTOR = HOSPITAL_DOCTOR): Promise<Agent> {
    const agent = await agreed();
    const res = await post(agent, '/cards/reserve/personnel/applicant', personnelForm(person));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/cards/reserve/personnel/details');
    return agent;
  }

  function detailsForm(extra: Record<string, string> = {}) {
    return {
      county: '',
      counter: HOSPITAL.code,
      counterDate: firstDay,
      phone: '0912345678',
      email: 'wang.test@example.test',
      agentName: '',
      agentNationalId: '',
      mailingAddress: '臺北市中正區中山南路100號',
      userCode: USER_CODE,
      userCodeConfirm: USER_CODE,
      ...extra,
    };
  }

  async function reserve(agent: Agent, form: Record<string, string>, type: 'personnel' | 'institution' = 'personnel'): Promise<string> {
    const details = await post(agent, `/cards/reserve/${type}/details`, form);
    expect(details.status).toBe(303);
    expect(details.headers.location).toBe(`/cards/reserve/${type}/check`);
    const done = await post(agent, `/cards/reserve/${type}/check`, {});
    expect(done.status).toBe(303);
    const reference = /^\/cards\/reservations\/(R\d{8}[2-9A-HJ-NP-Z]{6})\/confirmation$/.exec(done.headers.location)?.[1];
    expect(reference).toBeDefined();
    return reference!;
  }

  function pdfOf(agent: Agent, reference: string) {
    return agent.get(`/cards/reservations/${reference}/application.pdf`).buffer(true).parse(binary as never);
  }

  it('walks a hospital physician from the instructions to the confirmation, the audit row, the e-mail and the PDF', async () => {
    const agent = t.agent();
    const start = await agent.get('/cards/reserve/personnel').expect(200);
    expect(start.text).toContain(zh('cards.reserve.personnel.title'));
    expect(start.text).toContain(zh('cards.start.counterHospital'));
    expect(start.text).toContain('href="/cards/reserve/personnel/terms"');
    // the later steps send you back to the terms until you agree
    expect((await agent.get('/cards/reserve/personnel/details').expect(303)).headers.location).toBe('/cards/reserve/personnel/terms');

    const terms = await agent.get('/cards/reserve/personnel/terms').expect(200);
    expect(terms.text).toContain(zh('cards.terms.obligation4'));
    const refused = await post(agent, '/cards/reserve/personnel/terms', {});
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('<title>錯誤：');
    expect(refused.text).toContain('govuk-error-summary');
    expect(refused.text).toContain(html(zh('cards.errors.agree')));
    expect((await post(agent, '/cards/reserve/personnel/terms', { agree: 'yes' })).headers.location).toBe('/cards/reserve/personnel/applicant');

    // lowercase ID and an unpadded certificate number are normalised
    const applicant = await post(agent, '/cards/reserve/personnel/applicant', {
      ...personnelForm(HOSPITAL_DOCTOR),
      nationalId: HOSPITAL_DOCTOR.nationalId.toLowerCase(),
      certificateNumber: String(Number(HOSPITAL_DOCTOR.certificateNumber)),
    });
    expect(applicant.status).toBe(303);

    // the counter rule: staff of an initial-review hospital are offered that hospital's counter, and told why
    const details = await agent.get('/cards/reserve/personnel/details').expect(200);
    expect(details.text).toContain(html(zh('cards.details.ownHospital', { institution: HOSPITAL.nameZh })));
    expect(details.text).toMatch(new RegExp(`name="counter" type="radio" value="${HOSPITAL.code}" checked`));
    expect(details.text).not.toContain('value="HB-63000"');
    expect(details.text).not.toContain('id="county"');

    const toCheck = await post(agent, '/cards/reserve/personnel/details', detailsForm());
    expect(toCheck.status).toBe(303);
    const check = await agent.get('/cards/reserve/personnel/check').expect(200);
    // the applicant's own check page shows the ID in full, to be verified (docs/ui-conventions.md)
    expect(check.text).toContain(HOSPITAL_DOCTOR.nationalId);
    expect(check.text).not.toContain(USER_CODE);
    expect(check.text).toContain(zh('cards.check.userCodeSet'));
    expect(check.text).toContain(HOSPITAL.nameZh);
    expect(check.text).toContain('href="/cards/reserve/personnel/applicant#nationalId"');
    expect(check.text).toContain('href="/cards/reserve/personnel/details#counterDate"');

    const done = await post(agent, '/cards/reserve/personnel/check', {});
    expect(done.status).toBe(303);
    const reference = /\/cards\/reservations\/(R\w+)\/confirmation/.exec(done.headers.location)![1];
    expect(reference.slice(1, 9)).toBe(taipeiDay().replace(/-/g, ''));

    const confirmation = await agent.get(done.headers.location).expect(200);
    expect(confirmation.text).toContain('govuk-panel--confirmation');
    expect(confirmation.text).toContain(reference);
    expect(confirmation.text).toContain(HOSPITAL.address);
    expect(confirmation.text).toContain('週一至週五 08:30–17:00');
    expect(confirmation.text).toContain(zh('cards.documents.personnel.self.3'));
    expect(confirmation.text).toContain(`href="/cards/reservations/${reference}/application.pdf"`);
    expect(confirmation.text).toContain('data-app-print');
    expect(confirmation.text).not.toContain(HOSPITAL_DOCTOR.nationalId);
    // the draft is gone: a second submit cannot make a second reservation
    expect((await agent.get('/cards/reserve/personnel/check').expect(303)).headers.location).toBe('/cards/reserve/personnel/terms');

    // stored: protected ID, hashed user code, status reserved
    const row = await t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference });
    const codec = new ProtectedIdCodec(t.config.dataKey);
    expect(row).toMatchObject({
      cardType: 'personnel',
      status: 'reserved',
      categoryCode: HOSPITAL_DOCTOR.categoryCode,
      certificateNumber: HOSPITAL_DOCTOR.certificateNumber,
      applicantName: HOSPITAL_DOCTOR.nameZh,
      institutionCode: HOSPITAL.code,
      counterCode: HOSPITAL.code,
      counterDate: firstDay,
      phone: '0912-345-678',
      email: 'wang.test@example.test',
      agentName: null,
      version: 1,
    });
    expect(codec.reveal(row.nationalIdCipher)).toBe(HOSPITAL_DOCTOR.nationalId);
    expect(row.nationalIdIndex).toBe(codec.index(HOSPITAL_DOCTOR.nationalId));
    expect(await verifySecret(USER_CODE, row.userCodeHash)).toBe(true);
    expect(await verifySecret(USER_CODE.toUpperCase(), row.userCodeHash)).toBe(false);
    const [raw] = await t.dataSource.query('SELECT * FROM card_reservation WHERE reference = ?', [reference]);
    expect(JSON.stringify(raw)).not.toContain(HOSPITAL_DOCTOR.nationalId);
    expect(JSON.stringify(raw)).not.toContain(USER_CODE);

    const audit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'cards.reservation.create', targetId: reference });
    expect(audit.summary).toMatchObject({ cardType: 'personnel', nationalId: maskNationalId(HOSPITAL_DOCTOR.nationalId), counter: HOSPITAL.code, counterDate: firstDay });
    expect(JSON.stringify(audit)).not.toContain(HOSPITAL_DOCTOR.nationalId);
    expect(JSON.stringify(audit)).not.toContain(USER_CODE);

    const outbox = (await t.dataSource.getRepository(OutboxMessage).find()).filter((m) => m.payload.includes(reference));
    expect(outbox).toHaveLength(1);
    const mail = JSON.parse(outbox[0].payload) as { to: string[]; subject: string; text: string };
    expect(mail.to).toEqual(['wang.test@example.test']);
    expect(mail.subject).toContain(reference);
    expect(mail.text).toContain(HOSPITAL.nameZh);
    expect(mail.text).toContain(HOSPITAL.address);
    expect(mail.text).toContain('/cards/lookup');
    expect(mail.text).not.toContain(USER_CODE);
    expect(mail.text).not.toContain(HOSPITAL_DOCTOR.nationalId);

    // the printable form: A4 PDF with the CJK font embedded, the full ID for the applicant's own copy
    const pdf = await pdfOf(agent, reference).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['cache-control']).toBe('no-store');
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.toString('latin1')).toContain('NotoSansCJKtc-Regular');
    expect(bytes.toString('latin1')).toMatch(/\/FontFile[23]?/);
    expect(bytes.toString('latin1')).toContain('/MediaBox [0 0 595.28 841.89]');
    const text = pdfText(bytes);
    expect(text).toContain('醫事人員憑證IC卡申請書');
    expect(text).toContain(reference);
    expect(text).toContain(HOSPITAL_DOCTOR.nationalId);
    expect(text).toContain('用戶代碼存根聯');
    expect(text).toContain(zh('cards.documents.personnel.self.4'));
    expect(text).not.toContain(USER_CODE);
    // a download named in zh-TW (RFC 6266 filename*), with an ASCII name for old clients
    expect(pdf.headers['content-disposition']).toBe(`attachment; filename="application-${reference}.pdf"; filename*=UTF-8''${encodeURIComponent(`醫事人員憑證IC卡申請書-${reference}.pdf`)}`);
    // the two days cannot be confused: when it was reserved (header) and when to go (its own labelled row)
    expect(text).toContain(`${zh('cards.pdf.createdDay')}${formatDay(taipeiDay(), 'zh-TW')}`);
    expect(text).toContain(zh('cards.pdf.counterDate'));
    expect(text).toContain(formatDay(firstDay, 'zh-TW'));
    expect(text).not.toMatch(/(^|[^上])預約日期：/m);
  });

  it('offers a clinic physician the health bureaus and stations by county, with and without htmx', async () => {
    const agent = await atDetails(CLINIC_DOCTOR);
    const details = await agent.get('/cards/reserve/personnel/details').expect(200);
    expect(details.text).toContain(html(zh('cards.details.bureauRule', { institution: DEMO_FIXTURES.clinic.nameZh })));
    // the clinic's county (Taipei) is chosen, with its bureau and stations, and no hospital counter
    expect(details.text).toMatch(/<option value="63000" selected>/);
    expect(details.text).toContain('value="HB-63000"');
    expect(details.text).toContain('value="HS-63000-01"');
    expect(details.text).not.toContain(`value="${HOSPITAL.code}"`);
    expect(details.text).not.toContain('value="HB-65000"');

    // the "update list" button: a plain GET with the county
    const newTaipei = await agent.get('/cards/reserve/personnel/details?county=65000').expect(200);
    expect(newTaipei.text).toContain('value="HB-65000"');
    expect(newTaipei.text).toContain('value="HS-65000-01"');
    expect(newTaipei.text).not.toContain('value="HB-63000"');
    expect(newTaipei.text).toContain('<input type="hidden" name="county" value="65000">');
    // htmx asks the same URL and gets the page without the layout (it selects #counter-options)
    const fragment = await agent.get('/cards/reserve/personnel/details?county=65000').set('HX-Request', 'true').expect(200);
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).toContain('id="counter-options"');
    expect(fragment.text).toContain('value="HB-65000"');

    // a counter that is not on offer (another hospital's) is refused, even if posted by hand
    const hospital = await post(agent, '/cards/reserve/personnel/details', detailsForm({ county: '63000', counter: HOSPITAL.code }));
    expect(hospital.status).toBe(422);
    expect(hospital.text).toContain(html(zh('cards.errors.counter.notOffered')));
    // a station of the chosen county is accepted; with an agent and without an e-mail
    const reference = await reserve(
      agent,
      detailsForm({ county: '65000', counter: 'HS-65000-01', counterDate: secondDay, email: '', agentName: '陳代理', agentNationalId: DEMO_FIXTURES.pharmacistAtPharmacy.nationalId }),
    );
    const row = await t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference });
    expect(row).toMatchObject({ counterCode: 'HS-65000-01', counterCountyCode: '65000', institutionCode: DEMO_FIXTURES.clinic.code, email: null, agentName: '陳代理' });
    expect(row.agentNationalIdIndex).toBe(new ProtectedIdCodec(t.config.dataKey).index(DEMO_FIXTURES.pharmacistAtPharmacy.nationalId));
    // no e-mail address, no e-mail
    expect((await t.dataSource.getRepository(OutboxMessage).find()).filter((m) => m.payload.includes(reference))).toHaveLength(0);
    // the agent's documents list, and the agent's ID masked on the printout
    const confirmation = await agent.get(`/cards/reservations/${reference}/confirmation`).expect(200);
    expect(confirmation.text).toContain(zh('cards.documents.personnel.agent.4'));
    const text = pdfText((await pdfOf(agent, reference).expect(200)).body as Buffer);
    expect(text).toContain(maskNationalId(DEMO_FIXTURES.pharmacistAtPharmacy.nationalId));
    expect(text).not.toContain(DEMO_FIXTURES.pharmacistAtPharmacy.nationalId);
  });

  describe('applicant step validation', () => {
    it('refuses a bad national ID, category and number, keeping the values, with an error summary', async () => {
      const agent = await agreed();
      const res = await post(agent, '/cards/reserve/personnel/applicant', { nationalId: 'a123456788', category: '', certificateNumber: '12x', name: '王小明' });
      expect(res.status).toBe(422);
      expect(res.text).toContain('<title>錯誤：');
      expect(res.text).toContain('<a href="#nationalId">');
      expect(res.text).toContain(html(zh('cards.errors.nationalId.checksum')));
      expect(res.text).toContain('<a href="#category">');
      expect(res.text).toContain(html(zh('cards.errors.category.empty')));
      expect(res.text).toContain(html(zh('cards.errors.certificateNumber.format')));
      expect(res.text).toContain('value="A123456788"');
      expect(res.text).toContain('value="12x"');
      expect(res.text).toContain('value="王小明"');
      const format = await post(agent, '/cards/reserve/personnel/applicant', { nationalId: 'A12345', category: 'O', certificateNumber: '', name: '' });
      expect(format.text).toContain(html(zh('cards.errors.nationalId.format')));
      expect(format.text).toContain(html(zh('cards.errors.category.invalid')));
      expect(format.text).toContain(html(zh('cards.errors.certificateNumber.empty')));
      expect(format.text).toContain(html(zh('cards.errors.name.empty')));
    });

    it('accepts all three ID formats: a new-format resident certificate matches, an old-format one reaches the registry check', async () => {
      const agent = await agreed();
      expect(DEMO_FIXTURES.residentPhysician.nationalId).toMatch(/^[A-Z][89]/);
      const res = await post(agent, '/cards/reserve/personnel/applicant', personnelForm(DEMO_FIXTURES.residentPhysician));
      expect(res.status).toBe(303);
      // AC01234567 is a valid old-format number: not a format error, just not in the registry
      const old = await post(agent, '/cards/reserve/personnel/applicant', { ...personnelForm(HOSPITAL_DOCTOR), nationalId: 'ac01234567' });
      expect(old.status).toBe(422);
      expect(old.text).toContain(html(zh('cards.errors.registryMismatch')));
      expect(old.text).toContain('value="AC01234567"');
    });

    it('says what to check when the registry does not match, without revealing the registry', async () => {
      const agent = await agreed();
      for (const form of [
        { ...personnelForm(HOSPITAL_DOCTOR), name: '王大明' },
        { ...personnelForm(HOSPITAL_DOCTOR), certificateNumber: '010002' },
        { ...personnelForm(HOSPITAL_DOCTOR), category: 'B' },
        { ...personnelForm(HOSPITAL_DOCTOR), nationalId: 'A123456789' },
      ]) {
        const res = await post(agent, '/cards/reserve/personnel/applicant', form);
        expect(res.status).toBe(422);
        expect(res.text).toContain(html(zh('cards.errors.registryMismatch')));
        // one error for the group of four fields, whichever was wrong: the summary links to the
        // group, all four are outlined, none has an error of its own
        expect(res.text).toContain(`<a href="#registry">${html(zh('cards.errors.registryMismatch'))}</a>`);
        expect(res.text).toMatch(/govuk-form-group--error app-group--error">\s*<fieldset class="govuk-fieldset" id="registry"/);
        expect(res.text).not.toMatch(/id="(nationalId|category|certificateNumber|name)-error"/);
        expect(res.text).toContain(`value="${form.name}"`);
        if (form.name !== HOSPITAL_DOCTOR.nameZh) expect(res.text).not.toContain(HOSPITAL_DOCTOR.nameZh);
        expect(res.text).not.toContain(HOSPITAL.nameZh);
      }
    });

    it('rate-limits repeated registry mismatches per session', async () => {
      const agent = await agreed();
      for (let i = 0; i < 10; i++) {
        expect((await post(agent, '/cards/reserve/personnel/applicant', { ...personnelForm(HOSPITAL_DOCTOR), name: `錯${i}` })).status).toBe(422);
      }
      const blocked = await post(agent, '/cards/reserve/personnel/applicant', personnelForm(HOSPITAL_DOCTOR));
      expect(blocked.status).toBe(429);
      expect(blocked.text).toContain(html(zh('cards.errors.rateLimited')));
    });
  });

  describe('details step validation', () => {
    let agent: Agent;
    beforeAll(async () => {
      agent = await atDetails();
    });

    async function refused(extra: Record<string, string>, field: string, messageKey: string, params: Record<string, unknown> = {}) {
      const res = await post(agent, '/cards/reserve/personnel/details', detailsForm(extra));
      expect(res.status).toBe(422);
      expect(res.text).toContain('<title>錯誤：');
      expect(res.text).toContain(`<a href="#${field}">${html(zh(messageKey, params))}</a>`);
      expect(res.text).toContain(`id="${field}-error"`);
      return res;
    }

    it('refuses today, the past, a weekend, a closed day and a day beyond 60 days', async () => {
      const today = taipeiDay();
      const calendar = await t.app.get(CardReservationService).calendar();
      // the days in the message as the one date formatter writes them (民國 year, weekday)
      const params = { first: formatDay(firstDay, 'zh-TW'), last: formatDay(addDays(today, 60), 'zh-TW'), days: 60 };
      await refused({ counterDate: today }, 'counterDate', 'cards.errors.counterDate.today', params);
      await refused({ counterDate: addDays(today, -1) }, 'counterDate', 'cards.errors.counterDate.past', params);
      let saturday = addDays(today, 1);
      while (dayOfWeek(saturday) !== 6) saturday = addDays(saturday, 1);
      await refused({ counterDate: saturday }, 'counterDate', 'cards.errors.counterDate.weekend', params);
      await refused({ counterDate: addDays(today, 61) }, 'counterDate', 'cards.errors.counterDate.tooFar', params);
      await refused({ counterDate: '2026-02-30' }, 'counterDate', 'cards.errors.counterDate.format', params);
      // a closed day (a holiday in the table, or one staff add): take the last bookable weekday
      let closed = addDays(today, 60);
      while (dayOfWeek(closed) === 0 || dayOfWeek(closed) === 6 || calendar.closedDays.has(closed)) closed = addDays(closed, -1);
      const days = t.dataSource.getRepository(CounterClosedDay);
      await days.insert({ day: closed, reasonZh: '測試休息日', reasonEn: 'Test closure' });
      try {
        const res = await refused({ counterDate: closed }, 'counterDate', 'cards.errors.counterDate.closed', params);
        expect(res.text).toContain(`value="${closed}"`);
      } finally {
        await days.delete({ day: closed });
      }
    });

    it('knows the national holidays the migration lists (weekdays of 2026–2027)', async () => {
      // the calendar as of 2026-11-23: Constitution Day (Fri 25 Dec) and New Year's Day 2027 (Fri 1 Jan) are closed
      const calendar = await t.app.get(CardReservationService).calendar(new Date('2026-11-23T04:00:00Z'));
      expect(calendar.closedDays.has('2026-12-25')).toBe(true);
      expect(calendar.closedDays.has('2027-01-01')).toBe(true);
      expect(calendar.closedDays.has('2026-12-24')).toBe(false);
    });

    it('never echoes the user code: both fields come back empty with the message', async () => {
      const mismatch = await refused({ userCode: 'Abc123', userCodeConfirm: 'abc123' }, 'userCodeConfirm', 'cards.errors.userCode.mismatch');
      expect(mismatch.text).not.toContain('Abc123');
      expect(mismatch.text).not.toContain('abc123');
      expect(mismatch.text).toMatch(/<input[^>]*id="userCode"(?![^>]*value=)[^>]*>/);
      expect(mismatch.text).toMatch(/<input[^>]*id="userCodeConfirm"(?![^>]*value=)[^>]*>/);
      const short = await refused({ userCode: 'ab12', userCodeConfirm: 'ab12' }, 'userCode', 'cards.errors.userCode.format');
      expect(short.text).not.toContain('ab12');
      await refused({ userCode: 'ab 12!', userCodeConfirm: 'ab 12!' }, 'userCode', 'cards.errors.userCode.format');
    });

    it('asks who goes to the counter: 代理人辦理 needs both agent fields (revealed and checked), 本人辦理 drops whatever was typed there', async () => {
      const empty = await refused({ agent: 'agent', agentName: '', agentNationalId: '' }, 'agentName', 'cards.errors.agentName.missing');
      expect(empty.text).toContain(`<a href="#agentNationalId">${html(zh('cards.errors.agentNationalId.missing'))}</a>`);
      // the chosen radio stays chosen and its reveal open, with the errors inside it
      expect(empty.text).toMatch(/id="agent-1" name="agent" type="radio" value="agent" checked data-app-reveal="conditional-agent-agent"/);
      expect(empty.text).toMatch(/<div class="govuk-radios__conditional" id="conditional-agent-agent">\s*<div class="govuk-form-group govuk-form-group--error">/);
      const self = await post(agent, '/cards/reserve/personnel/details', detailsForm({ agent: 'self', agentName: '陳代理', agentNationalId: 'A123456789' }));
      expect(self.status).toBe(303);
      const check = await agent.get('/cards/reserve/personnel/check').expect(200);
      expect(check.text).not.toContain('陳代理');
      expect(check.text).toContain(zh('cards.noAgent'));
      const details = await agent.get('/cards/reserve/personnel/details').expect(200);
      expect(details.text).toMatch(/id="agent" name="agent" type="radio" value="self" checked/);
      expect(details.text).toContain('govuk-radios__conditional govuk-radios__conditional--hidden" id="conditional-agent-agent"');
    });

    it('refuses a half-filled agent, a bad phone and a bad e-mail, keeping the other values', async () => {
      const agentName = await refused({ agentName: '陳代理', agentNationalId: '' }, 'agentNationalId', 'cards.errors.agentNationalId.missing');
      expect(agentName.text).toContain('value="陳代理"');
      await refused({ agentName: '', agentNationalId: DEMO_FIXTURES.pharmacistAtPharmacy.nationalId }, 'agentName', 'cards.errors.agentName.missing');
      await refused({ agentName: '本人', agentNationalId: HOSPITAL_DOCTOR.nationalId }, 'agentNationalId', 'cards.errors.agentNationalId.self');
      const phone = await refused({ phone: '12345', mailingAddress: '臺北市信義區市府路1號' }, 'phone', 'cards.errors.phone.format');
      expect(phone.text).toContain('value="12345"');
      expect(phone.text).toContain('>臺北市信義區市府路1號</textarea>');
      expect(phone.text).toContain(`value="${firstDay}"`);
      await refused({ phone: '' }, 'phone', 'cards.errors.phone.empty');
      await refused({ email: 'not-an-address' }, 'email', 'cards.errors.email.format');
      await refused({ mailingAddress: '' }, 'mailingAddress', 'cards.errors.mailingAddress.empty');
    });

    it('keeps a valid user code (as a hash) across another error, so it need not be typed again', async () => {
      const other = await atDetails();
      const first = await post(other, '/cards/reserve/personnel/details', detailsForm({ phone: 'x' }));
      expect(first.status).toBe(422);
      expect(first.text).toContain(zh('cards.details.userCodeSet'));
      // the fields stay empty; leaving them empty keeps the code
      const reference = await reserve(other, detailsForm({ userCode: '', userCodeConfirm: '' }));
      const row = await t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference });
      expect(await verifySecret(USER_CODE, row.userCodeHash)).toBe(true);
    });

    it('requires a user code when none was set', async () => {
      const fresh = await atDetails();
      const res = await post(fresh, '/cards/reserve/personnel/details', detailsForm({ userCode: '', userCodeConfirm: '' }));
      expect(res.status).toBe(422);
      expect(res.text).toContain(`<a href="#userCode">${html(zh('cards.errors.userCode.empty'))}</a>`);
      expect(res.text).not.toContain(zh('cards.details.userCodeSet'));
    });
  });

  it('offers the next open days as choices, never a weekend or a closed day, and takes a later day typed under 其他日期', async () => {
    const calendar = await t.app.get(CardReservationService).calendar();
    const agent = await atDetails();
    const page = (await agent.get('/cards/reserve/personnel/details').expect(200)).text;
    const offered = [...page.matchAll(/name="counterDay" type="radio" value="(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1]);
    expect(offered.length).toBe(15);
    expect(offered[0]).toBe(firstDay);
    for (const day of offered) {
      expect([day, dayOfWeek(day) === 0 || dayOfWeek(day) === 6 || calendar.closedDays.has(day)]).toEqual([day, false]);
      expect(page).toContain(formatDay(day, 'zh-TW'));
    }
    expect(page).toContain('value="later" data-app-reveal="conditional-counterDay-later"');
    // nothing chosen: the radios' error
    const none = await post(agent, '/cards/reserve/personnel/details', { ...detailsForm({ counterDate: '' }) });
    expect(none.status).toBe(422);
    expect(none.text).toContain(`<a href="#counterDay">${html(zh('cards.errors.counterDate.empty'))}</a>`);
    // an offered day chosen
    expect((await post(agent, '/cards/reserve/personnel/details', { ...detailsForm({ counterDate: '' }), counterDay: secondDay })).status).toBe(303);
    const back = (await agent.get('/cards/reserve/personnel/details').expect(200)).text;
    expect(back).toContain(`value="${secondDay}" checked`);
    // a later day typed with a 民國 year under 其他日期
    const later = offered[offered.length - 1];
    let typed = addDays(later, 1);
    while (dayOfWeek(typed) === 0 || dayOfWeek(typed) === 6 || calendar.closedDays.has(typed)) typed = addDays(typed, 1);
    const [y, m, d] = typed.split('-').map(Number);
    expect((await post(agent, '/cards/reserve/personnel/details', { ...detailsForm({ counterDate: `${y - 1911}/${m}/${d}` }), counterDay: 'later' })).status).toBe(303);
    const check = (await agent.get('/cards/reserve/personnel/check').expect(200)).text;
    expect(check).toContain(formatDay(typed, 'zh-TW'));
  });

  it('warns at check your answers when the applicant already has a pending reservation, and offers the lookup', async () => {
    // this test's own pending reservation for the doctor, then a second journey by the same doctor
    await reserve(await atDetails(), detailsForm());
    const agent = await atDetails();
    expect((await post(agent, '/cards/reserve/personnel/details', detailsForm())).status).toBe(303);
    const check = await agent.get('/cards/reserve/personnel/check').expect(200);
    expect(check.text).toContain('id="pending-warning"');
    expect(check.text).toMatch(/已有 \d+ 筆尚未辦理的預約/);
    expect(check.text).toContain(formatDay(firstDay, 'zh-TW'));
    expect(check.text).toContain(`<a class="govuk-link" href="/cards/lookup">${html(zh('cards.check.pendingLookup'))}</a>`);
    // no reservation number of the earlier one is shown to whoever typed the ID
    expect(check.text).not.toMatch(/R\d{8}[2-9A-HJ-NP-Z]{6}/);
  });

  describe('lookup, reprint and progress', () => {
    let reference: string;
    beforeAll(async () => {
      reference = await reserve(await atDetails(), detailsForm({ email: '' }));
    });

    it('sends another session (or an ended one) to the lookup with the number filled in, whether the number exists or not', async () => {
      const stranger = t.agent();
      for (const path of [`/cards/reservations/${reference}/application.pdf`, `/cards/reservations/${reference}`, `/cards/reservations/${reference}/confirmation`]) {
        const res = await stranger.get(path).expect(303);
        expect(res.headers.location).toBe(`/cards/lookup?again=1&reference=${reference}`);
        expect(res.headers['content-type'] ?? '').not.toContain('application/pdf');
      }
      const unknown = await stranger.get('/cards/reservations/R20260101ABCDEF/application.pdf').expect(303);
      expect(unknown.headers.location).toBe('/cards/lookup?again=1&reference=R20260101ABCDEF');
      const garbage = await stranger.get('/cards/reservations/nonsense%3Cscript%3E/confirmation').expect(303);
      expect(garbage.headers.location).toBe('/cards/lookup?again=1');
      const lookup = await stranger.get(`/cards/lookup?again=1&reference=${reference}`).expect(200);
      expect(lookup.text).toContain(html(zh('cards.lookup.again')));
      expect(lookup.text).toMatch(new RegExp(`name="reference"[^>]*value="${reference}"`));
      expect(lookup.text).not.toContain(HOSPITAL_DOCTOR.nameZh);
    });

    it('finds the reservation with the national ID and reference number, shows the progress and reprints', async () => {
      const agent = t.agent();
      expect((await agent.get('/cards/lookup').expect(200)).text).toContain(zh('cards.lookup.intro'));
      const found = await post(agent, '/cards/lookup', { nationalId: HOSPITAL_DOCTOR.nationalId.toLowerCase(), reference: reference.toLowerCase() });
      expect(found.status).toBe(303);
      expect(found.headers.location).toBe(`/cards/reservations/${reference}`);
      const page = await agent.get(found.headers.location).expect(200);
      expect(page.text).toContain(maskNationalId(HOSPITAL_DOCTOR.nationalId));
      expect(page.text).not.toContain(HOSPITAL_DOCTOR.nationalId);
      expect(page.text).toContain('已預約，請於');
      expect(page.text).toContain(HOSPITAL.nameZh);
      expect(page.text).toContain('aria-current="step"');
      expect(page.text).toContain(zh('cards.progress.step.counter'));
      const pdf = await pdfOf(agent, reference).expect(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      const audit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'cards.reservation.lookup', targetId: reference, outcome: 'success' });
      expect(audit.summary).toEqual({ nationalId: maskNationalId(HOSPITAL_DOCTOR.nationalId) });
    });

    it('gives one answer for a wrong ID and for an unknown reference, and rate-limits failures', async () => {
      const agent = t.agent();
      const wrongId = await post(agent, '/cards/lookup', { nationalId: CLINIC_DOCTOR.nationalId, reference });
      const unknown = await post(agent, '/cards/lookup', { nationalId: HOSPITAL_DOCTOR.nationalId, reference: 'R20260101ABCDEF' });
      for (const res of [wrongId, unknown]) {
        expect(res.status).toBe(422);
        expect(res.text).toContain(html(zh('cards.errors.lookupMismatch')));
        expect(res.text).toContain('<title>錯誤：');
      }
      const format = await post(agent, '/cards/lookup', { nationalId: 'A1', reference: 'X1' });
      expect(format.text).toContain(html(zh('cards.errors.nationalId.format')));
      expect(format.text).toContain(html(zh('cards.errors.reference.format')));
      // 2 failures so far; 8 more reach the limit of 10 per session, then even the right answer waits
      for (let i = 0; i < 8; i++) expect((await post(agent, '/cards/lookup', { nationalId: CLINIC_DOCTOR.nationalId, reference })).status).toBe(422);
      const blocked = await post(agent, '/cards/lookup', { nationalId: HOSPITAL_DOCTOR.nationalId, reference });
      expect(blocked.status).toBe(429);
      expect(blocked.text).toContain(html(zh('cards.errors.rateLimited')));
      // another session from the same address is not blocked by this one's failures
      expect((await post(t.agent(), '/cards/lookup', { nationalId: HOSPITAL_DOCTOR.nationalId, reference })).status).toBe(303);
      expect(await t.dataSource.getRepository(AuditEvent).countBy({ action: 'cards.reservation.lookup', targetId: reference, outcome: 'failure' })).toBeGreaterThanOrEqual(9);
    });
  });

  describe('institution cards', () => {
    it('checks the institution code and offers the bureaus to a clinic, its own counter to an initial-review hospital', async () => {
      const agent = await agreed('institution');
      const bad = await post(agent, '/cards/reserve/institution/applicant', { institutionCode: '123', responsibleName: '', responsibleNationalId: 'A123456788' });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain(html(zh('cards.errors.institutionCode.format')));
      expect(bad.text).toContain(html(zh('cards.errors.responsibleName.empty')));
      expect(bad.text).toContain(html(zh('cards.errors.nationalId.checksum')));
      const unknown = await post(agent, '/cards/reserve/institution/applicant', { institutionCode: '0000000000', responsibleName: '林志明', responsibleNationalId: CLINIC_DOCTOR.nationalId });
      expect(unknown.text).toContain(html(zh('cards.errors.institutionCode.unknown')));

      const hospital = await post(agent, '/cards/reserve/institution/applicant', { institutionCode: HOSPITAL.code, responsibleName: '王小明', responsibleNationalId: HOSPITAL_DOCTOR.nationalId });
      expect(hospital.status).toBe(303);
      expect((await agent.get('/cards/reserve/institution/details').expect(200)).text).toMatch(new RegExp(`value="${HOSPITAL.code}" checked`));

      const clinic = await post(agent, '/cards/reserve/institution/applicant', { institutionCode: DEMO_FIXTURES.clinic.code, responsibleName: '林志明', responsibleNationalId: CLINIC_DOCTOR.nationalId });
      expect(clinic.status).toBe(303);
      const details = await agent.get('/cards/reserve/institution/details').expect(200);
      expect(details.text).toContain('value="HB-63000"');
      expect(details.text).not.toContain(`value="${HOSPITAL.code}"`);
      const reference = await reserve(agent, detailsForm({ county: '63000', counter: 'HB-63000' }), 'institution');
      const row = await t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference });
      expect(row).toMatchObject({ cardType: 'institution', institutionCode: DEMO_FIXTURES.clinic.code, applicantName: '林志明', categoryCode: null, professionalId: null });
      const text = pdfText((await pdfOf(agent, reference).expect(200)).body as Buffer);
      expect(text).toContain('醫事機構憑證IC卡申請書');
      expect(text).toContain(DEMO_FIXTURES.clinic.nameZh);
    });

    it('speaks English when the visitor chose it', async () => {
      const res = await t.agent().get('/cards/reserve/institution').set('Cookie', 'lang=en').expect(200);
      expect(res.text).toContain('<html lang="en"');
      expect(res.text).toContain(translate('en', 'cards.reserve.institution.title'));
      expect(res.text).toContain(html(translate('en', 'cards.documents.institution.self.2')));
    });

    it('answers 404 for a card type we do not offer online', async () => {
      await t.agent().get('/cards/reserve/spare').expect(404);
    });
  });
});
