import { AuditEvent } from '../../src/modules/audit/audit-event.entity';
import { TrustStoreService } from '../../src/modules/certificates/trust-store.service';
import { DEMO_UNITS, EmployerRegistrySeeder, EmployerRegistryService } from '../../src/modules/employer-registry';
import type { UnitKind } from '../../src/modules/employer-registry/unit-kind';
import { createOrganisationCard, createUnit, signInWithCard, testIdentifier, useEmployerTestBed } from '../support/employers';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';

const store = useSoftHsmTestStore();
const KINDS: UnitKind[] = ['agency', 'organization', 'company', 'institution'];

describe('employer registry: organisation certificates sign in as their unit', () => {
  const bed = useEmployerTestBed(store.modulePath);

  it.each(KINDS)('signs a unit of kind %s in with its matching SoftHSM2 organisation card, and shows only its own record', async (kind) => {
    const unit = await createUnit(bed.t, kind);
    const other = await createUnit(bed.t, kind);
    const card = await createOrganisationCard(bed.t, store.modulePath, kind, unit.nameZh, unit.identifier);
    const { agent, res } = await signInWithCard(bed.t, bed.helper, card, 'employer');
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

    const audit = await bed.t.dataSource.getRepository(AuditEvent).findOneOrFail({ where: { action: 'auth.certificate-login', outcome: 'success', targetId: unit.unitCode }, order: { id: 'DESC' } });
    expect(audit.credential).toMatch(/^[0-9A-F]+@/);
  });

  it.each(KINDS)('refuses a %s card whose identifier is in no unit of the registry', async (kind) => {
    const card = await createOrganisationCard(bed.t, store.modulePath, kind, '不在名冊的單位', testIdentifier(kind));
    const { res } = await signInWithCard(bed.t, bed.helper, card, 'employer');
    expect(res.body.code).toBe('no-account');
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('compares the identifier with the record of the unit code typed: a unit of another kind with the same text does not match', async () => {
    const company = await createUnit(bed.t, 'company');
    const card = await createOrganisationCard(bed.t, store.modulePath, 'company', company.nameZh, company.identifier);
    const validated = await bed.t.app.get(TrustStoreService).validate(card.der, { purpose: 'client-auth' });
    if (!validated.valid) throw new Error(validated.code);
    const registry = bed.t.app.get(EmployerRegistryService);
    expect((await registry.compare(company.unitCode, validated)).outcome).toBe('match');
    const another = await createUnit(bed.t, 'company');
    expect((await registry.compare(another.unitCode, validated)).outcome).toBe('mismatch');
    const agency = await createUnit(bed.t, 'agency');
    expect((await registry.compare(agency.unitCode, validated)).outcome).toBe('mismatch');
    expect((await registry.compare('000000000', validated)).outcome).toBe('unknown-unit');
  });

  it('keeps card types apart: an HCA institution card of a unit is looked up as a medical institution when chosen as one, as the unit when chosen as a unit, and is no citizen certificate', async () => {
    const unit = await createUnit(bed.t, 'institution');
    const card = await createOrganisationCard(bed.t, store.modulePath, 'institution', unit.nameZh, unit.identifier);
    // the institution is no institution of the medical registry: as an institution card it has no account
    const asInstitution = await signInWithCard(bed.t, bed.helper, card, 'institution');
    expect(asInstitution.res.body.code).toBe('no-account');
    const asUnit = await signInWithCard(bed.t, bed.helper, card, 'employer');
    expect(asUnit.res.body.role).toBe('employer_manager');
    const asCitizen = await signInWithCard(bed.t, bed.helper, card, 'citizen');
    expect(asCitizen.res.body.code).toBe('card-type-mismatch');
  });

  it('seeds the demo registry idempotently; a demo unit\'s development card matches it, a non-matching demo unit\'s card does not', async () => {
    const seeder = bed.t.app.get(EmployerRegistrySeeder);
    await seeder.seed({ dryRun: false, actor: { kind: 'test' } });
    expect(await seeder.seed({ dryRun: false, actor: { kind: 'test' } })).toEqual({ inserted: 0, present: DEMO_UNITS.length });
    const registry = bed.t.app.get(EmployerRegistryService);
    for (const demo of [DEMO_UNITS.find((u) => u.kind === 'agency' && u.matches)!, DEMO_UNITS.find((u) => u.kind === 'company' && !u.matches)!]) {
      const card = await createOrganisationCard(bed.t, store.modulePath, demo.kind, demo.nameZh, demo.cardIdentifier);
      const validated = await bed.t.app.get(TrustStoreService).validate(card.der, { purpose: 'client-auth' });
      if (!validated.valid) throw new Error(validated.code);
      expect((await registry.compare(demo.unitCode, validated)).outcome).toBe(demo.matches ? 'match' : 'mismatch');
    }
  });

  it('refuses the unit page to anyone not signed in as a unit', async () => {
    const anonymous = await bed.t.agent().get('/employers/unit');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/?returnTo=%2Femployers%2Funit');
    const staff = await signInAsStaff(bed.t, 'ministry_staff');
    await staff.agent.get('/employers/unit').expect(403);
  });
});
