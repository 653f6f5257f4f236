import type supertest from 'supertest';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { Delegation, DelegationHistory } from '../../src/modules/delegation/delegation.entity';
import { createCitizenCard, createDevCard, createRegisteredUnit, postForm, postWithCard, serialOf, signInWithCard, testNationalId, type OrganisationCard, useEmployerTestBed } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();

describe('operators: the unit picker of an operator of several units, and renewed certificates', () => {
  const bed = useEmployerTestBed(store.modulePath);

  async function managerSession(registered: Awaited<ReturnType<typeof createRegisteredUnit>>): Promise<supertest.Agent> {
    const { agent } = await signInWithCard(bed.t, bed.helper, registered.unitCard, 'employer');
    expect((await postWithCard(bed.t, bed.helper, agent, '/employers/delegation/verify', registered.managerCard, {})).status).toBe(303);
    return agent;
  }

  async function delegate(manager: supertest.Agent, card: OrganisationCard, nationalId: string, name: string, functions: string[], credentialType = 'citizen') {
    const serial = await serialOf(bed.t, card.der);
    const fields = { certSerial: serial, credentialType, nationalId, operatorName: name, phone: '02-23456789', mobile: '', email: `op-${serial.slice(0, 10)}@example.test`, functions, endsOn: '' };
    expect((await postForm(bed.t, manager, '/employers/delegation/add', fields as unknown as Record<string, string>)).status).toBe(303);
    return serial;
  }

  it('an operator of two units is led to the unit picker after sign-in, acts for the unit picked, and can switch back; another operator\'s delegation cannot be picked', async () => {
    const [a, b] = [await createRegisteredUnit(bed.t, store.modulePath), await createRegisteredUnit(bed.t, store.modulePath)];
    const [first, second] = a.unit.unitCode < b.unit.unitCode ? [a, b] : [b, a];
    const id = testNationalId();
    const card = await createCitizenCard(bed.t, store.modulePath, id, '多單位經辦');
    const serial = await delegate(await managerSession(first), card, id, '多單位經辦', ['roster.enrol']);
    await delegate(await managerSession(second), card, id, '多單位經辦', ['roster.query']);

    const { agent, res } = await signInWithCard(bed.t, bed.helper, card, 'operator');
    expect(res.body.role).toBe('employer_operator');
    expect(res.body.redirect).toBe('/employers/operator/unit');
    const picker = await agent.get('/employers/operator/unit').expect(200);
    expect(picker.text).toContain(first.unit.unitCode);
    expect(picker.text).toContain(second.unit.unitCode);
    expect(picker.text).toContain(second.unit.nameZh);
    // the first unit (by code) until another is picked: enrol granted there, the list (roster.query) not
    expect((await agent.get('/roster')).status).toBe(403);

    const delegations = await bed.t.dataSource.getRepository(Delegation).find({ where: { certSerial: serial, status: 'active' } });
    const inSecond = delegations.find((d) => d.unitCode === second.unit.unitCode)!;
    const inFirst = delegations.find((d) => d.unitCode === first.unit.unitCode)!;
    // a delegation that is not this certificate's: refused, form re-rendered
    const otherId = testNationalId();
    const otherSerial = await delegate(await managerSession(second), await createCitizenCard(bed.t, store.modulePath, otherId, '別人'), otherId, '別人', ['roster.query']);
    const other = await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ certSerial: otherSerial });
    const refused = await postForm(bed.t, agent, '/employers/operator/unit', { unit: other.id });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('請選擇單位');

    const picked = await postForm(bed.t, agent, '/employers/operator/unit', { unit: inSecond.id });
    expect(picked.status).toBe(303);
    expect(picked.headers.location).toBe('/');
    expect((await agent.get('/roster')).status).toBe(200);
    expect((await agent.get('/roster/enrol')).status).toBe(403);
    const audit = await bed.t.dataSource.getRepository(AuditEvent).findOneByOrFail({ action: 'delegation.operator.unit', targetId: inSecond.id });
    expect(audit.credential).toContain(serial);

    // the delegation of the unit picked is the one checked on every request: deleting it ends this session
    expect((await postForm(bed.t, agent, '/employers/operator/unit', { unit: inFirst.id })).status).toBe(303);
    expect((await agent.get('/roster/enrol')).status).toBe(200);
    await bed.t.dataSource.getRepository(Delegation).update({ id: inFirst.id }, { status: 'deleted' });
    const ended = await agent.get('/roster/enrol');
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toMatch(/^\/login/);
  });

  it('an operator of one unit signs in straight to where they were going, and the picker says there is nothing to switch', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const id = testNationalId();
    const card = await createCitizenCard(bed.t, store.modulePath, id, '單一經辦');
    await delegate(await managerSession(registered), card, id, '單一經辦', ['roster.query']);
    const { agent, res } = await signInWithCard(bed.t, bed.helper, card, 'operator');
    expect(res.body.redirect).toBe('/');
    expect((await agent.get('/employers/operator/unit').expect(200)).text).toContain('不必切換');
  });

  it.each([
    ['citizen', 'moica', 'citizen'],
    ['personnel', 'hca', 'personnel'],
  ] as const)('a renewed %s certificate of the same person: the sign-in says so, the manager updates the serial with one confirmation, then the new card signs in and the old one not', async (credentialType, family, kind) => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const manager = await managerSession(registered);
    const id = testNationalId();
    const oldCard = await createDevCard(bed.t, store.modulePath, family, kind, { name: '換卡經辦', nationalId: id });
    const oldSerial = await delegate(manager, oldCard, id, '換卡經辦', ['roster.query'], credentialType);
    const renewed = await createDevCard(bed.t, store.modulePath, family, kind, { name: '換卡經辦', nationalId: id });
    const newSerial = await serialOf(bed.t, renewed.der);

    const refused = (await signInWithCard(bed.t, bed.helper, renewed, 'operator')).res;
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('certificate-renewed');
    // someone else's certificate is no renewal
    let strangerId = testNationalId();
    while (strangerId.slice(-4) === id.slice(-4)) strangerId = testNationalId();
    const stranger = await createDevCard(bed.t, store.modulePath, family, kind, { name: '換卡經辦', nationalId: strangerId });
    expect((await signInWithCard(bed.t, bed.helper, stranger, 'operator')).res.body.code).toBe('no-account');

    const list = await manager.get('/employers/delegation').expect(200);
    expect(list.text).toContain('憑證已更新');
    const row = await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ certSerial: oldSerial, status: 'active' });
    expect(row.renewalSerial).toBe(newSerial);
    const confirm = await manager.get(`/employers/delegation/${row.id}/renewal`).expect(200);
    expect(confirm.text).toContain(newSerial);
    // a stale version (someone changed the delegation meanwhile) is a conflict
    const stale = await postForm(bed.t, manager, `/employers/delegation/${row.id}/renewal`, { version: String(row.version - 1) });
    expect(stale.status).toBe(409);
    const done = await postForm(bed.t, manager, `/employers/delegation/${row.id}/renewal`, { version: String(row.version) });
    expect(done.status).toBe(303);

    const updated = await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ id: row.id });
    expect(updated).toMatchObject({ certSerial: newSerial, renewalSerial: null });
    const history = await bed.t.dataSource.getRepository(DelegationHistory).find({ where: { delegationId: row.id }, order: { id: 'ASC' } });
    expect(history.map((h) => h.action)).toEqual(['add', 'modify']);
    expect(history[1].summary).toContain(newSerial);
    expect((await signInWithCard(bed.t, bed.helper, renewed, 'operator')).res.body.role).toBe('employer_operator');
    expect((await signInWithCard(bed.t, bed.helper, oldCard, 'operator')).res.body.code).toBe('no-account');
  });

  it('adding an operator reads the operator\'s card through the reader helper: serial, name and credential type filled in; an edit reads the renewed card', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const manager = await managerSession(registered);
    const id = testNationalId();
    const card = await createDevCard(bed.t, store.modulePath, 'hca', 'personnel', { name: '讀卡經辦', nationalId: id });
    const serial = await serialOf(bed.t, card.der);
    const addPage = await manager.get('/employers/delegation/add').expect(200);
    expect(addPage.text).toMatch(/href="\/employers\/delegation\/read\?for(=|&#x3D;)add"/);
    const notRead = await postWithCard(bed.t, bed.helper, manager, '/employers/delegation/read?for=add', null, { for: 'add' });
    expect(notRead.status).toBe(422);
    const read = await postWithCard(bed.t, bed.helper, manager, '/employers/delegation/read?for=add', card, { for: 'add' });
    expect(read.status).toBe(303);
    expect(read.headers.location).toBe('/employers/delegation/add');
    const filled = await manager.get('/employers/delegation/add').expect(200);
    expect(filled.text).toContain(`value="${serial}"`);
    expect(filled.text).toContain('value="讀卡經辦"');
    expect(filled.text).toMatch(/value="personnel"\s+checked/);
    // read once: the next add form is empty again
    expect((await manager.get('/employers/delegation/add')).text).not.toContain(`value="${serial}"`);
    await delegate(manager, card, id, '讀卡經辦', ['roster.query'], 'personnel');
    const row = await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ certSerial: serial, status: 'active' });

    const renewed = await createDevCard(bed.t, store.modulePath, 'hca', 'personnel', { name: '讀卡經辦', nationalId: id });
    expect((await postWithCard(bed.t, bed.helper, manager, `/employers/delegation/read?for=${row.id}`, renewed, { for: row.id })).headers.location).toBe(`/employers/delegation/${row.id}/edit`);
    const edit = await manager.get(`/employers/delegation/${row.id}/edit`).expect(200);
    expect(edit.text).toContain(`value="${await serialOf(bed.t, renewed.der)}"`);
  });
});
