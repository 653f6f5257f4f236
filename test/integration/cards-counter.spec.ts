// Registration counter processing and card issuance against the real app, MariaDB, Redis and a
// SoftHSM2 store of this worker: reservations are made through CardReservationService, counter
// staff sign in through the real form, approval makes a real token (checked with OpenSC's
// pkcs11-tool), a certificate from the development HCA CA (checked with openssl and the trust
// store), and the card then signs a Web eID token through the reader helper that signs the
// professional in.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type supertest from 'supertest';
import { SecretBox } from '../../src/common/crypto/secret-box';
import { translate } from '../../src/common/i18n/i18n';
import { maskNationalId } from '../../src/common/identifiers';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { verifySecret } from '../../src/common/crypto/secret-hash';
import { CardReservation } from '../../src/modules/cards/lifecycle/card-reservation.entity';
import { CardReservationService } from '../../src/modules/cards/reservation/card-reservation.service';
import { Card } from '../../src/modules/cards/lifecycle/card.entity';
import { addDays, firstBookableDay, taipeiDay } from '../../src/modules/cards/lifecycle/counter-date';
import { COUNTER_PAGE_SIZE } from '../../src/modules/cards/counter/counter.service';
import type { ReservationDraft } from '../../src/modules/cards/lifecycle/reservation-draft';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { IssuedCertificate } from '../../src/modules/certificates/certificates.entity';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import type { DemoProfessional } from '../../src/modules/reference/data/demo';
import { createReaderHelper, type ReaderHelper } from '../../src/reader-helper/main';
import { Pkcs11Module } from '../../src/shared/pkcs11';
import type { WebEidAuthToken } from '../../src/shared/web-eid';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';
import { callHelper, createdReference, createTestCounter } from '../support/cards';

const store = useSoftHsmTestStore();

type Agent = supertest.Agent;

const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params);
/** Handlebars escapes quotes and = in text: compare messages as they appear in the HTML. */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/=/g, '&#x3D;');

const CLINIC_DOCTOR = DEMO_FIXTURES.physicianAtClinic; // reserves at the Taipei health bureau (HB-63000)
const HOSPITAL_DOCTOR = DEMO_FIXTURES.physicianAtInitialReviewHospital; // reserves at his hospital's counter
const PHARMACIST = DEMO_FIXTURES.pharmacistAtPharmacy; // New Taipei: HB-65000
const CLINIC = DEMO_FIXTURES.clinic;
const HOSPITAL = DEMO_FIXTURES.initialReviewHospital;
const TAIPEI_BUREAU = 'HB-63000';
const USER_CODE = 'Qz7wK2';
const ALL_PERSONNEL_DOCUMENTS = ['id', 'licence', 'certificate'];

function pem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function pkcs11Tool(...args: string[]) {
  return spawnSync('pkcs11-tool', ['--module', store.modulePath, ...args], { env: { ...process.env }, encoding: 'utf8' });
}

/** Labels of the tokens in this worker's store that the reader helper would offer as cards. */
function cardTokens(): string[] {
  const module = Pkcs11Module.open(store.modulePath);
  module.rescan();
  return module
    .tokens()
    .map((slot) => slot.token.label)
    .filter((label) => label.startsWith('card-'));
}

describe('registration counter: reservations, approval with card issuance, rejection', () => {
  let t: TestApp;
  let firstDay: string;
  let secondDay: string;
  let userCodeHash: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    const issuing = await t.app.get(CertificateIssuer).issuingCa('hca');
    await t.app.get(CrlService).publish(issuing.id);
    t.app.get(TrustStoreService).invalidate();
    const reservations = t.app.get(CardReservationService);
    const calendar = await reservations.calendar();
    firstDay = firstBookableDay(calendar)!;
    secondDay = firstBookableDay({ ...calendar, today: firstDay })!;
    userCodeHash = await reservations.hashUserCode(USER_CODE);
  });
  afterAll(() => t.close());

  interface ReserveOptions {
    counter?: string;
    county?: string;
    day?: string;
    email?: string | null;
    agent?: { name: string; nationalId: string };
  }

  /** A personnel reservation made through the reservation service, as the public journey makes it. */
  async function reserve(person: DemoProfessional, options: ReserveOptions = {}): Promise<string> {
    const draft: ReservationDraft = {
      cardType: 'personnel',
      agreedAt: Date.now(),
      applicant: {
        kind: 'personnel',
        nationalId: person.nationalId,
        categoryCode: person.categoryCode,
        certificateNumber: person.certificateNumber,
        name: person.nameZh,
        professionalId: 0,
        homeInstitutionCode: person.homeInstitutionCode,
      },
      details: {
        county: options.county ?? '63000',
        counter: options.counter ?? TAIPEI_BUREAU,
        counterDate: options.day ?? firstDay,
        phone: '0912345678',
        email: options.email === undefined ? person.email : (options.email ?? ''),
        agentName: options.agent?.name ?? '',
        agentNationalId: options.agent?.nationalId ?? '',
        mailingAddress: '臺北市大安區復興南路一段200號',
      },
      detailsComplete: true,
      userCodeHash,
    };
    return t.app.get(CardReservationService).create(draft, 'zh-TW', { sessionId: `counter-test-${randomBytes(4).toString('hex')}`, clientIp: '127.0.0.1' }).then(createdReference);
  }

  async function reservation(reference: string): Promise<CardReservation> {
    return t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference });
  }

  async function staff(counterCode = TAIPEI_BUREAU): Promise<Agent> {
    return (await signInAsStaff(t, 'counter_staff', { counterCode })).agent;
  }

  /** Opens the reservation page; returns its CSRF token and the version its form carries. */
  async function openForm(agent: Agent, reference: string) {
    const page = await agent.get(`/counter/reservations/${reference}`).expect(200);
    return { csrf: csrfFrom(page.text), version: /name="version" value="(\d+)"/.exec(page.text)?.[1] ?? '', page };
  }

  /** The decision form as a browser posts it (repeated `documents` fields). */
  function form(csrf: string, version: string, fields: { decision?: string; documents?: string[]; reason?: string }): string {
    const body = new URLSearchParams([['_csrf', csrf], ['version', version]]);
    for (const code of fields.documents ?? []) body.append('documents', code);
    if (fields.decision) body.append('decision', fields.decision);
    if (fields.reason !== undefined) body.append('reason', fields.reason);
    return body.toString();
  }

  async function decide(agent: Agent, reference: string, fields: { decision?: string; documents?: string[]; reason?: string }) {
    const { csrf, version } = await openForm(agent, reference);
    return agent.post(`/counter/reservations/${reference}`).type('form').send(form(csrf, version, fields));
  }

  const approve = (agent: Agent, reference: string, documents = ALL_PERSONNEL_DOCUMENTS) => decide(agent, reference, { decision: 'approve', documents });

  function outboxFor(text: string) {
    return t.dataSource
      .getRepository(OutboxMessage)
      .find()
      .then((rows) => rows.filter((m) => m.payload.includes(text)).map((m) => JSON.parse(m.payload) as { to: string[]; subject: string; text: string }));
  }

  // ---- the list -------------------------------------------------------------------------------

  it("lists today's and upcoming reservations at the staff member's own counter, IDs masked, filtered by date", async () => {
    // A counter of this test's own: its lists hold only what this test booked.
    const counter = await createTestCounter(t);
    const here = { county: counter.countyCode, counter: counter.code };
    const mine = await reserve(CLINIC_DOCTOR, here);
    const later = await reserve(CLINIC_DOCTOR, { ...here, day: secondDay });
    const past = await reserve(CLINIC_DOCTOR, here);
    await t.dataSource.query('UPDATE card_reservation SET counter_date = ? WHERE reference = ?', [addDays(taipeiDay(), -1), past]);
    const elsewhere = await reserve(HOSPITAL_DOCTOR, { counter: HOSPITAL.code });
    const agent = await staff(counter.code);

    const list = await agent.get('/counter').expect(200);
    expect(list.text).toContain(zh('cards.counter.list.title'));
    expect(list.text).toContain(counter.nameZh);
    expect(list.text).toMatch(/<caption class="govuk-table__caption[^"]*">今天及之後的預約（共 \d+ 筆）<\/caption>/);
    expect(list.text).toContain('<th scope="col" class="govuk-table__header">');
    expect(list.text).toContain(`href="/counter/reservations/${mine}"`);
    expect(list.text).toContain(`href="/counter/reservations/${later}"`);
    expect(list.text).not.toContain(past);
    expect(list.text).not.toContain(elsewhere);
    expect(list.text).toContain(maskNationalId(CLINIC_DOCTOR.nationalId));
    expect(list.text).not.toContain(CLINIC_DOCTOR.nationalId);
    expect(list.text).toContain(CLINIC_DOCTOR.nameZh);
    expect(list.text).toContain(zh('cards.counter.state.reserved'));

    const oneDay = await agent.get(`/counter?date=${secondDay}`).expect(200);
    expect(oneDay.text).toContain(later);
    expect(oneDay.text).not.toContain(mine);
    const yesterday = await agent.get(`/counter?date=${addDays(taipeiDay(), -1)}`).expect(200);
    expect(yesterday.text).toContain(past);

    const bad = await agent.get('/counter?date=2026-02-30').expect(422);
    expect(bad.text).toContain('<title>錯誤：');
    expect(bad.text).toContain(zh('cards.counter.errors.date'));
    expect(bad.text).toContain('value="2026-02-30"');
  });

  it('pages a long list in a labelled navigation', async () => {
    // A counter of this test's own, with exactly one more reservation than a page holds.
    const counter = await createTestCounter(t);
    const agent = await staff(counter.code);
    const rowsOn = (text: string) => (text.match(/href="\/counter\/reservations\//g) ?? []).length;
    const references: string[] = [];
    for (let i = 0; i <= COUNTER_PAGE_SIZE; i++) references.push(await reserve(PHARMACIST, { county: counter.countyCode, counter: counter.code, email: null }));
    const first = await agent.get('/counter').expect(200);
    expect(rowsOn(first.text)).toBe(COUNTER_PAGE_SIZE);
    expect(first.text).toMatch(/<nav class="govuk-pagination" aria-label="[^"]+">/);
    expect(first.text).toContain('aria-current="page"');
    expect(first.text).toContain('href="/counter?page&#x3D;2"');
    const second = await agent.get('/counter?page=2').expect(200);
    expect(rowsOn(second.text)).toBe(1);
    expect(references.filter((reference) => !first.text.includes(reference) && !second.text.includes(reference))).toEqual([]);
  });

  it("answers 404 to staff of another counter, for the page and for a decision", async () => {
    const reference = await reserve(CLINIC_DOCTOR);
    const other = await staff(HOSPITAL.code);
    await other.get(`/counter/reservations/${reference}`).expect(404);
    const csrf = csrfFrom((await other.get('/counter').expect(200)).text);
    await other.post(`/counter/reservations/${reference}`).type('form').send(form(csrf, '1', { decision: 'reject', reason: '不是我們的窗口' })).expect(404);
    expect((await reservation(reference)).status).toBe('reserved');
    // and the public cannot reach the counter at all
    expect((await t.agent().get('/counter')).status).toBe(303);
  });

  it('shows the national IDs in full only after the clerk asks, records who asked, and never to another counter', async () => {
    const reference = await reserve(CLINIC_DOCTOR, { agent: { name: '陳代理', nationalId: 'A123456789' } });
    const agent = await staff();
    const page = await openForm(agent, reference);
    expect(page.page.text).not.toContain(CLINIC_DOCTOR.nationalId);
    expect(page.page.text).toContain(`action="/counter/reservations/${reference}/national-id"`);
    const shown = await agent.post(`/counter/reservations/${reference}/national-id`).type('form').send({ _csrf: page.csrf }).expect(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.text).toContain(CLINIC_DOCTOR.nationalId);
    expect(shown.text).toContain('A123456789');
    expect(shown.text).toContain(html(zh('cards.counter.idsShown')));
    // the decision form is still there, at the same version
    expect(shown.text).toContain(`name="version" value="${page.version}"`);
    const audit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'card.reservation.national-id-shown', targetId: reference });
    expect(audit.actorKind).toBe('staff');
    expect(JSON.stringify(audit)).not.toContain(CLINIC_DOCTOR.nationalId);
    // without the CSRF token nothing is shown
    await agent.post(`/counter/reservations/${reference}/national-id`).type('form').send({}).expect(403);
    // staff of another counter: not found, nothing recorded
    const other = await staff('HB-65000');
    const otherToken = csrfFrom((await other.get('/counter').expect(200)).text);
    await other.post(`/counter/reservations/${reference}/national-id`).type('form').send({ _csrf: otherToken }).expect(404);
    expect(await t.dataSource.getRepository(AuditEvent).countBy({ action: 'card.reservation.national-id-shown', targetId: reference })).toBe(1);
  });

  it('flags an applicant with several pending reservations, lists them on the reservation page, and searches by number or national ID', async () => {
    const counter = await createTestCounter(t);
    const first = await reserve(PHARMACIST, { county: counter.countyCode, counter: counter.code });
    const second = await reserve(PHARMACIST, { county: counter.countyCode, counter: counter.code, day: secondDay });
    const single = await reserve(CLINIC_DOCTOR, { county: counter.countyCode, counter: counter.code });
    const agent = await staff(counter.code);
    const list = (await agent.get('/counter').expect(200)).text;
    const rowOf = (ref: string) => new RegExp(`<tr class="govuk-table__row">(?:(?!</tr>)[\\s\\S])*${ref}(?:(?!</tr>)[\\s\\S])*</tr>`).exec(list)?.[0] ?? '';
    expect(rowOf(first)).toContain(zh('cards.counter.list.duplicate'));
    expect(rowOf(second)).toContain(zh('cards.counter.list.duplicate'));
    expect(rowOf(single)).not.toContain(zh('cards.counter.list.duplicate'));
    const page = (await agent.get(`/counter/reservations/${first}`).expect(200)).text;
    expect(page).toContain('id="duplicates"');
    expect(page).toContain(`href="/counter/reservations/${second}"`);
    // search (a POST: the ID never in a URL): by the reservation number (any case), by the national ID (only this counter's rows)
    const token = csrfFrom(list);
    const search = (q: string) => agent.post('/counter/search').type('form').send({ _csrf: token, q });
    const byNumber = (await search(second.toLowerCase()).expect(200)).text;
    expect(byNumber).toContain(`>${second}</a>`);
    expect(byNumber).not.toContain(`>${first}</a>`);
    const byId = (await search(PHARMACIST.nationalId).expect(200)).text;
    expect(byId).toContain(`>${first}</a>`);
    expect(byId).toContain(`>${second}</a>`);
    expect(byId).not.toContain(`>${single}</a>`);
    expect(byId).toContain(maskNationalId(PHARMACIST.nationalId));
    const bad = await search('A12345').expect(422);
    expect(bad.text).toContain(html(zh('cards.counter.errors.search')));
    expect(bad.text).toContain('value="A12345"');
  });

  // ---- the form's errors ----------------------------------------------------------------------

  it('refuses an approval with documents unticked (422, ticks and choices kept), and a rejection without a reason', async () => {
    const reference = await reserve(CLINIC_DOCTOR, { agent: { name: '陳代理', nationalId: 'A123456789' } });
    const agent = await staff();
    const page = await openForm(agent, reference);
    expect(page.page.text).toContain(maskNationalId('A123456789'));
    expect(page.page.text).not.toContain('A123456789');
    expect(page.page.text).toContain(zh('cards.counter.document.personnel.agent-id'));

    // all of the applicant's documents but not the agent's ID
    const res = await agent.post(`/counter/reservations/${reference}`).type('form').send(form(page.csrf, page.version, { decision: 'approve', documents: ALL_PERSONNEL_DOCUMENTS }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('<title>錯誤：');
    expect(res.text).toContain('govuk-error-summary');
    expect(res.text).toContain(html(zh('cards.counter.errors.documents.missing', { missing: zh('cards.counter.document.personnel.agent-id') })));
    expect(res.text).toMatch(/value="id"\s*checked/);
    expect(res.text).toMatch(/value="certificate"\s*checked/);
    expect(res.text).not.toMatch(/value="agent-id"\s*checked/);
    expect(res.text).toMatch(/value="approve"\s*checked/);
    expect(res.text).toContain(`name="version" value="${page.version}"`);

    const noReason = await decide(agent, reference, { decision: 'reject', documents: ['id'], reason: '  ' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain(zh('cards.counter.errors.reason.empty'));
    expect(noReason.text).toMatch(/value="reject"\s*checked/);
    const noDecision = await decide(agent, reference, { documents: ['id'] });
    expect(noDecision.status).toBe(422);
    expect(noDecision.text).toContain(zh('cards.counter.errors.decision.empty'));

    expect((await reservation(reference)).status).toBe('reserved');
    expect(await t.dataSource.getRepository(Card).countBy({ reservationId: (await reservation(reference)).id })).toBe(0);
  });

  // ---- rejection ------------------------------------------------------------------------------

  it('rejects with a reason: reserved → rejected, audited, the applicant e-mailed, Post/Redirect/Get', async () => {
    const reference = await reserve(CLINIC_DOCTOR);
    const agent = await staff();
    const reason = '執業執照已逾期，請換發後重新預約';
    const res = await decide(agent, reference, { decision: 'reject', documents: ['id', 'certificate'], reason });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/counter/reservations/${reference}`);

    const row = await reservation(reference);
    expect(row).toMatchObject({ status: 'rejected', decisionReason: reason, documentsChecked: 'id,certificate' });
    expect(row.decidedAt).toBeInstanceOf(Date);
    expect(row.decidedBy).toMatch(/^staff:\d+$/);

    const page = await agent.get(res.headers.location).expect(200);
    expect(page.text).toContain(zh('cards.counter.state.rejected'));
    expect(page.text).toContain(reason);
    expect(page.text).not.toContain('name="decision"');

    const audit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'card.reject', targetId: reference });
    expect(audit).toMatchObject({ actorKind: 'staff', actorRole: 'counter_staff', targetType: 'card_reservation' });
    expect(audit.summary).toMatchObject({ from: 'reserved', to: 'rejected', reason });

    const [mail] = await outboxFor(`預約編號 ${reference}）未通過`);
    expect(mail.to).toEqual([CLINIC_DOCTOR.email]);
    expect(mail.subject).toContain(reference);
    expect(mail.text).toContain(reason);
    expect(mail.text).toContain('/cards/reserve/personnel');

    // deciding again is refused as already changed
    const again = await agent.post(`/counter/reservations/${reference}`).type('form').send(form(csrfFrom(page.text), String(row.version - 1), { decision: 'approve', documents: ALL_PERSONNEL_DOCUMENTS }));
    expect(again.status).toBe(409);
  });

  // ---- approval and issuance ------------------------------------------------------------------

  describe('approval issues a working card', () => {
    let helper: ReaderHelper;
    const tmp = mkdtempSync(join(tmpdir(), 'counter-card-'));

    beforeAll(async () => {
      helper = await createReaderHelper({ port: 0, allowedOrigins: [t.config.publicOrigin], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
    });
    afterAll(() => helper.close());

    /** One call to the reader helper, as the sign-in page's script makes it (Origin: the site). */
    const helperCall = (path: string, body: unknown) => callHelper(helper, t.config.publicOrigin, 'POST', path, body);

    it('from a reservation to an issued card: token, certificate, card row, PIN mailer, e-mail, audit, and a sign-in with the card', async () => {
      const reference = await reserve(CLINIC_DOCTOR);
      const before = cardTokens();
      const agent = await staff();
      const form = await openForm(agent, reference);
      expect(form.page.text).toContain(maskNationalId(CLINIC_DOCTOR.nationalId));
      expect(form.page.text).not.toContain(CLINIC_DOCTOR.nationalId);

      const res = await agent.post(`/counter/reservations/${reference}`).type('form').send(form_(form.csrf, form.version));
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const cardNumber = /id="card-number">(\d+)</.exec(res.text)?.[1] ?? '';
      const pin = /id="initial-pin">(\d+)</.exec(res.text)?.[1] ?? '';
      expect(cardNumber).toMatch(/^[1-9]\d{11}$/);
      expect(pin).toMatch(/^\d{6}$/);
      expect(res.text).toContain(zh('cards.counter.mailer.title'));
      expect(res.text).toContain(zh('cards.counter.issued.onceWarning'));
      expect(res.text).toContain(zh('cards.counter.issued.pukNote'));
      expect(res.text).not.toContain('GH' + cardNumber);

      // the reservation: reserved → approved → issued, with the counter's decision
      const row = await reservation(reference);
      expect(row).toMatchObject({ status: 'issued', documentsChecked: 'id,licence,certificate', decisionReason: null });
      expect(row.decidedBy).toMatch(/^staff:\d+$/);

      // the card row: issued, PUK sealed (8 digits), the reservation's user-code hash, no PIN anywhere
      const card = await t.dataSource.getRepository(Card).findOneByOrFail({ cardNumber });
      expect(card).toMatchObject({ state: 'issued', reservationId: row.id, cardType: 'personnel', holderName: CLINIC_DOCTOR.nameZh, tokenLabel: `card-${cardNumber}`, email: CLINIC_DOCTOR.email, openedAt: null, userCodeFailures: 0, version: 1 });
      expect(card.nationalIdIndex).toBe(row.nationalIdIndex);
      expect(card.userCodeHash).toBe(row.userCodeHash);
      expect(await verifySecret(USER_CODE, card.userCodeHash)).toBe(true);
      const puk = new SecretBox(t.config.dataKey, 'card-puk').open(card.pukCipher);
      expect(puk).toMatch(/^\d{8}$/);
      expect(res.text).not.toContain(puk);
      const [raw] = await t.dataSource.query('SELECT * FROM card WHERE card_number = ?', [cardNumber]);
      expect(JSON.stringify(raw)).not.toContain(puk);

      // the token: one new card token, a private key and a certificate with the same ID (pkcs11-tool)
      expect(cardTokens().filter((label) => !before.includes(label))).toEqual([`card-${cardNumber}`]);
      const listing = pkcs11Tool('--token-label', `card-${cardNumber}`, '--login', '--pin', pin, '--list-objects');
      expect(listing.status).toBe(0);
      const ids = (kind: string) =>
        listing.stdout
          .split(/\n(?=\S)/)
          .filter((block) => block.startsWith(kind))
          .map((block) => /ID:\s+([0-9a-f]+)/.exec(block)?.[1]);
      expect(ids('Private Key Object')).toHaveLength(1);
      expect(ids('Certificate Object')).toEqual(ids('Private Key Object'));
      expect(pkcs11Tool('--token-label', `card-${cardNumber}`, '--login', '--pin', '000000', '--list-objects').status).not.toBe(0);

      // the certificate read back from the card: openssl verifies it up to the dev HCA root; the trust store accepts it as a personnel card
      const leafFile = join(tmp, `${cardNumber}.der`);
      expect(pkcs11Tool('--token-label', `card-${cardNumber}`, '--read-object', '--type', 'cert', '--id', ids('Certificate Object')[0]!, '-o', leafFile).status).toBe(0);
      const leaf = readFileSync(leafFile);
      const issued = await t.dataSource.getRepository(IssuedCertificate).findOneByOrFail({ id: card.certificateId! });
      expect(Buffer.compare(leaf, issued.der)).toBe(0);
      expect(issued.holderRef).toBe(`card:${cardNumber}`);
      const [[root], [issuing]] = await Promise.all(['hca-root', 'hca-issuing-1'].map((slug) => t.dataSource.query('SELECT der FROM ca_certificate WHERE slug = ?', [slug])));
      const files = { root: join(tmp, 'root.pem'), issuing: join(tmp, 'issuing.pem'), leaf: join(tmp, 'leaf.pem') };
      writeFileSync(files.root, pem(root.der));
      writeFileSync(files.issuing, pem(issuing.der));
      writeFileSync(files.leaf, pem(leaf));
      const verified = spawnSync('openssl', ['verify', '-CAfile', files.root, '-untrusted', files.issuing, files.leaf], { encoding: 'utf8' });
      expect([verified.status, verified.stdout.trim()]).toEqual([0, `${files.leaf}: OK`]);
      const validated = await t.app.get(TrustStoreService).validate(leaf, { purpose: 'client-auth' });
      expect(validated).toMatchObject({ valid: true, code: 'ok', family: 'hca-personnel' });
      if (!validated.valid) throw new Error(validated.code);
      expect(validated.subject.serialNumber).toBe(CLINIC_DOCTOR.nationalId);
      expect(validated.subject.organization).toBe(CLINIC.nameZh);
      expect(card.notAfter?.getTime()).toBe(validated.notAfter.getTime());

      // the e-mail: the card number, never the PIN, the PUK or the user code
      const [mail] = await outboxFor(`卡號 ${cardNumber}`);
      expect(mail.to).toEqual([CLINIC_DOCTOR.email]);
      expect(mail.text).toContain(cardNumber);
      for (const secret of [pin, puk, USER_CODE]) expect(mail.text).not.toContain(secret);

      // every transition audited, by the staff member, without secrets
      const audits = await t.dataSource.getRepository(AuditEvent).find({ where: { targetId: reference }, order: { id: 'ASC' } });
      expect(audits.map((a) => a.action)).toEqual(['cards.reservation.create', 'card.approve', 'card.issue']);
      expect(audits[1]).toMatchObject({ actorKind: 'staff', actorRole: 'counter_staff', summary: { from: 'reserved', to: 'approved', documents: ALL_PERSONNEL_DOCUMENTS } });
      expect(audits[2]).toMatchObject({ actorKind: 'staff', summary: { from: 'approved', to: 'issued', cardNumber, tokenLabel: `card-${cardNumber}`, certificateId: card.certificateId } });
      const issueAudit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'pki.certificate.issue', targetId: String(card.certificateId) });
      for (const secret of [pin, puk, CLINIC_DOCTOR.nationalId]) expect(JSON.stringify([...audits, issueAudit])).not.toContain(secret);

      // the reservation page now shows the card, not the form
      const shown = await agent.get(`/counter/reservations/${reference}`).expect(200);
      expect(shown.text).toContain(cardNumber);
      expect(shown.text).not.toContain(pin);
      expect(shown.text).not.toContain('name="decision"');

      // the card signs in with its initial PIN once opened (opening is the card services' flow: here straight through the helper)
      const browser = t.agent();
      const login = await browser.get('/login').expect(200);
      // the challenge begins the session: from then on the page's script sends the token it answers with
      const { challenge, csrfToken: csrf } = (await browser.post('/auth/challenge').set('X-CSRF-Token', csrfFrom(login.text)).set('Accept', 'application/json').expect(200)).body as { challenge: string; csrfToken: string };
      const notOpened = await helperCall('/sign', { origin: t.config.publicOrigin, challenge, pin, token: `card-${cardNumber}` });
      expect([notOpened.status, notOpened.body.code]).toEqual([422, 9046]);
      expect((await helperCall('/card/open', { token: `card-${cardNumber}`, pin })).body).toEqual({ ok: true, token: `card-${cardNumber}` });
      const signed = await helperCall('/sign', { origin: t.config.publicOrigin, challenge, pin, token: `card-${cardNumber}` });
      expect(signed.status).toBe(200);
      const token = signed.body as WebEidAuthToken;
      expect(Buffer.from(token.unverifiedCertificate, 'base64').equals(leaf)).toBe(true);
      const signedIn = await browser
        .post('/auth/certificate')
        .set('X-CSRF-Token', csrf)
        .set('Origin', t.config.publicOrigin)
        .set('Accept', 'application/json')
        .send({ challenge, token, cardType: 'personnel', returnTo: '/' });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body).toMatchObject({ ok: true, role: 'personnel', displayName: CLINIC_DOCTOR.nameZh });
    });

    it('issues an institution card with the institution as the subject', async () => {
      const draft: ReservationDraft = {
        cardType: 'institution',
        agreedAt: Date.now(),
        applicant: { kind: 'institution', institutionCode: CLINIC.code, responsibleName: '林志明', responsibleNationalId: 'A123456789' },
        details: { county: '63000', counter: TAIPEI_BUREAU, counterDate: firstDay, phone: '0227001234', email: '', agentName: '', agentNationalId: '', mailingAddress: CLINIC.address },
        detailsComplete: true,
        userCodeHash,
      };
      const reference = createdReference(await t.app.get(CardReservationService).create(draft, 'zh-TW', { sessionId: 'counter-test-institution', clientIp: '127.0.0.1' }));
      const agent = await staff();
      const page = await openForm(agent, reference);
      expect(page.page.text).toContain(zh('cards.counter.document.institution.licence'));
      expect(page.page.text).not.toContain('value="certificate"');
      const res = await approve(agent, reference, ['id', 'licence']);
      expect(res.status).toBe(200);
      const cardNumber = /id="card-number">(\d+)</.exec(res.text)![1];
      const card = await t.dataSource.getRepository(Card).findOneByOrFail({ cardNumber });
      expect(card).toMatchObject({ cardType: 'institution', holderName: CLINIC.nameZh, institutionCode: CLINIC.code, email: null });
      const issued = await t.dataSource.getRepository(IssuedCertificate).findOneByOrFail({ id: card.certificateId! });
      const validated = await t.app.get(TrustStoreService).validate(issued.der, { purpose: 'client-auth' });
      expect(validated).toMatchObject({ valid: true, family: 'hca-institution' });
      // no e-mail address given: nothing sent
      expect(await outboxFor(cardNumber)).toEqual([]);
    });

    it.each([
      ['attached', { kind: 'attached', institutionCode: CLINIC.code, responsibleName: '林志明', responsibleNationalId: 'A123456789', cardCount: 2, purpose: '分院櫃台' }, 'attached'],
      ['test', { kind: 'test', organisationName: '示範資訊股份有限公司', businessNumber: '04595252', contactName: '林志明', contactNationalId: 'A123456789', cardCount: 1, purpose: '讀卡程式開發測試' }, 'test'],
    ] as const)('issues %s cards with their card type in the certificate', async (cardType, applicant, expectedCardType) => {
      const draft = {
        cardType,
        agreedAt: Date.now(),
        applicant,
        details: { county: '63000', counter: TAIPEI_BUREAU, counterDate: firstDay, phone: '0227001234', email: '', agentName: '', agentNationalId: '', mailingAddress: CLINIC.address },
        detailsComplete: true,
        userCodeHash,
      } as unknown as ReservationDraft;
      const reference = createdReference(await t.app.get(CardReservationService).create(draft, 'zh-TW', { sessionId: `counter-test-${cardType}`, clientIp: '127.0.0.1' }));
      const agent = await staff();
      await openForm(agent, reference);
      const res = await approve(agent, reference, ['id', 'licence']);
      expect(res.status).toBe(200);
      const cardNumber = /id="card-number">(\d+)</.exec(res.text)![1];
      const card = await t.dataSource.getRepository(Card).findOneByOrFail({ cardNumber });
      const issued = await t.dataSource.getRepository(IssuedCertificate).findOneByOrFail({ id: card.certificateId! });
      const validated = await t.app.get(TrustStoreService).validate(issued.der, { purpose: 'client-auth' });
      expect(validated).toMatchObject({ valid: true, family: 'hca-institution' });
      if (!validated.valid) return;
      expect(validated.directoryAttributes.cardType).toBe(expectedCardType);
    });

    it('lets only one of two staff approving the same reservation at once succeed: the other gets the 409 page', async () => {
      const reference = await reserve(CLINIC_DOCTOR);
      const [a, b] = [await staff(), await staff()];
      const [formA, formB] = [await openForm(a, reference), await openForm(b, reference)];
      const before = cardTokens();
      const results = await Promise.all([
        a.post(`/counter/reservations/${reference}`).type('form').send(form_(formA.csrf, formA.version)),
        b.post(`/counter/reservations/${reference}`).type('form').send(form_(formB.csrf, formB.version)),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.text).toContain(zh('errors.409.heading'));
      expect(loser.text).toContain(zh('cards.errors.changedMeanwhile'));
      const row = await reservation(reference);
      expect(row.status).toBe('issued');
      expect(await t.dataSource.getRepository(Card).countBy({ reservationId: row.id })).toBe(1);
      expect(cardTokens().filter((label) => !before.includes(label))).toHaveLength(1);
      const audits = await t.dataSource.getRepository(AuditEvent).find({ where: { targetId: reference } });
      expect(audits.filter((e) => e.action === 'card.approve')).toHaveLength(1);
      expect(audits.filter((e) => e.action === 'card.issue')).toHaveLength(1);
    });

    it('leaves no half card when issuance fails: the token is wiped, the certificate revoked, the reservation approvable again', async () => {
      const agent = await staff();

      // 1. the CA is unavailable after the token was made
      const first = await reserve(CLINIC_DOCTOR);
      const before = cardTokens();
      await t.dataSource.query("UPDATE ca_certificate SET enabled = 0 WHERE slug = 'hca-issuing-1'");
      try {
        const failed = await approve(agent, first);
        expect(failed.status).toBe(409);
        expect(failed.text).not.toMatch(/id="initial-pin"/);
      } finally {
        await t.dataSource.query("UPDATE ca_certificate SET enabled = 1 WHERE slug = 'hca-issuing-1'");
        t.app.get(TrustStoreService).invalidate();
      }
      let row = await reservation(first);
      expect(row).toMatchObject({ status: 'reserved', decidedAt: null, decidedBy: null, documentsChecked: null });
      expect(await t.dataSource.getRepository(Card).countBy({ reservationId: row.id })).toBe(0);
      expect(cardTokens()).toEqual(before);
      const audit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'card.issue-failed', targetId: first });
      expect(audit).toMatchObject({ outcome: 'failure', actorKind: 'staff', summary: { undone: ['token-wiped'], certificateId: null } });
      expect(await t.dataSource.getRepository(AuditEvent).countBy({ action: 'card.approve', targetId: first })).toBe(0);
      expect((await approve(agent, first)).status).toBe(200);

      // 2. the card row cannot be written after the certificate was issued (a card already claims this reservation)
      const second = await reserve(CLINIC_DOCTOR);
      row = await reservation(second);
      const blocker = { cardNumber: String(randomInt(900_000_000_000, 1_000_000_000_000)), reservationId: row.id, cardType: 'personnel', state: 'revoked', holderName: 'x', nationalIdIndex: row.nationalIdIndex, tokenLabel: 'card-none', pukCipher: 'x', userCodeHash: 'x', userCodeFailures: 0 };
      await t.dataSource.getRepository(Card).insert({ ...blocker, createdAt: new Date(), updatedAt: new Date(), version: 1 } as never);
      try {
        const beforeSecond = cardTokens();
        const failed = await approve(agent, second);
        expect(failed.status).toBe(500);
        row = await reservation(second);
        expect(row.status).toBe('reserved');
        expect(cardTokens()).toEqual(beforeSecond);
        const failure = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'card.issue-failed', targetId: second });
        expect(failure.summary).toMatchObject({ undone: ['certificate-revoked', 'token-wiped'] });
        const summary = failure.summary as { cardNumber: string; certificateId: number };
        expect(cardTokens()).not.toContain(`card-${summary.cardNumber}`);
        const revoked = await t.dataSource.getRepository(IssuedCertificate).findOneByOrFail({ id: summary.certificateId });
        expect(revoked).toMatchObject({ status: 'revoked', revocationReason: 'cessationOfOperation', holderRef: `card:${summary.cardNumber}` });
      } finally {
        await t.dataSource.getRepository(Card).delete({ cardNumber: blocker.cardNumber });
      }
      expect((await approve(agent, second)).status).toBe(200);
      expect((await reservation(second)).status).toBe('issued');
    });

    function form_(csrf: string, version: string): string {
      return form(csrf, version, { decision: 'approve', documents: ALL_PERSONNEL_DOCUMENTS });
    }
  });
});
