import { generateKeyPairSync, randomInt, sign } from 'node:crypto';
import type supertest from 'supertest';
import type { Principal } from '../../src/common/context/request-context';
import { ProtectedIdCodec } from '../../src/common/crypto/protected-id';
import { nationalIdWithCheckDigit } from '../../src/common/identifiers/national-id';
import { addDays, taipeiDay } from '../../src/common/time/taipei-day';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { signedData, WEB_EID_FORMAT } from '../../src/shared/web-eid';
import { csrfFrom, type TestApp } from './app';

export interface TestInstitution {
  code: string;
  nameZh: string;
  countyCode: string;
}

export interface TestProfessional {
  id: number;
  nationalId: string;
  nameZh: string;
  homeInstitutionCode: string;
  email: string;
}

/** An institution of the test's own (unique 10-digit code starting with 8), with its weekly session count. */
export async function createInstitution(t: TestApp, options: { countyCode?: string; weeklySessions?: number | null; email?: string | null } = {}): Promise<TestInstitution> {
  const code = `8${String(randomInt(0, 999_999_999)).padStart(9, '0')}`;
  const institution = { code, nameZh: `測試支援醫院${code}`, countyCode: options.countyCode ?? '66000' };
  await t.dataSource.query(
    `INSERT INTO institution (code, name_zh, name_en, kind, county_code, address, phone, is_initial_review_counter, weekly_sessions, email)
     VALUES (?, ?, ?, 'clinic', ?, '測試市測試路1號', '02-23000000', 0, ?, ?)`,
    [code, institution.nameZh, `Test support hospital ${code}`, institution.countyCode, options.weeklySessions ?? null, options.email ?? null],
  );
  return institution;
}

/** A physician in the registry, registered at `home`, with a unique synthetic national ID. */
export async function createProfessional(t: TestApp, home: TestInstitution, options: { suspended?: boolean } = {}): Promise<TestProfessional> {
  const nationalId = nationalIdWithCheckDigit(`Y1${String(randomInt(0, 9_999_999)).padStart(7, '0')}`);
  const certificateNumber = String(randomInt(0, 999_999)).padStart(6, '0');
  const nameZh = `測試醫師${certificateNumber}`;
  const email = `sd-${certificateNumber}-${randomInt(0, 1e6)}@example.test`;
  const id = t.app.get(ProtectedIdCodec).protect(nationalId);
  const result = (await t.dataSource.query(
    `INSERT INTO professional (national_id_cipher, national_id_index, category_code, certificate_number, name_zh, home_institution_code, email, suspended)
     VALUES (?, ?, 'A', ?, ?, ?, ?, ?)`,
    [id.cipher, id.index, certificateNumber, nameZh, home.code, email, options.suspended ? 1 : 0],
  )) as { insertId: number };
  return { id: Number(result.insertId), nationalId, nameZh, homeInstitutionCode: home.code, email };
}

export const personnelPrincipal = (p: TestProfessional): Principal => ({ kind: 'personnel', id: String(p.id), role: 'personnel', displayName: p.nameZh, credential: 'test' });
export const institutionPrincipal = (i: TestInstitution): Principal => ({ kind: 'institution', id: i.code, role: 'institution', displayName: i.nameZh, credential: 'test' });

/** The Monday `weeks` weeks from now (Taiwan). */
export function mondayIn(weeks: number): string {
  const day = addDays(taipeiDay(), weeks * 7);
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
  return addDays(day, 1 - weekday);
}

/** A case form: one period from `from` to `to` on `weekdays` × `sessions`. */
export function caseForm(supported: string, period: { from: string; to?: string; weekdays: string[]; sessions: string[] }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { supportedInstitution: supported, department: '01', purpose: 'outpatient', p1From: period.from, p1To: period.to ?? period.from, p1Weekdays: period.weekdays, p1Sessions: period.sessions, ...extra };
}

/** The development PKI and fresh CRLs, so card sign-ins work (once per test file). */
export async function preparePki(t: TestApp): Promise<void> {
  await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
  const issuing = await t.app.get(CertificateIssuer).issuingCa('hca');
  await t.app.get(CrlService).publish(issuing.id);
  t.app.get(TrustStoreService).invalidate();
}

/** Signs in through the real card sign-in (a Web eID token signed with an HCA card's key); returns the agent and its CSRF token. */
export async function signInWithCard(t: TestApp, who: { personnel: TestProfessional } | { institution: TestInstitution }): Promise<{ agent: supertest.Agent; csrf: string }> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const issued =
    'personnel' in who
      ? await t.app.get(CertificateIssuer).issue({ family: 'hca', subjectType: 'personnel', subject: { name: who.personnel.nameZh, nationalId: who.personnel.nationalId }, spki })
      : await t.app.get(CertificateIssuer).issue({ family: 'hca', subjectType: 'institution', subject: { name: who.institution.nameZh, institutionCode: who.institution.code }, spki });
  const agent = t.agent();
  const page = await agent.get('/login').expect(200);
  const challenge = await agent.post('/auth/challenge').set('X-CSRF-Token', csrfFrom(page.text)).set('Accept', 'application/json').expect(200);
  const token = {
    format: WEB_EID_FORMAT,
    unverifiedCertificate: issued.der.toString('base64'),
    algorithm: 'ES256',
    signature: sign('sha256', signedData(t.config.publicOrigin, challenge.body.challenge, 'ES256'), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64'),
    appVersion: 'test-helper/1.0',
  };
  await agent
    .post('/auth/certificate')
    .set('X-CSRF-Token', challenge.body.csrfToken)
    .set('Origin', t.config.publicOrigin)
    .set('Accept', 'application/json')
    .send({ challenge: challenge.body.challenge, token, cardType: 'personnel' in who ? 'personnel' : 'institution', returnTo: '/' })
    .expect(200);
  const home = await agent.get('/support-duty').expect(200);
  return { agent, csrf: csrfFrom(home.text) };
}
