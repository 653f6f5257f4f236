import type supertest from 'supertest';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { EmployerRegistration, EmployerReviewCase } from '../../src/modules/employer-registry/registration.entity';
import type { UnitKind } from '../../src/modules/employer-registry/unit-kind';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { createReaderHelper, type ReaderHelper } from '../../src/reader-helper/main';
import { createTestApp, type TestApp } from '../support/app';
import { createCitizenCard, createOrganisationCard, createUnit, postForm, postWithCard, testIdentifier, testNationalId, type OrganisationCard, type TestUnit } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();

describe('employers: first registration (/employers/register)', () => {
  let t: TestApp;
  let helper: ReaderHelper;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    for (const family of ['gca', 'xca', 'moeaca', 'hca', 'moica'] as const) {
      await t.app.get(CrlService).publish((await t.app.get(CertificateIssuer).issuingCa(family)).id);
    }
    t.app.get(TrustStoreService).invalidate();
    helper = await createReaderHelper({ port: 0, allowedOrigins: [t.config.publicOrigin], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
  });
  afterAll(async () => {
    await helper.close();
    await t.close();
  });

  const outboxFor = async (needle: string) => (await t.dataSource.getRepository(OutboxMessage).find()).filter((m) => m.payload.includes(needle)).map((m) => JSON.parse(m.payload) as { to: string[]; subject: string; text: string });

  async function agreed(): Promise<supertest.Agent> {
    const agent = t.agent();
    const list = await agent.get('/employers/register').expect(200);
    expect(list.text).toContain('govuk-task-list');
    expect((await postForm(t, agent, '/employers/register/terms', { agree: 'yes' })).status).toBe(303);
    return agent;
  }

  const details = (extra: Record<string, string> = {}) => ({
    managerName: '王經理',
    email: 'manager@example.test',
    phone: '02-23456789#12',
    mobile: '',
    unitName: '測試單位',
    businessNumber: '04595252',
    labourInsuranceNumber: '01234567A',
    threeInOne: 'yes',
    responsibleId: '',
    responsibleIsManager: 'yes',
    ...extra,
  });

  async function registerThrough(agent: supertest.Agent, unit: TestUnit, unitCard: OrganisationCard) {
    const unitStep = await postWithCard(t, helper, agent, '/employers/register/unit', unitCard, { unitCode: unit.unitCode });
    return unitStep;
  }

  it.each(['agency', 'organization', 'company', 'institution'] as UnitKind[])('registers a %s unit whose certificate matches: unit card, manager card, details, check, reference, e-mail', async (kind) => {
    const unit = await createUnit(t, kind);
    const unitCard = await createOrganisationCard(t, store.modulePath, kind, unit.nameZh, unit.identifier);
    const managerId = testNationalId();
    const managerCard = await createCitizenCard(t, store.modulePath, managerId, '王經理');
    const agent = await agreed();

    const unitStep = await registerThrough(agent, unit, unitCard);
    expect(unitStep.status).toBe(303);
    expect(unitStep.headers.location).toBe('/employers/register');

    // the national ID typed must be the certificate's
    const wrong = await postWithCard(t, helper, agent, '/employers/register/manager', managerCard, { nationalId: testNationalId() });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('身分證統一編號與自然人憑證不符');
    const managerStep = await postWithCard(t, helper, agent, '/employers/register/manager', managerCard, { nationalId: managerId.toLowerCase() });
    expect(managerStep.status).toBe(303);

    const bad = await postForm(t, agent, '/employers/register/details', details({ phone: '', mobile: '', businessNumber: '04595253', labourInsuranceNumber: '1234' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('聯絡電話或行動電話至少填寫一項');
    expect(bad.text).toContain('統一編號檢查碼不正確');
    expect(bad.text).toContain('勞保證號為 8 位數字加 1 位英文檢查碼');
    expect(bad.text).toContain('value="04595253"');
    const email = `mgr-${unit.unitCode}@example.test`;
    const good = await postForm(t, agent, '/employers/register/details', details({ email }));
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe('/employers/register/check');

    const check = await agent.get('/employers/register/check').expect(200);
    expect(check.text).toContain(unit.unitCode);
    expect(check.text).not.toContain(managerId);
    const done = await postForm(t, agent, '/employers/register/check', {});
    expect(done.status).toBe(303);
    const page = await agent.get('/employers/register/done').expect(200);
    const reference = /<strong>(ER\d{14})<\/strong>/.exec(page.text)?.[1];
    expect(reference).toBeDefined();

    const row = await t.dataSource.getRepository(EmployerRegistration).findOneByOrFail({ reference });
    expect(row).toMatchObject({ unitCode: unit.unitCode, activeUnitCode: unit.unitCode, email, responsibleIsManager: true, threeInOne: true });
    expect(row.managerIdCipher).not.toContain(managerId);
    const mails = await outboxFor(reference!);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual([email]);
    const audit = await t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'employers.register', targetId: row.id });
    expect(audit.credential).toMatch(/^[0-9A-F]+@/);

    // a second registration of the same unit is refused
    const again = await agreed();
    const second = await registerThrough(again, unit, unitCard);
    expect(second.status).toBe(422);
    expect(second.text).toContain('這個單位已完成註冊');
  });

  it('refuses a wrong card type, an unknown unit code and a form without a card read, keeping the values', async () => {
    const unit = await createUnit(t, 'company');
    const citizen = await createCitizenCard(t, store.modulePath, testNationalId(), '路人');
    const agent = await agreed();
    const wrongType = await postWithCard(t, helper, agent, '/employers/register/unit', citizen, { unitCode: unit.unitCode });
    expect(wrongType.status).toBe(422);
    expect(wrongType.text).toContain('這不是此步驟所需的憑證種類');
    expect(wrongType.text).toContain(`value="${unit.unitCode}"`);
    const noCard = await postWithCard(t, helper, agent, '/employers/register/unit', null, { unitCode: unit.unitCode });
    expect(noCard.status).toBe(422);
    expect(noCard.text).toContain('無法讀取憑證');
    const card = await createOrganisationCard(t, store.modulePath, 'company', unit.nameZh, unit.identifier);
    const unknown = await postWithCard(t, helper, agent, '/employers/register/unit', card, { unitCode: '000000001' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('查無此單位代號');
  });

  it('sends the steps in order: no unit step before the terms, no manager step before the unit', async () => {
    const agent = t.agent();
    expect((await agent.get('/employers/register/unit')).headers.location).toBe('/employers/register');
    expect((await agent.get('/employers/register/manager')).headers.location).toBe('/employers/register');
    expect((await agent.get('/employers/register/check')).headers.location).toBe('/employers/register');
  });

  it('opens a review case on a mismatch, says to register again from the next business day, and says the same until it is decided', async () => {
    const unit = await createUnit(t, 'agency');
    const card = await createOrganisationCard(t, store.modulePath, 'agency', unit.nameZh, testIdentifier('agency'));
    const agent = await agreed();
    const step = await postWithCard(t, helper, agent, '/employers/register/unit', card, { unitCode: unit.unitCode });
    expect(step.headers.location).toBe('/employers/register/mismatch');
    const form = await agent.get('/employers/register/mismatch').expect(200);
    expect(form.text).toContain('因申請資料比對不符，需進行審核');
    const missing = await postForm(t, agent, '/employers/register/mismatch', { applicantName: '', applicantPhone: '12', applicantEmail: 'x' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('請輸入姓名');
    const sent = await postForm(t, agent, '/employers/register/mismatch', { applicantName: '陳承辦', applicantPhone: '02-27013411', applicantEmail: 'applicant@example.test' });
    expect(sent.headers.location).toBe('/employers/register/review');
    const review = await agent.get('/employers/register/review').expect(200);
    expect(review.text).toMatch(/請於次一營業日（\d{4}-\d{2}-\d{2}）起再重新註冊/);
    expect(review.text).toContain('如審核不通過，本部會主動聯絡申請人');
    const open = await t.dataSource.getRepository(EmployerReviewCase).findOneByOrFail({ unitCode: unit.unitCode });
    expect(open).toMatchObject({ status: 'open', applicantName: '陳承辦', certFamily: 'gca-agency' });

    const again = await agreed();
    const underReview = await postWithCard(t, helper, again, '/employers/register/unit', card, { unitCode: unit.unitCode });
    expect(underReview.headers.location).toBe('/employers/register/review');
    expect((await again.get('/employers/register/review').expect(200)).text).toContain('請於次一營業日');
    expect(await t.dataSource.getRepository(EmployerReviewCase).countBy({ unitCode: unit.unitCode })).toBe(1);
  });
});
