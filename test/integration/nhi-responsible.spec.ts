import type Redis from 'ioredis';
import type supertest from 'supertest';
import { translate } from '../../src/common/i18n/i18n';
import { REDIS } from '../../src/core/core.module';
import { totpCode, totpStep } from '../../src/modules/auth/totp';
import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { csrfFrom } from '../support/app';
import { createRegisteredUnit, createUnit, postForm, useEmployerTestBed } from '../support/employers';
import { createInsured, createNhiCard, publishNhiCrl, readNhiCard, registerNhiAccount, submitWithCard, type TestInsured } from '../support/nhi-card';
import { useSoftHsmTestStore } from '../support/softhsm';

const store = useSoftHsmTestStore();
const PASSWORD = 'Quiet-harbour-lantern-7';

/** Handlebars escapes quotes and = in text: compare messages as they appear in the HTML. */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/=/g, '&#x3D;');

describe("a unit's responsible person signs in with NHI credentials (seed 004: 負責人健保卡, 健保快易通 OTP)", () => {
  const bed = useEmployerTestBed(store.modulePath);

  beforeAll(async () => {
    await publishNhiCrl(bed.t);
  });
  beforeEach(async () => {
    // Every test signs in from 127.0.0.1: the per-client counts of earlier tests are not this test's.
    const redis = bed.t.app.get<Redis>(REDIS);
    const keys = [...(await redis.keys('nhi:*')), ...(await redis.keys('auth:challenges:*'))];
    if (keys.length) await redis.del(...keys);
  });

  /** A registered unit whose registry names a person with an NHI card in the reader and a verified online-service registration. */
  async function responsibleOfRegisteredUnit() {
    const { unit } = await createRegisteredUnit(bed.t, store.modulePath);
    const person = await createInsured(bed.t, { nationalId: unit.responsibleNationalId });
    const card = await createNhiCard(bed.t, store.modulePath, person);
    await registerNhiAccount(bed.t, person, PASSWORD);
    return { unit, person, card };
  }

  /** The login page's script with card type 健保卡 and the unit fields. */
  async function signIn(label: string, fields: { unitCode?: string; designate?: string; password?: string }) {
    const agent = bed.t.agent();
    const origin = bed.t.config.publicOrigin;
    const page = await agent.get('/login').expect(200);
    const read = await readNhiCard(bed.t, bed.helper, agent, csrfFrom(page.text), label);
    const res = await agent
      .post('/auth/nhi-card')
      .set('X-CSRF-Token', read.csrf)
      .set('Origin', origin)
      .set('Accept', 'application/json')
      .send({ challenge: read.challenge, token: read.token, password: PASSWORD, returnTo: '/', ...fields });
    return { agent, res };
  }

  const loginAudits = async (unitOrCard: string) =>
    (await bed.t.dataSource.getRepository(AuditEvent).findBy({ action: 'auth.nhi-card-login' })).filter((e) => JSON.stringify(e).includes(unitOrCard));

  it('offers the unit code and 需指派授權管理者 beside the NHI card password on /login', async () => {
    const page = await bed.t.agent().get('/login').expect(200);
    expect(page.text).toContain('id="unit-code"');
    expect(page.text).toContain(html(translate('zh-TW', 'nhiCard.designate')));
    expect(page.text).toContain('href="/login/nhi-otp"');
  });

  it('card + password + unit code: signed in as the unit, audited with the masked card; 需指派授權管理者 lands on the operators without a second certificate', async () => {
    const { unit, person, card } = await responsibleOfRegisteredUnit();

    const plain = await signIn(card.label, { unitCode: unit.unitCode });
    expect([plain.res.status, plain.res.body.redirect, plain.res.body.role]).toEqual([200, '/employers/unit', 'employer_manager']);
    const unitPage = await plain.agent.get('/employers/unit').expect(200);
    expect(unitPage.text).toContain(unit.unitCode);

    const designating = await signIn(card.label, { unitCode: unit.unitCode, designate: 'yes' });
    expect([designating.res.status, designating.res.body.redirect]).toEqual([200, '/employers/delegation']);
    const operators = await designating.agent.get('/employers/delegation');
    expect(operators.status).toBe(200);

    const [audit] = await loginAudits(unit.unitCode);
    expect(audit).toMatchObject({ outcome: 'success', targetType: 'employer', targetId: unit.unitCode });
    expect(audit.credential).toBe(`nhi-card:${person.cardNumber.slice(0, 4)}****${person.cardNumber.slice(-4)}`);
    expect(JSON.stringify(audit)).not.toContain(person.cardNumber);
  });

  it('without a unit code the same card signs in for the holder alone: not a professional here, so no account, and no unit', async () => {
    const { person, card } = await responsibleOfRegisteredUnit();
    expect(person.professionalId).toBeNull();
    const { agent, res } = await signIn(card.label, {});
    expect([res.status, res.body.code, res.body.message]).toEqual([403, 'no-account', translate('zh-TW', 'nhiCard.errors.no-account')]);
    const operators = await agent.get('/employers/delegation');
    expect([operators.status, operators.headers.location]).toEqual([303, expect.stringContaining("returnTo=%2Femployers%2Fdelegation")]);
  });

  it('refuses, with a distinct code and its message, a unit code that is malformed, unknown, not registered or not theirs', async () => {
    const { person, card } = await responsibleOfRegisteredUnit();
    const other = await createRegisteredUnit(bed.t, store.modulePath);
    const unregistered = await createUnit(bed.t, 'company');
    // The same person is also the registry's responsible person of a unit that never registered.
    await bed.t.dataSource.query('UPDATE employer_unit SET responsible_id_cipher = (SELECT national_id_cipher FROM insured_person WHERE card_number = ?), responsible_id_index = (SELECT national_id_index FROM insured_person WHERE card_number = ?) WHERE unit_code = ?', [person.cardNumber, person.cardNumber, unregistered.unitCode]);
    const cases: Array<[string, string]> = [
      ['12345', 'unit-code-invalid'],
      ['700000000', 'unit-unknown'],
      [unregistered.unitCode, 'unit-not-registered'],
      [other.unit.unitCode, 'not-responsible'],
    ];
    for (const [unitCode, code] of cases) {
      const { res } = await signIn(card.label, { unitCode });
      expect([unitCode, res.status, res.body.code, res.body.message]).toEqual([unitCode, 403, code, translate('zh-TW', `nhiCard.errors.${code}`)]);
    }
    const refusals = (await loginAudits(`${person.cardNumber.slice(0, 4)}****${person.cardNumber.slice(-4)}`)).filter((e) => e.outcome === 'failure').map((e) => (e.summary as { code: string }).code);
    expect(refusals).toEqual(expect.arrayContaining(cases.map(([, code]) => code)));
  });

  it('a wrong password is refused before the unit is looked at', async () => {
    const { unit, card } = await responsibleOfRegisteredUnit();
    const { res } = await signIn(card.label, { unitCode: unit.unitCode, password: 'Not-the-password-9' });
    expect([res.status, res.body.code, res.body.message]).toEqual([403, 'password-wrong', translate('zh-TW', 'nhiCard.errors.password-wrong')]);
  });

  it("an operator bound to an NHI card (credential type 健保卡) signs in with the card and its password as the unit's operator, with only the functions granted", async () => {
    const { unit, card } = await responsibleOfRegisteredUnit();
    const { agent: manager } = await signIn(card.label, { unitCode: unit.unitCode, designate: 'yes' });
    const operator = await createInsured(bed.t, {});
    const operatorCard = await createNhiCard(bed.t, store.modulePath, operator);
    await registerNhiAccount(bed.t, operator, PASSWORD);
    const fields = { credentialType: 'nhi', nationalId: operator.nationalId, operatorName: operator.nameZh, phone: '', mobile: '0912-345-678', email: `op-${operator.cardNumber}@example.test`, functions: 'roster.query', endsOn: '' };

    const malformed = await postForm(bed.t, manager, '/employers/delegation/add', { ...fields, certSerial: '5A3F09C1' });
    expect(malformed.status).toBe(422);
    expect(malformed.text).toContain(html(translate('zh-TW', 'delegation.errors.nhiCardFormat')));
    expect((await postForm(bed.t, manager, '/employers/delegation/add', { ...fields, certSerial: operator.cardNumber })).status).toBe(303);

    const { agent, res } = await signIn(operatorCard.label, {});
    expect([res.status, res.body.role]).toEqual([200, 'employer_operator']);
    expect((await agent.get('/roster')).status).toBe(200);
    expect((await agent.get('/roster/upload')).status).toBe(403);
  });

  describe('with the one-time code (/login/nhi-otp)', () => {
    /** Enrols the holder's authenticator through /nhi-card/otp and returns its secret. */
    async function enrolled(person: TestInsured, label: string): Promise<string> {
      const agent = bed.t.agent();
      const shown = await submitWithCard(bed.t, bed.helper, agent, '/nhi-card/otp', label, { password: PASSWORD });
      const secret = /id="otp-secret">([A-Z2-7 ]+)</.exec(shown.text)![1].replace(/ /g, '');
      await agent.post('/nhi-card/otp/confirm').set('Origin', bed.t.config.publicOrigin).type('form').send({ _csrf: csrfFrom(shown.text), code: totpCode(secret, totpStep()) }).expect(303);
      expect(person.cardNumber).toHaveLength(12);
      return secret;
    }

    const rocBirth = (iso: string) => {
      const [y, m, d] = iso.split('-').map(Number);
      return `${y - 1911}/${m}/${d}`;
    };

    async function otpSignIn(agent: supertest.Agent, fields: Record<string, string>) {
      return postForm(bed.t, agent, '/login/nhi-otp', fields);
    }

    it('signs in as the unit with unit code, national ID, 民國 birth date and the code; the same code is refused the second time', async () => {
      const { unit, person, card } = await responsibleOfRegisteredUnit();
      const secret = await enrolled(person, card.label);
      // The step after the one the enrolment used: a code is accepted once.
      const code = totpCode(secret, totpStep() + 1);
      const fields = { unitCode: unit.unitCode, nationalId: person.nationalId.toLowerCase(), birthDate: rocBirth(person.birthDate), code, designate: 'yes' };

      const agent = bed.t.agent();
      const res = await otpSignIn(agent, fields);
      expect([res.status, res.headers.location]).toEqual([303, '/employers/delegation']);
      expect((await agent.get('/employers/delegation')).status).toBe(200);

      const again = await otpSignIn(bed.t.agent(), { ...fields, designate: '' });
      expect(again.status).toBe(422);
      expect(again.text).toContain(html(translate('zh-TW', 'nhiCard.errors.otp-wrong')));
      expect(again.text).toContain(`value="${unit.unitCode}"`);
      expect(again.text).not.toContain(`value="${code}"`);
      const [audit] = await loginAudits(unit.unitCode);
      expect(audit.credential).toMatch(/^nhi-otp:\d{4}\*{4}\d{4}$/);
    });

    it('re-renders every empty or malformed field with its message, the values kept', async () => {
      const res = await otpSignIn(bed.t.agent(), { unitCode: '', nationalId: '', birthDate: '65/13/40', code: '12ab' });
      expect(res.status).toBe(422);
      for (const key of ['unitCodeEmpty', 'nationalIdEmpty', 'birthDateInvalid', 'codeFormat']) expect(res.text).toContain(html(translate('zh-TW', `nhiCard.otpLogin.errors.${key}`)));
      expect(res.text).toContain('value="65/13/40"');
      // a mistyped unit code is refused before the one-time code is looked at (and spent)
      const typo = await otpSignIn(bed.t.agent(), { unitCode: '12345', nationalId: 'A123456789', birthDate: '65/3/7', code: '123456' });
      expect(typo.status).toBe(422);
      expect(typo.text).toContain(html(translate('zh-TW', 'nhiCard.errors.unit-code-invalid')));
    });

    it("refuses another unit's code at the unit code field, after the code itself was right", async () => {
      const { person, card } = await responsibleOfRegisteredUnit();
      const other = await createRegisteredUnit(bed.t, store.modulePath);
      const secret = await enrolled(person, card.label);
      const res = await otpSignIn(bed.t.agent(), { unitCode: other.unit.unitCode, nationalId: person.nationalId, birthDate: person.birthDate, code: totpCode(secret, totpStep() + 1) });
      expect(res.status).toBe(422);
      expect(res.text).toContain(html(translate('zh-TW', 'nhiCard.errors.not-responsible')));
      expect(res.text).toMatch(/href="#unitCode"/);
    });
  });
});
