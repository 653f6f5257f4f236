import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { AuditService } from '../../src/modules/audit/audit.service';
import { StaffAccount } from '../../src/modules/auth/staff-account.entity';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { createStaff, signInAsStaff } from '../support/staff';

async function loginAttempt(_t: TestApp, agent: ReturnType<TestApp['agent']>, form: Record<string, string>) {
  const page = await agent.get('/staff/login').expect(200);
  return agent.post('/staff/login').type('form').send({ _csrf: csrfFrom(page.text), ...form });
}

describe('intranet-only staff routes', () => {
  let behindProxy: TestApp;
  let direct: TestApp;
  beforeAll(async () => {
    // The app sits behind a reverse proxy on loopback; the intranet is 10.0.0.0/8 only.
    behindProxy = await createTestApp({ TRUST_PROXY: '127.0.0.1/32,::1/128', INTRANET_CIDRS: '10.0.0.0/8' });
    // No trusted proxy: X-Forwarded-For must be ignored.
    direct = await createTestApp({ TRUST_PROXY: '', INTRANET_CIDRS: '10.0.0.0/8' });
  });
  afterAll(async () => {
    await behindProxy.close();
    await direct.close();
  });

  it('answers staff pages to intranet clients named by the trusted proxy', async () => {
    await behindProxy.agent().get('/staff/login').set('X-Forwarded-For', '10.20.30.40').expect(200);
  });

  it('refuses staff pages to outside clients, with the page saying why', async () => {
    const res = await behindProxy.agent().get('/staff/login').set('X-Forwarded-For', '203.0.113.9').expect(403);
    expect(res.text).toContain('內部網路');
    await behindProxy.agent().get('/metrics').set('X-Forwarded-For', '203.0.113.9').expect(403);
    await behindProxy.agent().get('/admin/audit').set('X-Forwarded-For', '203.0.113.9').expect(403);
  });

  it('ignores a spoofed X-Forwarded-For when the sender is not a trusted proxy', async () => {
    await direct.agent().get('/staff/login').set('X-Forwarded-For', '10.20.30.40').expect(403);
    // a spoofed entry prepended to the chain by the client does not help either
    await behindProxy.agent().get('/staff/login').set('X-Forwarded-For', '10.20.30.40, 203.0.113.9').expect(403);
  });

  it('keeps public pages public', async () => {
    await behindProxy.agent().get('/').set('X-Forwarded-For', '203.0.113.9').expect(200);
    await behindProxy.agent().get('/counters').set('X-Forwarded-For', '203.0.113.9').expect(200);
  });

  it('does not hide the staff sign-in link from the intranet but does from outside', async () => {
    const inside = await behindProxy.agent().get('/').set('X-Forwarded-For', '10.1.1.1').expect(200);
    const outside = await behindProxy.agent().get('/').set('X-Forwarded-For', '203.0.113.9').expect(200);
    expect(inside.text).toContain('href="/staff/login"');
    expect(outside.text).not.toContain('href="/staff/login"');
  });
});

describe('break-glass staff sign-in (password + TOTP) with lockout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_CLIENT: '2', LOGIN_LOCKOUT_MINUTES: '15', TRUST_PROXY: '127.0.0.1/32,::1/128' });
  });
  afterAll(() => t.close());
  /** A client of its own (an address of the intranet, named by the trusted proxy): its failures are its own. */
  let clients = 0;
  const fresh = () => t.agent().set('X-Forwarded-For', `127.0.2.${++clients}`);

  it('signs in with password and a current TOTP code, rotating the session, and audits it', async () => {
    const creds = await createStaff(t, 'admin');
    const agent = t.agent();
    const before = await agent.get('/staff/login').expect(200);
    const cookieBefore = String(before.headers['set-cookie'] ?? '');
    const res = await agent
      .post('/staff/login')
      .type('form')
      .send({ _csrf: csrfFrom(before.text), username: creds.account.username, password: creds.password, code: totpCode(creds.totpSecret, totpStep()), returnTo: '/admin/audit' })
      .expect(303);
    expect(res.headers.location).toBe('/admin/audit');
    expect(String(res.headers['set-cookie'])).toMatch(/nhi\.sid=.*HttpOnly.*SameSite=Lax/i);
    expect(String(res.headers['set-cookie'])).not.toEqual(cookieBefore);
    const audit = await agent.get('/admin/audit?action=staff.login').expect(200);
    expect(audit.text).toContain(creds.account.username);
    const rows = await t.dataSource.getRepository(AuditEvent).findBy({ action: 'staff.login', targetId: creds.account.username, outcome: 'success' });
    expect(rows).toHaveLength(1);
    expect(rows[0].credential).toBe('password+totp');
    expect(rows[0].clientIp).toMatch(/127\.0\.0\.1/);
    expect(rows[0].requestId).toBeTruthy();
  });

  it('refuses a replayed TOTP code', async () => {
    const creds = await createStaff(t, 'ministry_staff');
    const code = totpCode(creds.totpSecret, totpStep());
    expect((await loginAttempt(t, fresh(), { username: creds.account.username, password: creds.password, code })).status).toBe(303);
    const replay = await loginAttempt(t, fresh(), { username: creds.account.username, password: creds.password, code });
    expect(replay.status).toBe(422);
  });

  it('keeps the username, shows an error summary, pauses a client before it can lock the account, and locks after the configured failures', async () => {
    const creds = await createStaff(t, 'county_reviewer');
    const from = (ip: string) => t.agent().set('X-Forwarded-For', ip);
    const clientA = from('127.0.1.1');
    const first = await loginAttempt(t, clientA, { username: creds.account.username, password: 'wrong-password', code: '000000' });
    expect(first.status).toBe(422);
    expect(first.text).toContain('錯誤：');
    expect(first.text).toContain('govuk-error-summary');
    expect(first.text).toContain(`value="${creds.account.username}"`);
    expect(first.text).not.toContain('wrong-password');
    expect((await loginAttempt(t, clientA, { username: creds.account.username, password: 'wrong-password', code: '000000' })).status).toBe(422);
    // this computer is paused (LOGIN_MAX_FAILURES_PER_CLIENT=2), even with the right password and code
    const paused = await loginAttempt(t, clientA, { username: creds.account.username, password: creds.password, code: totpCode(creds.totpSecret, totpStep()) });
    expect(paused.status).toBe(429);
    // a failure from a second computer reaches LOGIN_MAX_FAILURES=3: the account is locked
    expect((await loginAttempt(t, from('127.0.1.2'), { username: creds.account.username, password: 'wrong-password', code: '000000' })).status).toBe(422);
    const account = await t.dataSource.getRepository(StaffAccount).findOneByOrFail({ username: creds.account.username });
    expect(account.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    // a locked account answers as any wrong sign-in does
    const locked = await loginAttempt(t, from('127.0.1.3'), { username: creds.account.username, password: creds.password, code: totpCode(creds.totpSecret, totpStep()) });
    expect(locked.status).toBe(422);
    const failures = await t.dataSource.getRepository(AuditEvent).countBy({ action: 'staff.login', targetId: creds.account.username, outcome: 'failure' });
    expect(failures).toBe(5);
  });

  it('refuses a disabled account and unknown users alike', async () => {
    const creds = await createStaff(t, 'counter_staff');
    await t.app.get((await import('../../src/modules/auth/staff.service')).StaffService).disable(creds.account.username, { kind: 'test' });
    const res = await loginAttempt(t, fresh(), { username: creds.account.username, password: creds.password, code: totpCode(creds.totpSecret, totpStep()) });
    expect(res.status).toBe(422);
    const unknown = await loginAttempt(t, fresh(), { username: 'nobody-here', password: 'x', code: '123456' });
    expect(unknown.status).toBe(422);
  });

  it('lets each role reach only its pages', async () => {
    const { agent: reviewer } = await signInAsStaff(t, 'county_reviewer');
    await reviewer.get('/admin/audit').expect(403);
    const { agent: admin } = await signInAsStaff(t, 'admin');
    await admin.get('/admin/audit').expect(200);
    const anonymous = await t.agent().get('/admin/audit').expect(303);
    expect(anonymous.headers.location).toBe('/staff/login?returnTo=%2Fadmin%2Faudit');
  });

  it('is switched off by BREAK_GLASS_LOGIN=false', async () => {
    const off = await createTestApp({ BREAK_GLASS_LOGIN: 'false' });
    try {
      const creds = await createStaff(off, 'admin');
      const page = await off.agent().get('/staff/login').expect(200);
      expect(page.text).not.toContain('name="password"');
      const res = await loginAttempt(off, off.agent(), { username: creds.account.username, password: creds.password, code: totpCode(creds.totpSecret, totpStep()) });
      expect(res.status).toBe(403);
    } finally {
      await off.close();
    }
  });
});

describe('audit trail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('writes the audit row in the same transaction as the change: rolled back with it', async () => {
    const audit = t.app.get(AuditService);
    const marker = `rollback-${Date.now()}`;
    await expect(
      t.dataSource.transaction(async (manager) => {
        await manager.query('UPDATE department SET name_en = ? WHERE code = ?', [marker, '01']);
        await audit.record(manager, { action: 'department.update', targetType: 'department', targetId: '01', summary: { nameEn: marker }, actor: { kind: 'test' } });
        throw new Error('something later failed');
      }),
    ).rejects.toThrow('something later failed');
    expect(await t.dataSource.getRepository(AuditEvent).countBy({ action: 'department.update', targetId: '01' })).toBe(0);
    const [dept] = await t.dataSource.query('SELECT name_en FROM department WHERE code = ?', ['01']);
    expect(dept.name_en).not.toBe(marker);

    await t.dataSource.transaction(async (manager) => {
      await audit.record(manager, { action: 'department.update', targetType: 'department', targetId: '01', summary: { nameEn: marker }, actor: { kind: 'test' } });
    });
    expect(await t.dataSource.getRepository(AuditEvent).countBy({ action: 'department.update', targetId: '01' })).toBe(1);
  });

  it('is append-only: the database refuses to change or delete a row', async () => {
    await t.app.get(AuditService).recordAlone({ action: 'test.append-only', actor: { kind: 'test' } });
    await expect(t.dataSource.query("UPDATE audit_event SET action = 'x' WHERE action = 'test.append-only'")).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query("DELETE FROM audit_event WHERE action = 'test.append-only'")).rejects.toThrow(/append-only/);
  });

  it('keeps search values and explains a bad date', async () => {
    const { agent } = await signInAsStaff(t, 'admin');
    const res = await agent.get('/admin/audit?from=2026-02-30&actor=abc').expect(422);
    expect(res.text).toContain('value="abc"');
    expect(res.text).toContain('href="#from"');
  });
});
