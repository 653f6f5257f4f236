import { validateBusinessNumber, validateInstitutionCode, validateLabourInsuranceNumber, validateNationalId } from '../../src/common/identifiers';
import { canSee } from '../../src/common/access/access-policy';
import type { Principal } from '../../src/common/context/request-context';
import { subjectProblems } from '../../src/modules/certificates/leaf-subject';
import { DEMO_UNITS, demoCardArguments } from '../../src/modules/employer-registry/data/demo-units';
import { registryIdentifier } from '../../src/modules/employer-registry/employer-unit.entity';
import { certificateIdentifier, UNIT_KINDS } from '../../src/modules/employer-registry/unit-kind';

describe('employer registry demo data', () => {
  it.each(UNIT_KINDS)('has at least 10 units of kind %s whose development card matches, and some that will not match', (kind) => {
    const units = DEMO_UNITS.filter((u) => u.kind === kind);
    expect(units.filter((u) => u.matches && u.cardIdentifier === registryIdentifier(u)).length).toBeGreaterThanOrEqual(10);
    const mismatched = units.filter((u) => !u.matches);
    expect(mismatched.length).toBeGreaterThan(0);
    for (const u of mismatched) expect(u.cardIdentifier).not.toBe(registryIdentifier(u));
  });

  it('has unique unit codes and identifiers, valid IDs, business numbers, institution codes and labour-insurance numbers', () => {
    expect(new Set(DEMO_UNITS.map((u) => u.unitCode)).size).toBe(DEMO_UNITS.length);
    expect(new Set(DEMO_UNITS.map((u) => `${u.kind}:${registryIdentifier(u)}`)).size).toBe(DEMO_UNITS.length);
    for (const u of DEMO_UNITS) {
      expect(u.unitCode).toMatch(/^\d{9}$/);
      expect(validateNationalId(u.responsibleNationalId).ok).toBe(true);
      if (u.businessNumber) expect(validateBusinessNumber(u.businessNumber).ok).toBe(true);
      if (u.institutionCode) expect(validateInstitutionCode(u.institutionCode).ok).toBe(true);
      if (u.labourInsuranceNumber) expect(validateLabourInsuranceNumber(u.labourInsuranceNumber).ok).toBe(true);
    }
  });

  it('gives `dev card create` arguments the development CA accepts for every demo unit', () => {
    for (const u of DEMO_UNITS) {
      const args = demoCardArguments(u);
      const flag = (name: string) => args[args.indexOf(name) + 1];
      const kind = u.kind === 'agency' || u.kind === 'organization' || u.kind === 'company' ? u.kind : 'institution';
      const subject = { name: flag('--name'), agencyOid: args.includes('--agency-oid') ? flag('--agency-oid') : undefined, businessNumber: args.includes('--business-number') ? flag('--business-number') : undefined, institutionCode: args.includes('--institution-code') ? flag('--institution-code') : undefined };
      expect(subjectProblems(kind, subject)).toEqual([]);
      expect([flag('--agency-oid'), flag('--business-number'), flag('--institution-code')]).toContain(u.cardIdentifier);
    }
  });
});

describe('certificateIdentifier', () => {
  const base = { subject: {} as { serialNumber?: string }, directoryAttributes: { all: {} } as Record<string, unknown> };
  it('reads the agency OID of GCA and XCA, the business number of MOEACA and the institution code of HCA', () => {
    expect(certificateIdentifier({ ...base, family: 'gca-agency', directoryAttributes: { agencyOid: '2.16.886.101.1', all: {} } } as never)).toEqual({ kind: 'agency', value: '2.16.886.101.1' });
    expect(certificateIdentifier({ ...base, family: 'xca-organization', directoryAttributes: { agencyOid: '2.16.886.1.100.9', all: {} } } as never)).toEqual({ kind: 'organization', value: '2.16.886.1.100.9' });
    expect(certificateIdentifier({ ...base, family: 'moeaca-company', directoryAttributes: { businessNumber: '04595252', all: {} } } as never)).toEqual({ kind: 'company', value: '04595252' });
    expect(certificateIdentifier({ ...base, family: 'hca-institution', subject: { serialNumber: '0401180014' } } as never)).toEqual({ kind: 'institution', value: '0401180014' });
  });
  it('gives nothing for other families or a certificate without its identifier', () => {
    expect(certificateIdentifier({ ...base, family: 'moica-citizen' } as never)).toBeNull();
    expect(certificateIdentifier({ ...base, family: 'gca-agency' } as never)).toBeNull();
  });
});

describe('canSee for employers', () => {
  const manager: Principal = { kind: 'employer', id: '700000001', role: 'employer_manager', displayName: 'u', credential: 'c', unitCode: '700000001' };
  const operator: Principal = { kind: 'employer', id: 'op-1', role: 'employer_operator', displayName: 'o', credential: 'c', unitCode: '700000001', functions: ['roster.enrol'] };
  it('lets a manager see their unit only', () => {
    expect(canSee(manager, { unitCode: '700000001' })).toBe(true);
    expect(canSee(manager, { unitCode: '700000002' })).toBe(false);
    expect(canSee(manager, {})).toBe(false);
  });
  it('lets an operator see their unit, and through a function only when it is granted', () => {
    expect(canSee(operator, { unitCode: '700000001' })).toBe(true);
    expect(canSee(operator, { unitCode: '700000001', function: 'roster.enrol' })).toBe(true);
    expect(canSee(operator, { unitCode: '700000001', function: 'roster.withdraw' })).toBe(false);
    expect(canSee(operator, { unitCode: '700000002', function: 'roster.enrol' })).toBe(false);
  });
});
