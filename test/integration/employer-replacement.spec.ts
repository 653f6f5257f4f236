import type supertest from 'supertest';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { EmployerRegistration, EmployerReviewCase } from '../../src/modules/employer-registry/registration.entity';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { createCitizenCard, createOrganisationCard, createRegisteredUnit, postForm, postWithCard, serialOf, signInWithCard, testNationalId, useEmployerTestBed, type OrganisationCard } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();

describe('employers: certificate replacement (/employers/replace) and queries (/employers/queries)', () => {
  const bed = useEmployerTestBed(store.modulePath);

  const outboxFor = async (needle: string) => (await bed.t.dataSource.getRepository(OutboxMessage).find()).filter((m) => m.payload.includes(needle)).map((m) => JSON.parse(m.payload) as { to: string[]; subject: string; text: string });
  const registrations = (unitCode: string) => bed.t.dataSource.getRepository(EmployerRegistration).find({ where: { unitCode }, order: { id: 'ASC' } });
  const contacts = (email: string) => ({ managerName: '林新管理者', email, phone: '', mobile: '0912345678' });

  async function agreed(kind: string): Promise<supertest.Agent> {
    const agent = bed.t.agent();
    const choose = await agent.get('/employers/replace').expect(200);
    expect(choose.text).toContain(`/employers/replace/${kind}/terms`);
    const terms = await postForm(bed.t, agent, `/employers/replace/${kind}/terms`, { agree: 'yes' });
    expect(terms.status).toBe(303);
    expect(terms.headers.location).toBe(`/employers/replace/${kind}/unit`);
    return agent;
  }

  async function through(kind: string, unitCode: string, unitCard: OrganisationCard, managerCard: OrganisationCard, managerId: string, agent?: supertest.Agent) {
    agent ??= await agreed(kind);
    const unitStep = await postWithCard(bed.t, bed.helper, agent, `/employers/replace/${kind}/unit`, unitCard, { unitCode });
    expect(unitStep.status).toBe(303);
    const managerStep = await postWithCard(bed.t, bed.helper, agent, `/employers/replace/${kind}/manager`, managerCard, { nationalId: managerId });
    expect(managerStep.status).toBe(303);
    expect(managerStep.headers.location).toBe(`/employers/replace/${kind}/details`);
    return agent;
  }

  async function finish(agent: supertest.Agent, kind: string, email: string) {
    const done = await postForm(bed.t, agent, `/employers/replace/${kind}/details`, contacts(email));
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/employers/replace/${kind}/done`);
    const page = await agent.get(`/employers/replace/${kind}/done`).expect(200);
    const reference = /<strong>(ER\d{14})<\/strong>/.exec(page.text)?.[1];
    expect(reference).toBeDefined();
    return reference!;
  }

  it('replaces the unit certificate: the registered manager proves it, the old binding ends (kept), the new card signs in, both addresses e-mailed, audited', async () => {
    const { unit, unitCard, managerCard, managerId, email } = await createRegisteredUnit(bed.t, store.modulePath, 'agency');
    const newCard = await createOrganisationCard(bed.t, store.modulePath, 'agency', unit.nameZh, unit.identifier);
    const agent = await agreed('unit');

    // the registered card is not a replacement; a card of another identifier does not match the registry
    const same = await postWithCard(bed.t, bed.helper, agent, '/employers/replace/unit/unit', unitCard, { unitCode: unit.unitCode });
    expect(same.status).toBe(422);
    expect(same.text).toContain('這張機關憑證已經註冊，不必更換');
    const foreign = await createOrganisationCard(bed.t, store.modulePath, 'agency', unit.nameZh, '2.16.886.101.99999.1');
    const mismatch = await postWithCard(bed.t, bed.helper, agent, '/employers/replace/unit/unit', foreign, { unitCode: unit.unitCode });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('識別碼與本單位的機關資料不符');
    expect(mismatch.text).toContain(`value="${unit.unitCode}"`);

    expect((await postWithCard(bed.t, bed.helper, agent, '/employers/replace/unit/unit', newCard, { unitCode: unit.unitCode })).status).toBe(303);
    // replacing the unit's card is proven by the REGISTERED manager
    const otherPerson = testNationalId();
    const stranger = await postWithCard(bed.t, bed.helper, agent, '/employers/replace/unit/manager', await createCitizenCard(bed.t, store.modulePath, otherPerson, '路人'), { nationalId: otherPerson });
    expect(stranger.status).toBe(422);
    expect(stranger.text).toContain('不是本單位註冊的授權管理者憑證');
    expect((await postWithCard(bed.t, bed.helper, agent, '/employers/replace/unit/manager', managerCard, { nationalId: managerId })).status).toBe(303);

    // the contacts are shown again to confirm (seed 003: 再次確認); bad ones re-render with the values kept
    const details = await agent.get('/employers/replace/unit/details').expect(200);
    expect(details.text).toContain(`value="${email}"`);
    expect(details.text).toContain(await serialOf(bed.t, newCard.der));
    const bad = await postForm(bed.t, agent, '/employers/replace/unit/details', { managerName: '', email: 'not-an-address', phone: '', mobile: '' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('聯絡電話或行動電話至少填寫一項');
    expect(bad.text).toContain('value="not-an-address"');

    const newEmail = `new-${unit.unitCode}@example.test`;
    const reference = await finish(agent, 'unit', newEmail);

    const [old, current] = await registrations(unit.unitCode);
    expect(old.activeUnitCode).toBeNull();
    expect(old.endedAt).not.toBeNull();
    expect(old.unitCertSerial).toBe(await serialOf(bed.t, unitCard.der));
    expect(current).toMatchObject({ reference, kind: 'replace-unit', replacesId: old.id, activeUnitCode: unit.unitCode, unitCertSerial: await serialOf(bed.t, newCard.der), managerCertSerial: old.managerCertSerial, email: newEmail, managerName: '林新管理者', mobile: '0912-345-678' });
    expect(current.managerIdIndex).toBe(old.managerIdIndex);

    const mails = await outboxFor(reference);
    expect(mails.flatMap((m) => m.to).sort()).toEqual([email, newEmail].sort());
    expect(mails[0].subject).toContain('更換憑證完成');
    expect(mails[0].text).toContain('更換機關憑證');
    const audit = await bed.t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'employers.replace.unit', targetId: current.id });
    expect(audit.credential).toBe(`${current.managerCertSerial}@${current.managerCertIssuer}`);

    // the new card signs in as the unit; the unit's manager proves themselves for delegation with the same citizen card
    const { res } = await signInWithCard(bed.t, bed.helper, newCard, 'employer');
    expect(res.status).toBe(200);
  });

  it('replaces the manager\'s certificate: proven by the registered unit card; the new manager then opens delegation and the old one cannot', async () => {
    const { unit, unitCard, managerCard, managerId } = await createRegisteredUnit(bed.t, store.modulePath, 'company');
    const newManagerId = testNationalId();
    const newManagerCard = await createCitizenCard(bed.t, store.modulePath, newManagerId, '林新管理者');
    const agent = await agreed('manager');
    // a new unit card does not prove the unit here: the registered one does
    const otherUnitCard = await createOrganisationCard(bed.t, store.modulePath, 'company', unit.nameZh, unit.identifier);
    const notRegistered = await postWithCard(bed.t, bed.helper, agent, '/employers/replace/manager/unit', otherUnitCard, { unitCode: unit.unitCode });
    expect(notRegistered.status).toBe(422);
    expect(notRegistered.text).toContain('不是本單位註冊的機關憑證');
    expect((await postWithCard(bed.t, bed.helper, agent, '/employers/replace/manager/unit', unitCard, { unitCode: unit.unitCode })).status).toBe(303);
    const sameManager = await postWithCard(bed.t, bed.helper, agent, '/employers/replace/manager/manager', managerCard, { nationalId: managerId });
    expect(sameManager.status).toBe(422);
    expect(sameManager.text).toContain('這張自然人憑證已經註冊');
    expect((await postWithCard(bed.t, bed.helper, agent, '/employers/replace/manager/manager', newManagerCard, { nationalId: newManagerId })).status).toBe(303);
    // re-entered (seed 003: 重新輸入): nothing prefilled
    const details = await agent.get('/employers/replace/manager/details').expect(200);
    expect(details.text).not.toContain(`unit-${unit.unitCode}@example.test`);
    const reference = await finish(agent, 'manager', `mgr2-${unit.unitCode}@example.test`);

    const [old, current] = await registrations(unit.unitCode);
    expect(current).toMatchObject({ reference, kind: 'replace-manager', unitCertSerial: old.unitCertSerial, managerCertSerial: await serialOf(bed.t, newManagerCard.der), responsibleIsManager: false });
    expect(current.managerIdIndex).not.toBe(old.managerIdIndex);
    expect(current.responsibleIdIndex).toBe(old.responsibleIdIndex);

    // delegation asks for the manager's own certificate: the new one passes, the old one no longer
    const { agent: unitSession } = await signInWithCard(bed.t, bed.helper, unitCard, 'employer');
    const oldProof = await postWithCard(bed.t, bed.helper, unitSession, '/employers/delegation/verify', managerCard, {});
    expect(oldProof.status).toBe(422);
    const newProof = await postWithCard(bed.t, bed.helper, unitSession, '/employers/delegation/verify', newManagerCard, {});
    expect(newProof.status).toBe(303);
  });

  it('replaces both certificates: the new unit card must match the registry; the receipt records list registration, replacement and review', async () => {
    const { unit, email } = await createRegisteredUnit(bed.t, store.modulePath, 'institution');
    const newUnitCard = await createOrganisationCard(bed.t, store.modulePath, 'institution', unit.nameZh, unit.identifier);
    const newManagerId = testNationalId();
    const newManagerCard = await createCitizenCard(bed.t, store.modulePath, newManagerId, '林新管理者');
    const agent = await through('both', unit.unitCode, newUnitCard, newManagerCard, newManagerId);
    const reference = await finish(agent, 'both', email);
    const [, current] = await registrations(unit.unitCode);
    expect(current).toMatchObject({ kind: 'replace-both', unitCertSerial: await serialOf(bed.t, newUnitCard.der), managerCertSerial: await serialOf(bed.t, newManagerCard.der) });
    expect(await outboxFor(reference)).toHaveLength(1);

    await bed.t.dataSource.getRepository(EmployerReviewCase).insert({ unitCode: unit.unitCode, status: 'rejected', certSerial: '01', certIssuer: 'CN=x', certFamily: 'hca-institution', certIdentifier: null, certSubject: 'CN=x', applicantName: '申請人', applicantPhone: '0223456789', applicantEmail: 'a@example.test', lang: 'zh-TW', decidedBy: 'staff', decidedAt: new Date(), reason: '不符', createdAt: new Date() });
    const receipts = await bed.t.agent().get(`/employers/queries/receipts?unitCode=${unit.unitCode}`).expect(200);
    const rows = [...receipts.text.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()).slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('首次註冊');
    expect(rows[0]).toContain('已停止使用');
    expect(rows[1]).toContain('更換機關憑證和更換授權管理者自然人憑證');
    expect(rows[1]).toContain(reference);
    expect(rows[1]).toContain('使用中');
    expect(rows[2]).toContain('送審');
    expect(rows[2]).toContain('不通過');
    expect(receipts.text).toContain(unit.nameZh);
    expect(receipts.text).not.toContain(email);
  });

  it('refuses a mismatching unit card for "both", a unit not registered, an unknown kind, and a step out of order', async () => {
    const { unit } = await createRegisteredUnit(bed.t, store.modulePath, 'organization');
    const foreign = await createOrganisationCard(bed.t, store.modulePath, 'organization', unit.nameZh, '2.16.886.1.100.77.1.1');
    const agent = await agreed('both');
    const res = await postWithCard(bed.t, bed.helper, agent, '/employers/replace/both/unit', foreign, { unitCode: unit.unitCode });
    expect(res.status).toBe(422);
    expect(res.text).toContain('識別碼與本單位的機關資料不符');
    expect((await agent.get('/employers/replace/both/details')).headers.location).toBe('/employers/replace/both/terms');
    expect((await agent.get('/employers/replace/other/terms')).status).toBe(404);
    // another kind's pages do not continue this draft
    expect((await agent.get('/employers/replace/unit/unit')).headers.location).toBe('/employers/replace/unit/terms');
  });

  it('two replacements of one unit at once: one wins, the other gets the conflict page', async () => {
    const { unit, unitCard, managerId } = await createRegisteredUnit(bed.t, store.modulePath, 'company');
    // the same person's renewed card is a new certificate: a replacement
    const renewed = await createCitizenCard(bed.t, store.modulePath, managerId, '管理者');
    const first = await through('manager', unit.unitCode, unitCard, renewed, managerId);
    const secondId = testNationalId();
    const second = await through('manager', unit.unitCode, unitCard, await createCitizenCard(bed.t, store.modulePath, secondId, '另一位'), secondId);
    await finish(first, 'manager', `first-${unit.unitCode}@example.test`);
    const lost = await postForm(bed.t, second, '/employers/replace/manager/details', contacts(`second-${unit.unitCode}@example.test`));
    expect(lost.status).toBe(409);
    expect(lost.text).toContain('註冊資料剛剛已被變更');
    const rows = await registrations(unit.unitCode);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.activeUnitCode)).toHaveLength(1);
    expect(rows[1].email).toBe(`first-${unit.unitCode}@example.test`);
    expect(rows[1].responsibleIsManager).toBe(true);
  });

  describe('queries (public)', () => {
    it('lists the three queries and validates the unit code of the receipts query', async () => {
      const agent = bed.t.agent();
      const index = await agent.get('/employers/queries').expect(200);
      for (const q of ['receipts', 'unit-certificate', 'citizen-serial']) expect(index.text).toContain(`/employers/queries/${q}`);
      const bad = await agent.get('/employers/queries/receipts?unitCode=12ab').expect(422);
      expect(bad.text).toContain('value="12ab"');
      expect(bad.text).toContain('govuk-error-summary');
      const none = await agent.get('/employers/queries/receipts?unitCode=799999999').expect(200);
      expect(none.text.replace(/<[^>]+>/g, '')).toContain('查無單位代號 799999999 的收件紀錄');
    });

    it('reads a unit certificate: its name, OID and whether it matches the unit code typed', async () => {
      const { unit, unitCard } = await createRegisteredUnit(bed.t, store.modulePath, 'agency');
      const agent = bed.t.agent();
      const res = await postWithCard(bed.t, bed.helper, agent, '/employers/queries/unit-certificate', unitCard, { unitCode: unit.unitCode });
      expect(res.status).toBe(200);
      expect(res.text).toContain('機關憑證 OID');
      expect(res.text).toContain(unit.identifier);
      expect(res.text).toContain('相符');
      const { unit: other } = await createRegisteredUnit(bed.t, store.modulePath, 'agency');
      const mismatch = await postWithCard(bed.t, bed.helper, agent, '/employers/queries/unit-certificate', unitCard, { unitCode: other.unitCode });
      expect(mismatch.text).toContain('不符');
      const noCard = await postWithCard(bed.t, bed.helper, agent, '/employers/queries/unit-certificate', null, { unitCode: unit.unitCode });
      expect(noCard.status).toBe(422);
      expect(noCard.text).toContain('無法讀取憑證');
    });

    it('reads a citizen certificate\'s serial and name when the national ID typed is its holder\'s; no sign-in', async () => {
      const id = testNationalId();
      const card = await createCitizenCard(bed.t, store.modulePath, id, '陳經辦');
      const agent = bed.t.agent();
      const wrong = await postWithCard(bed.t, bed.helper, agent, '/employers/queries/citizen-serial', card, { nationalId: testNationalId() });
      expect(wrong.status).toBe(422);
      const res = await postWithCard(bed.t, bed.helper, agent, '/employers/queries/citizen-serial', card, { nationalId: id });
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<strong id="citizen-serial">${await serialOf(bed.t, card.der)}</strong>`);
      expect(res.text).toContain('陳經辦');
      expect(res.text).not.toContain(id);
      const en = await bed.t.agent().get('/employers/queries/citizen-serial').set('Cookie', 'lang=en').expect(200);
      expect(en.text).toContain('Citizen certificate serial');
    });
  });
});
