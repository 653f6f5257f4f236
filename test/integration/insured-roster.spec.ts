import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { randomBytes } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type supertest from 'supertest';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { Delegation } from '../../src/modules/delegation/delegation.entity';
import { DELEGABLE_FUNCTIONS } from '../../src/modules/delegation';
import { InsuredMember } from '../../src/modules/insured-roster/roster.entity';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { csrfFrom } from '../support/app';
import { createCitizenCard, createDevCard, useEmployerTestBed, createOrganisationCard, createRegisteredUnit, postForm, postWithCard, serialOf, signInWithCard, testNationalId, type OrganisationCard } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';

const store = useSoftHsmTestStore();

describe('insured-staff roster and the permissions of every roster and delegation route', () => {
  const bed = useEmployerTestBed(store.modulePath);

  const member = (extra: Record<string, string> = {}) => ({ nationalId: testNationalId(), name: `測試${randomBytes(2).toString('hex')}`, birthDate: '1985-03-04', grade: '5', startDate: '2025-01-02', ...extra });

  async function managerSession(registered: Awaited<ReturnType<typeof createRegisteredUnit>>) {
    const { agent } = await signInWithCard(bed.t, bed.helper, registered.unitCard, 'employer');
    expect((await postWithCard(bed.t, bed.helper, agent, '/employers/delegation/verify', registered.managerCard, {})).status).toBe(303);
    return agent;
  }

  async function operatorOf(manager: supertest.Agent, functions: string[]) {
    const card = await createCitizenCard(bed.t, store.modulePath, testNationalId(), '經辦');
    const serial = await serialOf(bed.t, card.der);
    const fields = { certSerial: serial, credentialType: 'citizen', nationalId: testNationalId(), operatorName: '經辦', phone: '02-23456789', mobile: '', email: `op-${serial.slice(0, 10)}@example.test`, functions, endsOn: '' };
    expect((await postForm(bed.t, manager, '/employers/delegation/add', fields as unknown as Record<string, string>)).status).toBe(303);
    const { agent, res } = await signInWithCard(bed.t, bed.helper, card, 'operator');
    expect(res.body.role).toBe('employer_operator');
    return { agent, card, delegation: await bed.t.dataSource.getRepository(Delegation).findOneByOrFail({ certSerial: serial, status: 'active' }) };
  }

  it('enrols, refuses a second enrolment, lists with filters, changes, withdraws and exports with national IDs masked; every change audited', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const { agent } = await signInWithCard(bed.t, bed.helper, registered.unitCard, 'employer');
    const first = member();
    expect((await postForm(bed.t, agent, '/roster/enrol', first)).status).toBe(303);
    const again = await postForm(bed.t, agent, '/roster/enrol', { ...first, name: '另一人' });
    expect(again.status).toBe(422);
    expect(again.text).toContain('這位人員已在本單位加保');
    const bad = await postForm(bed.t, agent, '/roster/enrol', member({ birthDate: '1985-13-40', grade: '999', nationalId: 'A123' }));
    expect(bad.status).toBe(422);
    for (const text of ['請輸入正確的出生日期', '請選擇投保薪資等級', '身分證統一編號格式或檢查碼不正確']) expect(bad.text).toContain(text);

    const row = await bed.t.dataSource.getRepository(InsuredMember).findOneByOrFail({ unitCode: registered.unit.unitCode, name: first.name });
    const list = await agent.get(`/roster?status=enrolled&name=${encodeURIComponent(first.name)}`).expect(200);
    expect(list.text).toContain(first.name);
    expect(list.text).not.toContain(first.nationalId);
    expect((await agent.get('/roster?status=withdrawn').expect(200)).text).not.toContain(first.name);

    const change = await agent.get(`/roster/${row.id}/change`).expect(200);
    expect((await agent.post(`/roster/${row.id}/change`).set('Origin', bed.t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(change.text), version: String(row.version), name: first.name, grade: '7' })).status).toBe(303);
    const withdraw = await agent.get(`/roster/${row.id}/withdraw`).expect(200);
    const stale = await agent.post(`/roster/${row.id}/withdraw`).set('Origin', bed.t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(withdraw.text), version: String(row.version), withdrawDate: '2025-06-30', withdrawReason: '離職' });
    expect(stale.status).toBe(409);
    const fresh = await agent.get(`/roster/${row.id}/withdraw`).expect(200);
    const version = /name="version" value="(\d+)"/.exec(fresh.text)![1];
    expect((await agent.post(`/roster/${row.id}/withdraw`).set('Origin', bed.t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(fresh.text), version, withdrawDate: '2025-06-30', withdrawReason: '離職' })).status).toBe(303);
    expect(await bed.t.dataSource.getRepository(InsuredMember).findOneByOrFail({ id: row.id })).toMatchObject({ status: 'withdrawn', grade: 7, activeKey: null });

    const csv = await agent.get('/roster/export').expect(200);
    expect(csv.text).toContain(first.name);
    expect(csv.text).not.toContain(first.nationalId);
    for (const action of ['roster.enrol', 'roster.change', 'roster.withdraw']) expect(await bed.t.dataSource.getRepository(AuditEvent).countBy({ action, outcome: 'success' })).toBeGreaterThan(0);
  });

  it('batch upload is all or nothing: every bad row reported by number and field; a good file enrols every row', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const { agent } = await signInWithCard(bed.t, bed.helper, registered.unitCard, 'employer');
    const template = await agent.get('/roster/upload/template').expect(200);
    const header = template.text.replace(/^\uFEFF/, '').trim();
    const good = [member(), member(), member()];
    const line = (m: Record<string, string>) => [m.nationalId, m.name, m.birthDate, m.grade, m.startDate].join(',');
    const upload = async (csv: string) => {
      const page = await agent.get('/roster/upload').expect(200);
      return agent.post('/roster/upload').set('Origin', bed.t.config.publicOrigin).field('_csrf', csrfFrom(page.text)).attach('file', Buffer.from(csv), { filename: 'roster.csv', contentType: 'text/csv' });
    };
    const badFile = [header, line(good[0]), line({ ...good[1], birthDate: 'x' }), line({ ...good[2], grade: '0', nationalId: 'B1' })].join('\n');
    const refused = await upload(badFile);
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/<td class="govuk-table__cell">2<\/td><td class="govuk-table__cell">出生日期<\/td>/);
    expect(refused.text).toMatch(/<td class="govuk-table__cell">3<\/td><td class="govuk-table__cell">投保薪資等級<\/td>/);
    expect(refused.text).toMatch(/<td class="govuk-table__cell">3<\/td><td class="govuk-table__cell">身分證統一編號<\/td>/);
    expect(await bed.t.dataSource.getRepository(InsuredMember).countBy({ unitCode: registered.unit.unitCode })).toBe(0);
    expect((await upload([header, ...good.map(line)].join('\r\n'))).status).toBe(303);
    expect(await bed.t.dataSource.getRepository(InsuredMember).countBy({ unitCode: registered.unit.unitCode, status: 'enrolled' })).toBe(3);
    const duplicate = await upload([header, line(good[0])].join('\n'));
    expect(duplicate.status).toBe(422);
    expect(duplicate.text).toContain('這位人員已在本單位加保');
    const tooBig = await upload(`${header}\n${'x'.repeat(5 * 1024 * 1024 + 1)}`);
    expect(tooBig.status).toBe(422);
    expect(tooBig.text).toContain('檔案超過 5 MB');
  });

  it('takes the XLSX template filled in as it takes the CSV, and a quoted CSV name with a comma whole; an unreadable workbook is refused', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const { agent } = await signInWithCard(bed.t, bed.helper, registered.unitCard, 'employer');
    const workbook = await agent.get('/roster/upload/template?format=xlsx').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(workbook.headers['content-type']).toContain('spreadsheetml');
    const header = (await readSheet(workbook.body as Buffer))[0].map(String);
    const good = [member(), member()];
    const rows = [header, ...good.map((m) => [m.nationalId, m.name, m.birthDate, m.grade, m.startDate])];
    const upload = async (file: Buffer, filename: string) => {
      const page = await agent.get('/roster/upload').expect(200);
      return agent.post('/roster/upload').set('Origin', bed.t.config.publicOrigin).field('_csrf', csrfFrom(page.text)).attach('file', file, { filename });
    };
    const filled = await writeXlsxFile(rows.map((row) => row.map((value) => ({ value, type: String }))), {}).toBuffer();
    expect((await upload(filled, 'roster.xlsx')).status).toBe(303);
    expect(await bed.t.dataSource.getRepository(InsuredMember).countBy({ unitCode: registered.unit.unitCode, status: 'enrolled' })).toBe(2);

    const third = { ...member(), name: '王,小明' };
    const csv = `${header.join(',')}\r\n${[third.nationalId, `"${third.name}"`, third.birthDate, third.grade, third.startDate].join(',')}\r\n`;
    expect((await upload(Buffer.from(csv), 'roster.csv')).status).toBe(303);
    expect(await bed.t.dataSource.getRepository(InsuredMember).countBy({ unitCode: registered.unit.unitCode, name: '王,小明' })).toBe(1);

    const broken = await upload(Buffer.concat([filled.subarray(0, 200)]), 'broken.xlsx');
    expect(broken.status).toBe(422);
    expect(broken.text).toContain('無法讀取這個 XLSX 檔');
  });

  it('shows the roster link only to those who may open it: the manager and operators granted roster.query', async () => {
    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const manager = await managerSession(registered);
    const rosterLinks = (html: string) => (html.match(/href="\/roster"/g) ?? []).length;
    expect(rosterLinks((await manager.get('/').expect(200)).text)).toBeGreaterThan(0);
    const querying = await operatorOf(manager, ['roster.query']);
    expect(rosterLinks((await querying.agent.get('/').expect(200)).text)).toBeGreaterThan(0);
    const enrolOnly = await operatorOf(manager, ['roster.enrol']);
    expect(rosterLinks((await enrolOnly.agent.get('/').expect(200)).text)).toBe(0);
    await enrolOnly.agent.get('/roster').expect(403);
  });

  it('lets exactly the granted combinations through every roster and delegation route (the routes enumerated from the app)', async () => {
    // Each route → the function it performs ('manage' = the manager's alone). A new route missing here fails this test.
    const RULES: Record<string, string> = {
      'RosterController.list': 'roster.query',
      'RosterController.enrolPage': 'roster.enrol',
      'RosterController.enrol': 'roster.enrol',
      'RosterController.withdrawPage': 'roster.withdraw',
      'RosterController.withdraw': 'roster.withdraw',
      'RosterController.changePage': 'roster.change',
      'RosterController.change': 'roster.change',
      'RosterController.export': 'roster.export',
      'RosterController.uploadPage': 'roster.upload',
      'RosterController.template': 'roster.upload',
      'RosterController.upload': 'roster.upload',
      'DelegationController.verifyPage': 'manage',
      'DelegationController.verify': 'manage',
      'DelegationController.list': 'manage',
      'DelegationController.addPage': 'manage',
      'DelegationController.add': 'manage',
      'DelegationController.editPage': 'manage',
      'DelegationController.edit': 'manage',
      'DelegationController.deletePage': 'manage',
      'DelegationController.remove': 'manage',
      'DelegationController.history': 'manage',
      'DelegationController.renewalPage': 'manage',
      'DelegationController.renewal': 'manage',
      'DelegationController.readPage': 'manage',
      'DelegationController.read': 'manage',
    };
    const discovery = bed.t.app.get(DiscoveryService);
    const scanner = bed.t.app.get(MetadataScanner);
    const routes: Array<{ key: string; method: 'GET' | 'POST'; path: string }> = [];
    for (const wrapper of discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype || !['RosterController', 'DelegationController'].includes(metatype.name)) continue;
      const base = Reflect.getMetadata(PATH_METADATA, metatype) as string;
      const proto = Object.getPrototypeOf(instance);
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (method === undefined || path === undefined) continue;
        routes.push({ key: `${metatype.name}.${name}`, method: method === RequestMethod.POST ? 'POST' : 'GET', path: `/${base}${path === '/' ? '' : `/${path}`}` });
      }
    }
    expect(routes.map((r) => r.key).sort()).toEqual(Object.keys(RULES).sort());

    const registered = await createRegisteredUnit(bed.t, store.modulePath);
    const manager = await managerSession(registered);
    expect((await postForm(bed.t, manager, '/roster/enrol', member())).status).toBe(303);
    const memberRow = await bed.t.dataSource.getRepository(InsuredMember).findOneByOrFail({ unitCode: registered.unit.unitCode });
    const operators = new Map<string, supertest.Agent>();
    for (const fn of DELEGABLE_FUNCTIONS) operators.set(fn, (await operatorOf(manager, [fn])).agent);
    const target = await operatorOf(manager, ['roster.query']);
    const deleted = await operatorOf(manager, [...DELEGABLE_FUNCTIONS]);
    await bed.t.dataSource.getRepository(Delegation).update({ id: deleted.delegation.id }, { status: 'deleted' });
    const expired = await operatorOf(manager, [...DELEGABLE_FUNCTIONS]);
    await bed.t.dataSource.getRepository(Delegation).update({ id: expired.delegation.id }, { endsOn: '2000-01-01' });
    const otherUnit = await createRegisteredUnit(bed.t, store.modulePath);
    const otherManager = await managerSession(otherUnit);
    const foreign = (await operatorOf(otherManager, [...DELEGABLE_FUNCTIONS])).agent;
    const personnelCard = await personnelCardOf();
    const personnel = (await signInWithCard(bed.t, bed.helper, personnelCard, 'personnel')).agent;
    const hospital = DEMO_FIXTURES.initialReviewHospital;
    const institution = (await signInWithCard(bed.t, bed.helper, await createOrganisationCard(bed.t, store.modulePath, 'institution', hospital.nameZh, hospital.code), 'institution')).agent;
    const ministry = (await signInAsStaff(bed.t, 'ministry_staff')).agent;

    // An operator of another unit acts on their own unit: the routes without a record pass (on their unit), this unit's records never.
    const principals: Array<{ name: string; agent: supertest.Agent; may: (fn: string, path: string) => boolean }> = [
      { name: 'manager', agent: manager, may: () => true },
      ...DELEGABLE_FUNCTIONS.map((granted) => ({ name: `operator with ${granted}`, agent: operators.get(granted)!, may: (fn: string) => fn === granted })),
      { name: 'operator of another unit', agent: foreign, may: (fn, path) => fn !== 'manage' && !path.includes(':id') },
      { name: 'deleted operator', agent: deleted.agent, may: () => false },
      { name: 'expired delegation', agent: expired.agent, may: () => false },
      { name: 'personnel', agent: personnel, may: () => false },
      { name: 'institution', agent: institution, may: () => false },
      { name: 'ministry staff', agent: ministry, may: () => false },
      { name: 'anonymous', agent: bed.t.agent(), may: () => false },
    ];
    const ids: Record<string, string> = { RosterController: memberRow.id, DelegationController: target.delegation.id };
    const failures: string[] = [];
    for (const route of routes) {
      const path = route.path.replace(':id', ids[route.key.split('.')[0]]);
      for (const p of principals) {
        let res: supertest.Response;
        if (route.method === 'GET') res = await p.agent.get(path);
        else {
          const page = await p.agent.get('/');
          const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '';
          // an empty form: a route that lets the principal through answers 422 (or 409 for a stale version), never a change
          res = await p.agent.post(path).set('Origin', bed.t.config.publicOrigin).type('form').send({ _csrf: csrf });
        }
        const location = String(res.headers.location ?? '');
        const passed = res.status === 200 || res.status === 422 || res.status === 409 || (res.status === 303 && !location.startsWith('/login') && !location.startsWith('/?') && location !== '/');
        if (passed !== p.may(RULES[route.key], route.path)) failures.push(`${route.method} ${route.path} as ${p.name}: ${res.status} ${location}`);
      }
    }
    expect(failures).toEqual([]);
  });

  function personnelCardOf(): Promise<OrganisationCard> {
    const person = DEMO_FIXTURES.physicianAtInitialReviewHospital;
    return createDevCard(bed.t, store.modulePath, 'hca', 'personnel', { name: person.nameZh, nationalId: person.nationalId });
  }

});
