import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { CertificateIssuer } from '../../src/modules/certificates/certificate-issuer.service';
import { CrlService } from '../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { DEMO_UNITS, EmployerRegistrySeeder, EmployerRegistryService } from '../../src/modules/employer-registry';
import type { UnitKind } from '../../src/modules/employer-registry/unit-kind';
import { createReaderHelper, type ReaderHelper } from '../../src/reader-helper/main';
import { createTestApp, type TestApp } from '../support/app';
import { createOrganisationCard, createUnit, signInWithCard, testIdentifier } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';

const store = useSoftHsmTestStore();
const KINDS: UnitKind[] = ['agency', 'organization', 'company', 'institution'];

describe('employer registry: organisation certificates sign in as their unit', () => {
  let t: TestApp;
  let helper: ReaderHelper;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
    for (const family of ['gca', 'xca', 'moeaca', 'hca'] as const) {
      await t.app.get(CrlService).publish((await t.app.get(CertificateIssuer).issuingCa(family)).id);
    }
    t.app.get(TrustStoreService).invalidate();
    helper = await createReaderHelper({ port: 0, allowedOrigins: [t.config.publicOrigin], modulePath: store.modulePath, labelPrefix: 'card-', log: () => undefined });
  });
  afterAll(async () => {
    await helper.close();
    await t.close();
  });

  it.each(KINDS)('signs a unit of kind %s in with its matching SoftHSM2 organisation card, and shows only its own record', async (kind) => {
    const unit = await createUnit(t, kind);
    const other = await createUnit(t, kind);
    const card = await createOrganisationCard(t, store.modulePath, kind, unit.nameZh, unit.identifier);
    const { agent, res } = await signInWithCard(t, helper, card, 'employer');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, role: 'employer_manager', displayName: unit.nameZh });

    const page = await agent.get('/employers/unit').expect(200);
    expect(page.text).toContain(unit.unitCode);
    expect(page.text).toContain(unit.identifier);
    expect(page.text).not.toContain(other.unitCode);
    // the responsible person's ID is shown masked, never whole
    expect(page.text).not.toContain(unit.responsibleNationalId);
    expect(page.text).toContain(unit.responsibleNationalId.slice(0, 3));
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('href="/employers/unit"');

    const audit = await t.dataSource.getRepository(AuditEvent).findOneOrFail({ where: { action: 'auth.certificate-login', outcome: 'success', targetId: unit.unitCode }, order: { id: 'DESC' } });
    expect(audit.credential).toMatch(/^[0-9A-F]+@/);
  });

  it.each(KINDS)('refuses a %s card whose identifier is in no unit of the registry', async (kind) => {
    const card = await createOrganisationCard(t, store.modulePath, kind, '不在名冊的單位', testIdentifier(kind));
    const { res } = await signInWithCard(t, helper, card, 'employer');
    expect(res.body.code).toBe('no-account');
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('compares the identifier with the record of the unit code typed: a unit of another kind with the same text does not match', async () => {
    const company = await createUnit(t, 'company');
    const card = await createOrganisationCard(t, store.modulePath, 'company', company.nameZh, company.identifier);
    const validated = await t.app.get(TrustStoreService).validate(card.der, { purpose: 'client-auth' });
    if (!validated.valid) throw new Error(validated.code);
    const registry = t.app.get(EmployerRegistryService);
    expect((await registry.compare(company.unitCode, validated)).outcome).toBe('match');
    const another = await createUnit(t, 'company');
    expect((await registry.compare(another.unitCode, validated)).outcome).toBe('mismatch');
    const agency = await createUnit(t, 'agency');
    expect((await registry.compare(agency.unitCode, validated)).outcome).toBe('mismatch');
    expect((await registry.compare('000000000', validated)).outcome).toBe('unknown-unit');
  });

  it('keeps card types apart: an HCA institution card of a unit is looked up as a medical institution when chosen as one, as the unit when chosen as a unit, and is no citizen certificate', async () => {
    const unit = await createUnit(t, 'institution');
    const card = await createOrganisationCard(t, store.modulePath, 'institution', unit.nameZh, unit.identifier);
    // the institution is no institution of the medical registry: as an institution card it has no account
    const asInstitution = await signInWithCard(t, helper, card, 'institution');
    expect(asInstitution.res.body.code).toBe('no-account');
    const asUnit = await signInWithCard(t, helper, card, 'employer');
    expect(asUnit.res.body.role).toBe('employer_manager');
    const asCitizen = await signInWithCard(t, helper, card, 'citizen');
    expect(asCitizen.res.body.code).toBe('card-type-mismatch');
  });

  it('seeds the demo registry idempotently; a demo unit\'s development card matches it, a non-matching demo unit\'s card does not', async () => {
    const seeder = t.app.get(EmployerRegistrySeeder);
    await seeder.seed({ dryRun: false, actor: { kind: 'test' } });
    expect(await seeder.seed({ dryRun: false, actor: { kind: 'test' } })).toEqual({ inserted: 0, present: DEMO_UNITS.length });
    const registry = t.app.get(EmployerRegistryService);
    for (const demo of [DEMO_UNITS.find((u) => u.kind === 'agency' && u.matches)!, DEMO_UNITS.find((u) => u.kind === 'company' && !u.matches)!]) {
      const card = await createOrganisationCard(t, store.modulePath, demo.kind, demo.nameZh, demo.cardIdentifier);
      const validated = await t.app.get(TrustStoreService).validate(card.der, { purpose: 'client-auth' });
      if (!validated.valid) throw new Error(validated.code);
      expect((await registry.compare(demo.unitCode, validated)).outcome).toBe(demo.matches ? 'match' : 'mismatch');
    }
  });

  it('refuses the unit page to anyone not signed in as a unit', async () => {
    const anonymous = await t.agent().get('/employers/unit');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/?returnTo=%2Femployers%2Funit');
    const staff = await signInAsStaff(t, 'ministry_staff');
    await staff.agent.get('/employers/unit').expect(403);
  });
});
