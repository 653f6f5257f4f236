// Credential families come from configuration (subject type / policy OID mappings), and the
// subject's attributes are handed back parsed.
import {
  createValidator,
  CredentialFamily,
  DEFAULT_FAMILY_MAPPING,
  FamilyMapping,
  TrustAnchorInput,
  ValidationResult,
} from '../../../src/modules/certificates/validation';
import { createCa, createLeaf, createRoot, directoryAttributesExtension, Issued, NOW, TW } from '../../support/pki/builder';

describe('credential families and subject attributes', () => {
  let root: Issued;
  let ca: Issued;

  beforeAll(async () => {
    root = await createRoot({ subject: 'CN=Family Root, C=TW' });
    ca = await createCa(root, { subject: 'CN=Family CA, C=TW' });
  });

  function validate(leaf: Issued, familyMapping: FamilyMapping = DEFAULT_FAMILY_MAPPING, anchors: TrustAnchorInput[] = [root.pem], requireFamily?: boolean) {
    return createValidator({ anchors, intermediates: [ca.pem], familyMapping, revocation: 'off' }).validate(leaf.pem, {
      at: NOW,
      purpose: 'client-auth',
      requireFamily,
    });
  }

  function success(result: ValidationResult) {
    if (!result.valid) throw new Error(`${result.code}: ${result.message}`);
    return result;
  }

  it.each<[string, CredentialFamily]>([
    ['2.16.886.1.100.3.1.1', 'moica-citizen'],
    ['2.16.886.1.100.3.1.7', 'hca-personnel'],
    ['2.16.886.1.100.3.2.21', 'hca-institution'],
    ['2.16.886.1.100.3.2.1.1', 'gca-agency'],
    ['2.16.886.1.100.3.2.1.2', 'gca-agency'],
    ['2.16.886.1.100.3.2.2.1.1', 'moeaca-company'],
    ['2.16.886.1.100.3.2.3.1', 'moeaca-company'],
    ['2.16.886.1.100.3.2.4', 'xca-organization'],
  ])('maps subject type %s to %s by default', async (subjectType, family) => {
    const leaf = await createLeaf(ca, { subject: 'CN=Holder, C=TW', directoryAttributes: { [TW.subjectType]: { oid: subjectType } } });
    expect(success(await validate(leaf)).family).toBe(family);
  });

  it('maps a certificate policy OID when there is no subject type', async () => {
    const leaf = await createLeaf(ca, { subject: 'CN=Policy Only, C=TW', policies: ['2.16.886.1.100.3.2.21'] });
    const result = success(await validate(leaf));
    expect(result.family).toBe('hca-institution');
    expect(result.policies).toEqual(['2.16.886.1.100.3.2.21']);
  });

  it('follows the configured mapping, not code', async () => {
    const leaf = await createLeaf(ca, { subject: 'CN=Agency, C=TW', policies: ['1.3.6.1.4.1.55555.1'] });
    const mapping: FamilyMapping = { subjectTypes: {}, policies: { '1.3.6.1.4.1.55555.1': 'gca-agency' } };
    expect(success(await validate(leaf, mapping)).family).toBe('gca-agency');
    expect(await validate(leaf)).toMatchObject({ valid: false, code: 'unknown-family' });
  });

  it('rejects a certificate claiming two different families', async () => {
    const leaf = await createLeaf(ca, {
      subject: 'CN=Confused, C=TW',
      directoryAttributes: { [TW.subjectType]: { oid: TW.citizen } },
      policies: [TW.personnel],
    });
    const result = await validate(leaf);
    expect(result).toMatchObject({ valid: false, code: 'unknown-family' });
    expect(result.message).toContain('several');
  });

  it('enforces the families an anchor may issue', async () => {
    const leaf = await createLeaf(ca, { subject: 'CN=Citizen, C=TW', directoryAttributes: { [TW.subjectType]: { oid: TW.citizen } } });
    expect(await validate(leaf, DEFAULT_FAMILY_MAPPING, [{ certificate: root.pem, families: ['hca-personnel', 'hca-institution'] }])).toMatchObject({
      valid: false,
      code: 'unknown-family',
    });
    expect(success(await validate(leaf, DEFAULT_FAMILY_MAPPING, [{ certificate: root.pem, families: ['moica-citizen'] }])).family).toBe('moica-citizen');
  });

  it('refuses a mapping that names a family that does not exist', () => {
    const typo = { subjectTypes: { '2.16.886.1.100.3.1.7': 'hca-personel' }, policies: {} } as unknown as FamilyMapping;
    expect(() => createValidator({ anchors: [root.pem], familyMapping: typo, revocation: 'off' })).toThrow(TypeError);
  });

  it('is not fooled by a subject type that names an object property', async () => {
    const leaf = await createLeaf(ca, { subject: 'CN=Tricky, C=TW', directoryAttributes: { [TW.subjectType]: { utf8: 'constructor' } } });
    const result = await validate(leaf);
    expect(result).toMatchObject({ valid: false, code: 'unknown-family' });
    expect(result.message).toContain('constructor');
  });

  it('accepts a critical Subject Directory Attributes extension (a known extension)', async () => {
    const leaf = await createLeaf(ca, {
      subject: 'CN=Critical SDA, C=TW',
      extraExtensions: [directoryAttributesExtension({ [TW.subjectType]: { oid: TW.citizen } }, true)],
    });
    expect(success(await validate(leaf)).family).toBe('moica-citizen');
  });

  it('returns family null when the caller does not require one', async () => {
    const leaf = await createLeaf(ca, { subject: 'CN=Plain, C=TW' });
    expect(success(await validate(leaf, DEFAULT_FAMILY_MAPPING, [root.pem], false)).family).toBeNull();
  });

  it('parses the Taiwan directory attributes (OID, PrintableString and UTF8String values)', async () => {
    const leaf = await createLeaf(ca, {
      subject: 'C=TW, O=經濟部測試公司, OU=資訊處, OU=Operations, CN=測試股份有限公司',
      directoryAttributes: {
        [TW.subjectType]: { oid: TW.moeacaCompany },
        [TW.businessNumber]: { printable: '12345675' },
        [TW.agencyOid]: { oid: '2.16.886.101.20003.20065' },
        [TW.nationalIdLast4]: { utf8: '6789' },
        [TW.cardType]: { utf8: '附卡' },
      },
    });
    const result = success(await validate(leaf));
    expect(result.family).toBe('moeaca-company');
    expect(result.directoryAttributes).toMatchObject({
      subjectType: TW.moeacaCompany,
      businessNumber: '12345675',
      agencyOid: '2.16.886.101.20003.20065',
      nationalIdLast4: '6789',
      cardType: '附卡',
    });
    expect(result.subject).toMatchObject({
      commonName: '測試股份有限公司',
      organization: '經濟部測試公司',
      organizationalUnits: ['資訊處', 'Operations'],
      country: 'TW',
    });
  });

  it('carries the national ID of an HCA personnel card in the subject serialNumber attribute', async () => {
    const leaf = await createLeaf(ca, {
      subject: 'C=TW, CN=陳醫師, 2.5.4.5=F123456789',
      directoryAttributes: { [TW.subjectType]: { oid: TW.personnel } },
    });
    const result = success(await validate(leaf));
    expect(result.subject.serialNumber).toBe('F123456789');
    expect(result.subject.dn).toBe('C=TW, CN=陳醫師, serialNumber=F123456789');
  });
});
