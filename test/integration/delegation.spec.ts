import type supertest from 'supertest';
import { Delegation } from '../../src/modules/delegation/delegation.entity';
import { EmployerRegistration } from '../../src/modules/employer-registry/registration.entity';
import { OutboxMessage } from '../../src/modules/notifications/outbox-message.entity';
import { csrfFrom } from '../support/app';
import { createCitizenCard, createRegisteredUnit, postForm, postWithCard, serialOf, signInWithCard, testNationalId, type OrganisationCard, useEmployerTestBed } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();

describe('delegation: the manager appoints operators; operators see only what is granted', () => {
  const bed = useEmployerTestBed(store.modulePath);

  const outboxFor = async (needle: string) => (await bed.t.dataSource.getRepository(OutboxMessage).find()).filter((m) => m.payload.includes(needle)).map((m) => JSON.parse(m.payload) as { to: string[]; subject: string; text: string });

  /** The unit signed in with its certificate and the manager's certificate read in the same session. */
  async function managerSession(registered: Awaited<ReturnType<typeof createRegisteredUnit>>): Promise<supertest.Agent> {
    const { agent, res } = await signInWithCard(bed.t, bed.helper, registered.unitCard, 'employer');
    expect(res.body.role).toBe('employer_manager');
    const verified = await postWithCard(bed.t, bed.helper, agent, '/employers/delegation/verify', registered.managerCard, {});
    expect(verified.status).toBe(303);
    return agent;
  }

  const operatorFields = (serial: string, extra: Record<string, string | string[]> = {}) => ({
    certSerial: serial,
    credentialType: 'citizen',
    nationalId: testNationalId(),
    operatorName: '李經辦',
    phone: '',
    mobile: '0912-345-678',
    email: `op-${serial.slice(0, 8)}@example.test`,
    functions: ['roster.query'],
    endsOn: '',
    ...extra,
  });

  async function addOperator(agent: supertest.Agent, card: OrganisationCard, extra: Record<string, string | string[]> = {}) {
    const serial = await serialOf(bed.t, card.der);
    const res = await postForm(bed.t, agent, '/employers/delegation/add', operatorFields(serial, extra) as unknown as Record<string, string>);
    expect(res.status).toBe(303);
    return { serial, delegation: await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ certSerial: serial, status: 'active' }) };
  }

  it("ends the manager's proof when the unit's registration is replaced (a new manager certificate): the next delegation page asks again", async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const manager = await managerSession(registered);
    expect((await manager.get('/employers/delegation')).status).toBe(200);
    // What /employers/replace does to the registration: the old one ends, a new one replaces it.
    const registrations = bed.t.dataSource.getRepository(EmployerRegistration);
    const old = await registrations.findOneByOrFail({ activeUnitCode: registered.unit.unitCode });
    await registrations.update({ id: old.id }, { activeUnitCode: null, endedAt: new Date() });
    const { id: _id, ...copy } = old;
    await registrations.insert({ ...copy, reference: `RR${old.reference.slice(2)}`, kind: 'replace-manager', replacesId: old.id, createdAt: new Date() });
    const again = await manager.get('/employers/delegation');
    expect([again.status, again.headers.location]).toEqual([303, '/employers/delegation/verify']);
  });

  it('asks for the manager\'s own certificate in the same session: the unit alone, or another citizen certificate, is not enough', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const { agent } = await signInWithCard(bed.t, bed.helper, registered.unitCard, 'employer');
    const first = await agent.get('/employers/delegation');
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/employers/delegation/verify');
    const stranger = await createCitizenCard(bed.t, store.modulePath, testNationalId(), '路人');
    const refused = await postWithCard(bed.t, bed.helper, agent, '/employers/delegation/verify', stranger, {});
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('不是本單位註冊的授權管理者憑證');
    expect((await postWithCard(bed.t, bed.helper, agent, '/employers/delegation/verify', registered.managerCard, {})).status).toBe(303);
    expect((await agent.get('/employers/delegation')).status).toBe(200);
  });

  it('adds an operator (e-mail to the unit and the operator), who signs in with their own certificate and sees only the granted functions; bad input is reported', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const manager = await managerSession(registered);
    const bad = await postForm(bed.t, manager, '/employers/delegation/add', { certSerial: 'XYZ', credentialType: '', nationalId: 'A1', operatorName: '', phone: '', mobile: '', email: 'no', endsOn: '2099-01-01' });
    expect(bad.status).toBe(422);
    for (const text of ['憑證序號為 16 進位數字', '請選擇憑證種類', '請至少勾選一項功能', '聯絡電話或行動電話至少填寫一項', '授權截止日須為今天起 5 年內']) expect(bad.text).toContain(text);

    const opCard = await createCitizenCard(bed.t, store.modulePath, testNationalId(), '李經辦');
    const { serial } = await addOperator(manager, opCard, { functions: ['roster.query', 'roster.export'] });
    const list = await manager.get('/employers/delegation').expect(200);
    expect(list.text).toContain(serial);
    const mails = await outboxFor(serial);
    expect(mails).toHaveLength(1);
    expect(mails[0].to.sort()).toEqual([`op-${serial.slice(0, 8)}@example.test`, registered.email].sort());

    const { agent: operator, res } = await signInWithCard(bed.t, bed.helper, opCard, 'operator');
    expect(res.body).toMatchObject({ role: 'employer_operator', displayName: '李經辦' });
    await operator.get('/employers/unit').expect(200);
    expect((await operator.get('/employers/delegation')).status).toBe(403);
    // a citizen certificate chosen as a staff card is no operator
    expect((await signInWithCard(bed.t, bed.helper, opCard, 'citizen')).res.body.code).toBe('no-account');
  });

  it('a deleted delegation refuses the operator\'s next request; so does an ended one', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const manager = await managerSession(registered);
    const opCard = await createCitizenCard(bed.t, store.modulePath, testNationalId(), '張經辦');
    const { delegation } = await addOperator(manager, opCard);
    const { agent: operator } = await signInWithCard(bed.t, bed.helper, opCard, 'operator');
    await operator.get('/employers/unit').expect(200);

    const confirm = await manager.get(`/employers/delegation/${delegation.id}/delete`).expect(200);
    expect(confirm.text).toContain('確定要刪除經辦人');
    const deleted = await manager.post(`/employers/delegation/${delegation.id}/delete`).set('Origin', bed.t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(confirm.text), version: String(delegation.version) });
    expect(deleted.status).toBe(303);
    expect((await operator.get('/employers/unit')).status).toBe(303);
    expect((await signInWithCard(bed.t, bed.helper, opCard, 'operator')).res.body.code).toBe('no-account');

    const second = await createCitizenCard(bed.t, store.modulePath, testNationalId(), '吳經辦');
    const added = await addOperator(manager, second);
    const { agent: op2 } = await signInWithCard(bed.t, bed.helper, second, 'operator');
    await op2.get('/employers/unit').expect(200);
    await bed.t.dataSource.getRepository(Delegation).update({ id: added.delegation.id }, { endsOn: '2000-01-01' });
    expect((await op2.get('/employers/unit')).status).toBe(303);
  });

  it('two managers\' sessions changing one operator: one wins, the other gets the conflict page; the history lists every change and exports as CSV', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const [m1, m2] = [await managerSession(registered), await managerSession(registered)];
    const opCard = await createCitizenCard(bed.t, store.modulePath, testNationalId(), '周經辦');
    const { serial, delegation } = await addOperator(m1, opCard);
    const pages = await Promise.all([m1, m2].map((m) => m.get(`/employers/delegation/${delegation.id}/edit`).expect(200)));
    const fields = (fns: string[]) => ({ ...operatorFields(serial, { functions: fns }), version: String(delegation.version) });
    const results = await Promise.all(
      [m1, m2].map((m, i) => m.post(`/employers/delegation/${delegation.id}/edit`).set('Origin', bed.t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(pages[i].text), ...fields(i === 0 ? ['roster.enrol'] : ['all']) })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(results.find((r) => r.status === 409)!.text).toContain('這位經辦人的授權剛被其他人修改');

    const history = await m1.get('/employers/delegation/history').expect(200);
    expect(history.text).toContain('新增');
    expect(history.text).toContain('修改');
    const csv = await m1.get('/employers/delegation/history?format=csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n').filter((l) => l.includes(delegation.id)).length).toBeGreaterThanOrEqual(2);
  });
});
