import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/common/access/roles';
import { StaffService, type NewStaff } from '../../src/modules/auth/staff.service';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { csrfFrom, type TestApp } from './app';

/** A new staff account through the real service (as the CLI does); unique username per call. */
export async function createStaff(t: TestApp, role: Role, extra: Partial<NewStaff> = {}) {
  const username = `${role.replace(/_/g, '')}-${randomBytes(4).toString('hex')}`;
  const defaults: Partial<NewStaff> =
    role === 'county_reviewer' ? { countyCode: '63000' } : role === 'counter_staff' ? { counterCode: 'HB-63000' } : {};
  return t.app.get(StaffService).create({ username, displayName: `測試${role}`, role, ...defaults, ...extra }, { kind: 'test' });
}

/** Signs in through the real break-glass form; returns the signed-in agent. */
export async function signInAsStaff(t: TestApp, role: Role, extra: Partial<NewStaff> = {}) {
  const creds = await createStaff(t, role, extra);
  const agent = t.agent();
  const page = await agent.get('/staff/login').expect(200);
  await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), username: creds.account.username, password: creds.password, code: totpCode(creds.totpSecret, totpStep()) })
    .expect(303);
  return { agent, creds };
}
