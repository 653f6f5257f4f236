// Findings 3, 4 and 6: lockouts as a weapon. Whoever knows a card number, holds a copy of a
// certificate or guesses a staff username must not be able to lock the real holder out, nor
// learn from the answers which accounts exist.
import { generateKeyPairSync, sign } from 'node:crypto';
import { translate } from '../../../src/common/i18n/i18n';
import { signedData, WEB_EID_FORMAT } from '../../../src/shared/web-eid';
import { AuditEvent } from '../../../src/modules/audit/audit-event.entity';
import { CertificateIssuer } from '../../../src/modules/certificates/certificate-issuer.service';
import { DevPkiService } from '../../../src/modules/certificates/dev-pki.service';
import { Card } from '../../../src/modules/cards/lifecycle/card.entity';
import { DEMO_FIXTURES } from '../../../src/modules/reference/data';
import { StaffService } from '../../../src/modules/auth/staff.service';
import { createTestApp, csrfFrom, type TestApp } from '../../support/app';
import { createIssuedCard, publishHcaCrl } from '../../support/cards';
import { useSoftHsmTestStore } from '../../support/softhsm';
import { createStaff } from '../../support/staff';

const store = useSoftHsmTestStore();
const zh = (key: string, params: Record<string, unknown> = {}) => translate('zh-TW', key, params).replace(/'/g, '&#x27;').replace(/"/g, '&quot;');

describe('lockouts cannot be used against the holder', () => {
  let t: TestApp;
  let clients = 0;
  /** A browser of its own on a computer of its own (an intranet address named by the trusted proxy). */
  const computer = () => t.agent().set('X-Forwarded-For', `127.0.3.${++clients}`);

  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '127.0.0.1/32,::1/128', LOGIN_RATE_PER_CERTIFICATE: '3' });
    await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    await publishHcaCrl(t);
  });
  afterAll(() => t.close());

  async function post(agent: ReturnType<typeof computer>, path: string, form: Record<string, string>) {
    const page = await agent.get(path);
    return agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), ...form });
  }

  it('wrong user codes from many computers pause only those computers: the holder can still suspend the card at once', async () => {
    const tc = await createIssuedCard(t, { modulePath: store.modulePath, state: 'active' });
    const suspend = `/cards/services/${tc.cardNumber}/suspend`;
    for (let attacker = 0; attacker < 3; attacker++) {
      const agent = computer();
      for (let i = 0; i < 5; i++) await post(agent, suspend, { userCode: 'Wrong1' });
      expect((await post(agent, suspend, { userCode: 'Wrong1' })).status).toBe(429);
    }
    expect((await t.dataSource.getRepository(Card).findOneByOrFail({ id: tc.card.id })).userCodeFailures).toBe(15);
    const holder = await post(computer(), suspend, { userCode: tc.userCode });
    expect(holder.status).toBe(303);
    expect(holder.headers.location).toBe(`/cards/services/${tc.cardNumber}/done/suspended`);
    expect((await t.dataSource.getRepository(Card).findOneByOrFail({ id: tc.card.id })).state).toBe('suspended');
  });

  it('after many wrong codes the services that could take the card over wait, growing, and say how to protect the card meanwhile', async () => {
    const tc = await createIssuedCard(t, { modulePath: store.modulePath, state: 'active' });
    const unlock = `/cards/services/${tc.cardNumber}/unlock`;
    for (let i = 0; i < 5; i++) await post(computer(), unlock, { userCode: 'Wrong1' });
    const first = (await t.dataSource.getRepository(Card).findOneByOrFail({ id: tc.card.id })).userCodeLockedUntil!;
    const waited = await post(computer(), unlock, { userCode: tc.userCode });
    expect(waited.status).toBe(429);
    expect(waited.text).toContain(zh('cardServices.errors.userCode.slowed', { minutes: 1 }));
    // the delay doubles with each further wrong code (let the first one run out)
    await t.dataSource.query('UPDATE card SET user_code_locked_until = ? WHERE id = ?', [new Date(Date.now() - 1000), tc.card.id]);
    await post(computer(), unlock, { userCode: 'Wrong1' });
    const second = (await t.dataSource.getRepository(Card).findOneByOrFail({ id: tc.card.id })).userCodeLockedUntil!;
    expect(second.getTime() - Date.now()).toBeGreaterThan(first.getTime() - Date.now() + 20_000);
    // and report lost does not wait
    expect((await post(computer(), `/cards/services/${tc.cardNumber}/lost`, { userCode: tc.userCode, confirm: 'yes' })).status).toBe(303);
  });

  it('garbage signatures with a copy of somebody\'s certificate count against the sender\'s address, never against the certificate', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const person = DEMO_FIXTURES.physicianAtClinic;
    const victim = await t.app.get(CertificateIssuer).issue({ family: 'hca', subjectType: 'personnel', subject: { name: person.nameZh, nationalId: person.nationalId }, spki: publicKey.export({ type: 'spki', format: 'der' }) });
    const token = (signature: Buffer) => ({ format: WEB_EID_FORMAT, unverifiedCertificate: victim.der.toString('base64'), algorithm: 'ES256', signature: signature.toString('base64'), appVersion: 'test/1.0' });
    async function attempt(sign: (challenge: string) => Buffer) {
      const agent = computer();
      const page = csrfFrom((await agent.get('/login').expect(200)).text);
      const { challenge, csrfToken: csrf } = (await agent.post('/auth/challenge').set('X-CSRF-Token', page).set('Accept', 'application/json').expect(200)).body;
      return agent.post('/auth/certificate').set('X-CSRF-Token', csrf).set('Origin', t.config.publicOrigin).set('Accept', 'application/json').send({ challenge, token: token(sign(challenge)), cardType: 'personnel' });
    }
    // LOGIN_RATE_PER_CERTIFICATE=3: four refusals, had they counted against the certificate, would lock it
    for (let i = 0; i < 4; i++) expect((await attempt(() => Buffer.alloc(64, 1))).body.code).toBe('signature-invalid');
    const holder = await attempt((challenge) => sign('sha256', signedData(t.config.publicOrigin, challenge, 'ES256'), { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    expect([holder.status, holder.body.role]).toEqual([200, 'personnel']);
  });

  it('a staff sign-in answers the same whether the account exists, is locked or is disabled', async () => {
    const real = await createStaff(t, 'admin');
    const answer = async (username: string) => {
      const res = await post(computer(), '/staff/login', { username, password: 'not-the-password', code: '000000' });
      return { status: res.status, error: /<ul class="govuk-list govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(res.text)?.[1].replace(/\s+/g, ' ') };
    };
    const unknown = await answer('nobody-at-all');
    expect(unknown.status).toBe(422);
    expect(unknown.error).toContain(zh('staff.login.errors.failed'));
    expect(await answer(real.account.username)).toEqual(unknown);
    await t.dataSource.query('UPDATE staff_account SET locked_until = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL 10 MINUTE) WHERE username = ?', [real.account.username]);
    expect(await answer(real.account.username)).toEqual(unknown);
    const off = await createStaff(t, 'counter_staff');
    await t.app.get(StaffService).disable(off.account.username, { kind: 'test' });
    expect(await answer(off.account.username)).toEqual(unknown);
    const audits = await t.dataSource.getRepository(AuditEvent).find({ where: { action: 'staff.login', targetId: real.account.username }, order: { id: 'ASC' } });
    expect(audits.map((a) => (a.summary as { reason: string }).reason)).toEqual(['bad-password', 'locked']);
  });
});
