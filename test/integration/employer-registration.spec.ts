import type supertest from 'supertest';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { EmployerRegistration, EmployerReviewCase } from '../../src/modules/employer-registry/registration.entity';
import type { UnitKind } from '../../src/modules/employer-registry/unit-kind';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { createCitizenCard, createOrganisationCard, createUnit, postForm, postWithCard, testIdentifier, testNationalId, type OrganisationCard, type TestUnit, useEmployerTestBed } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';
import { csrfFrom } from '../support/app';

const store = useSoftHsmTestStore();

describe('employers: first registration (/employers/register)', () => {
  const bed = useEmployerTestBed(store.modulePath);

  const outboxFor = async (needle: string) => (await bed.t.dataSource.getRepository(OutboxMessage).find()).filter((m) => m.payload.includes(needle)).map((m) => JSON.parse(m.payload) as { to: string[]; subject: string; text: string });

  async function agreed(): Promise<supertest.Agent> {
    const agent = bed.t.agent();
    const list = await agent.get('/employers/register').expect(200);
    expect(list.text).toContain('govuk-task-list');
    expect((await postForm(bed.t, agent, '/employers/register/terms', { agree: 'yes' })).status).toBe(303);
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
    const unitStep = await postWithCard(bed.t, bed.helper, agent, '/employers/register/unit', unitCard, { unitCode: unit.unitCode });
    return unitStep;
  }

  it.each(['agency', 'organization', 'company', 'institution'] as UnitKind[])('registers a %s unit whose certificate matches: unit card, manager card, details, check, reference, e-mail', async (kind) => {
    const unit = await createUnit(bed.t, kind);
    const unitCard = await createOrganisationCard(bed.t, store.modulePath, kind, unit.nameZh, unit.identifier);
    const managerId = testNationalId();
    const managerCard = await createCitizenCard(bed.t, store.modulePath, managerId, '王經理');
    const agent = await agreed();

    const unitStep = await registerThrough(agent, unit, unitCard);
    expect(unitStep.status).toBe(303);
    expect(unitStep.headers.location).toBe('/employers/register');

    // the national ID typed must be the certificate's
    const wrong = await postWithCard(bed.t, bed.helper, agent, '/employers/register/manager', managerCard, { nationalId: testNationalId() });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('身分證統一編號與自然人憑證不符');
    const managerStep = await postWithCard(bed.t, bed.helper, agent, '/employers/register/manager', managerCard, { nationalId: managerId.toLowerCase() });
    expect(managerStep.status).toBe(303);

    const bad = await postForm(bed.t, agent, '/employers/register/details', details({ phone: '', mobile: '', businessNumber: '04595253', labourInsuranceNumber: '1234' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('聯絡電話或行動電話至少填寫一項');
    expect(bad.text).toContain('統一編號檢查碼不正確');
    expect(bad.text).toContain('勞保證號為 8 位數字加 1 位英文檢查碼');
    expect(bad.text).toContain('value="04595253"');
    const email = `mgr-${unit.unitCode}@example.test`;
    const good = await postForm(bed.t, agent, '/employers/register/details', details({ email }));
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe('/employers/register/check');

    const check = await agent.get('/employers/register/check').expect(200);
    expect(check.text).toContain(unit.unitCode);
    expect(check.text).not.toContain(managerId);
    const done = await postForm(bed.t, agent, '/employers/register/check', {});
    expect(done.status).toBe(303);
    const page = await agent.get('/employers/register/done').expect(200);
    const reference = /<strong>(ER\d{14})<\/strong>/.exec(page.text)?.[1];
    expect(reference).toBeDefined();

    const row = await bed.t.dataSource.getRepository(EmployerRegistration).findOneByOrFail({ reference });
    expect(row).toMatchObject({ unitCode: unit.unitCode, activeUnitCode: unit.unitCode, email, responsibleIsManager: true, threeInOne: true });
    expect(row.managerIdCipher).not.toContain(managerId);
    const mails = await outboxFor(reference!);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual([email]);
    const audit = await bed.t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'employers.register', targetId: row.id });
    expect(audit.credential).toMatch(/^[0-9A-F]+@/);

    // a second registration of the same unit is refused
    const again = await agreed();
    const second = await registerThrough(again, unit, unitCard);
    expect(second.status).toBe(422);
    expect(second.text).toContain('這個單位已完成註冊');
  });

  it('refuses a wrong card type, an unknown unit code and a form without a card read, keeping the values', async () => {
    const unit = await createUnit(bed.t, 'company');
    const citizen = await createCitizenCard(bed.t, store.modulePath, testNationalId(), '路人');
    const agent = await agreed();
    const wrongType = await postWithCard(bed.t, bed.helper, agent, '/employers/register/unit', citizen, { unitCode: unit.unitCode });
    expect(wrongType.status).toBe(422);
    expect(wrongType.text).toContain('這不是此步驟所需的憑證種類');
    expect(wrongType.text).toContain(`value="${unit.unitCode}"`);
    const noCard = await postWithCard(bed.t, bed.helper, agent, '/employers/register/unit', null, { unitCode: unit.unitCode });
    expect(noCard.status).toBe(422);
    expect(noCard.text).toContain('無法讀取憑證');
    const card = await createOrganisationCard(bed.t, store.modulePath, 'company', unit.nameZh, unit.identifier);
    const unknown = await postWithCard(bed.t, bed.helper, agent, '/employers/register/unit', card, { unitCode: '000000001' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('查無此單位代號');
  });

  it('sends the steps in order: no unit step before the terms, no manager step before the unit', async () => {
    const agent = bed.t.agent();
    expect((await agent.get('/employers/register/unit')).headers.location).toBe('/employers/register');
    expect((await agent.get('/employers/register/manager')).headers.location).toBe('/employers/register');
    expect((await agent.get('/employers/register/check')).headers.location).toBe('/employers/register');
  });

  it('opens a review case on a mismatch, says to register again from the next business day, and says the same until it is decided', async () => {
    const unit = await createUnit(bed.t, 'agency');
    const card = await createOrganisationCard(bed.t, store.modulePath, 'agency', unit.nameZh, testIdentifier('agency'));
    const agent = await agreed();
    const step = await postWithCard(bed.t, bed.helper, agent, '/employers/register/unit', card, { unitCode: unit.unitCode });
    expect(step.headers.location).toBe('/employers/register/mismatch');
    const form = await agent.get('/employers/register/mismatch').expect(200);
    expect(form.text).toContain('因申請資料比對不符，需進行審核');
    const missing = await postForm(bed.t, agent, '/employers/register/mismatch', { applicantName: '', applicantPhone: '12', applicantEmail: 'x' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('請輸入姓名');
    const sent = await postForm(bed.t, agent, '/employers/register/mismatch', { applicantName: '陳承辦', applicantPhone: '02-27013411', applicantEmail: 'applicant@example.test' });
    expect(sent.headers.location).toBe('/employers/register/review');
    const review = await agent.get('/employers/register/review').expect(200);
    expect(review.text).toMatch(/請於次一營業日（(<span class="app-nowrap">)?\d{2,3}年\d{1,2}月\d{1,2}日（星期.）(<\/span>)?）起再重新註冊/);
    expect(review.text).toContain('如審核不通過，本部會主動聯絡申請人');
    const open = await bed.t.dataSource.getRepository(EmployerReviewCase).findOneByOrFail({ unitCode: unit.unitCode });
    expect(open).toMatchObject({ status: 'open', applicantName: '陳承辦', certFamily: 'gca-agency' });

    const again = await agreed();
    const underReview = await postWithCard(bed.t, bed.helper, again, '/employers/register/unit', card, { unitCode: unit.unitCode });
    expect(underReview.headers.location).toBe('/employers/register/review');
    expect((await again.get('/employers/register/review').expect(200)).text).toContain('請於次一營業日');
    expect(await bed.t.dataSource.getRepository(EmployerReviewCase).countBy({ unitCode: unit.unitCode })).toBe(1);
  });

  /** A unit with a certificate that does not match, and its open review case (applicant e-mail unique). */
  async function openCase(kind: UnitKind = 'company') {
    const unit = await createUnit(bed.t, kind);
    const card = await createOrganisationCard(bed.t, store.modulePath, kind, unit.nameZh, testIdentifier(kind));
    const agent = await agreed();
    await postWithCard(bed.t, bed.helper, agent, '/employers/register/unit', card, { unitCode: unit.unitCode });
    const applicantEmail = `applicant-${unit.unitCode}@example.test`;
    await postForm(bed.t, agent, '/employers/register/mismatch', { applicantName: '陳承辦', applicantPhone: '0912-345-678', applicantEmail });
    const reviewCase = await bed.t.dataSource.getRepository(EmployerReviewCase).findOneByOrFail({ unitCode: unit.unitCode });
    return { unit, card, reviewCase, applicantEmail };
  }

  const decide = async (agent: supertest.Agent, id: string, fields: Record<string, string>, csrfPage = `/review/employers/${id}`) => {
    const page = await agent.get(csrfPage).expect(200);
    return agent.post(`/review/employers/${id}`).set('Origin', bed.t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
  };

  it('mismatch → review → approve: the applicant is e-mailed and the same certificate then registers', async () => {
    const { unit, card, reviewCase, applicantEmail } = await openCase('organization');
    const reviewer = await signInAsStaff(bed.t, 'ministry_staff');
    const list = await reviewer.agent.get('/review/employers').expect(200);
    expect(list.text).toContain(unit.unitCode);
    const page = await reviewer.agent.get(`/review/employers/${reviewCase.id}`).expect(200);
    // the certificate's identifier beside the registry's
    expect(page.text).toContain(reviewCase.certIdentifier!);
    expect(page.text).toContain(unit.identifier);
    const noDecision = await decide(reviewer.agent, reviewCase.id, { version: String(reviewCase.version) });
    expect(noDecision.status).toBe(422);
    expect(noDecision.text).toContain('請選擇審核結果');
    const approved = await decide(reviewer.agent, reviewCase.id, { version: String(reviewCase.version), decision: 'approve', reason: '' });
    expect(approved.status).toBe(303);
    expect((await bed.t.dataSource.getRepository(EmployerReviewCase).findOneByOrFail({ id: reviewCase.id })).status).toBe('approved');
    const mails = (await outboxFor(applicantEmail)).filter((m) => m.subject.includes('審核通過'));
    expect(mails).toHaveLength(1);
    expect(await bed.t.dataSource.getRepository(AuditEvent).countBy({ action: 'employers.review-case.approve', targetId: reviewCase.id })).toBe(1);

    const agent = await agreed();
    const step = await postWithCard(bed.t, bed.helper, agent, '/employers/register/unit', card, { unitCode: unit.unitCode });
    expect(step.headers.location).toBe('/employers/register');
    const managerId = testNationalId();
    const managerCard = await createCitizenCard(bed.t, store.modulePath, managerId, '林經理');
    expect((await postWithCard(bed.t, bed.helper, agent, '/employers/register/manager', managerCard, { nationalId: managerId })).status).toBe(303);
    expect((await postForm(bed.t, agent, '/employers/register/details', details({ email: `m-${unit.unitCode}@example.test`, responsibleIsManager: '', responsibleId: testNationalId() }))).status).toBe(303);
    expect((await postForm(bed.t, agent, '/employers/register/check', {})).status).toBe(303);
    expect(await bed.t.dataSource.getRepository(EmployerRegistration).findOneBy({ activeUnitCode: unit.unitCode })).not.toBeNull();
  });

  it('mismatch → review → reject with a reason: the applicant is e-mailed the reason and the certificate stays refused', async () => {
    const { unit, card, reviewCase, applicantEmail } = await openCase('institution');
    const reviewer = await signInAsStaff(bed.t, 'ministry_staff');
    const noReason = await decide(reviewer.agent, reviewCase.id, { version: String(reviewCase.version), decision: 'reject', reason: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('不通過時請填寫理由');
    expect((await decide(reviewer.agent, reviewCase.id, { version: String(reviewCase.version), decision: 'reject', reason: '憑證非本機關所有' })).status).toBe(303);
    const mails = (await outboxFor(applicantEmail)).filter((m) => m.subject.includes('未通過'));
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain('憑證非本機關所有');
    const agent = await agreed();
    const again = await postWithCard(bed.t, bed.helper, agent, '/employers/register/unit', card, { unitCode: unit.unitCode });
    expect(again.headers.location).toBe('/employers/register/mismatch');
  });

  it('two reviewers on one case: one wins, the other gets the conflict page', async () => {
    const { reviewCase, applicantEmail } = await openCase('agency');
    const [a, b] = [await signInAsStaff(bed.t, 'ministry_staff'), await signInAsStaff(bed.t, 'ministry_staff')];
    const pages = await Promise.all([a, b].map((r) => r.agent.get(`/review/employers/${reviewCase.id}`).expect(200)));
    const results = await Promise.all(
      [a, b].map((r, i) =>
        r.agent
          .post(`/review/employers/${reviewCase.id}`)
          .set('Origin', bed.t.config.publicOrigin)
          .type('form')
          .send({ _csrf: csrfFrom(pages[i].text), version: String(reviewCase.version), decision: i === 0 ? 'approve' : 'reject', reason: i === 0 ? '' : '不符' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.text).toContain('這件申請剛被其他審核人員處理');
    expect(await outboxFor(applicantEmail)).toHaveLength(1);
  });

  it('keeps the review to ministry staff: other staff are refused, visitors sent to sign in, an unknown case is not found', async () => {
    const counter = await signInAsStaff(bed.t, 'counter_staff');
    expect((await counter.agent.get('/review/employers')).status).toBe(403);
    expect((await bed.t.agent().get('/review/employers')).status).toBe(303);
    const ministry = await signInAsStaff(bed.t, 'ministry_staff');
    expect((await ministry.agent.get('/review/employers/999999999')).status).toBe(404);
  });
});

