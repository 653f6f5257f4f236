// Leaf subjects per subject kind (DN layout and the Taiwan directory attributes, read back by the
// validator's parser), serial numbers, and the family mapping loaded from configuration.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { loadFamilyMapping } from '../../src/modules/certificates/family-mapping';
import { buildSubject, directoryAttributesExtension, LeafSubject, subjectProblems } from '../../src/modules/certificates/leaf-subject';
import { randomSerialHex } from '../../src/modules/certificates/pki-extensions';
import { SubjectKind } from '../../src/modules/certificates/ca-profiles';
import { DEFAULT_FAMILY_MAPPING } from '../../src/modules/certificates/validation';
import { parseDirectoryAttributes } from '../../src/modules/certificates/validation/parse';
import { x509 } from '../../src/modules/certificates/validation/x509-runtime';

const shown = (name: x509.Name) => new x509.Name(name.toArrayBuffer(), { serialNumber: '2.5.4.5' }).toString();
const attributesOf = (attributes: ReturnType<typeof buildSubject>['attributes']) => parseDirectoryAttributes(directoryAttributesExtension(attributes).value);

describe('leaf subjects', () => {
  const cases: Array<[SubjectKind, LeafSubject, string, Record<string, string[]>]> = [
    [
      'personnel',
      { name: '王小明', nationalId: 'a123456789', organization: '臺北示範醫學中心' },
      'CN=王小明, serialNumber=A123456789, O=臺北示範醫學中心, C=TW',
      { '2.16.886.1.100.2.1': ['2.16.886.1.100.3.1.7'], '2.16.886.1.100.2.2': ['main'] },
    ],
    [
      'institution',
      { name: '臺北示範醫學中心', institutionCode: '0190010011', cardType: 'attached' },
      'CN=臺北示範醫學中心, serialNumber=0190010011, C=TW',
      { '2.16.886.1.100.2.1': ['2.16.886.1.100.3.2.21'], '2.16.886.1.100.2.2': ['attached'] },
    ],
    [
      'citizen',
      { name: '陳美玲', nationalId: 'A800000014', cardSerial: '0000000112345678' },
      'CN=陳美玲, serialNumber=0000000112345678, C=TW',
      { '2.16.886.1.100.2.1': ['2.16.886.1.100.3.1.1'], '2.16.886.1.100.2.51': ['0014'] },
    ],
    [
      'agency',
      { name: '示範市政府衛生局', organization: '示範市政府', agencyOid: '2.16.886.101.99999.1' },
      'CN=示範市政府衛生局, O=示範市政府, serialNumber=2.16.886.101.99999.1, C=TW',
      { '2.16.886.1.100.2.1': ['2.16.886.1.100.3.2.1.1'], '2.16.886.1.100.2.102': ['2.16.886.101.99999.1'] },
    ],
    [
      'organization',
      { name: '示範健康促進協會', agencyOid: '2.16.886.1.100.99.1' },
      'CN=示範健康促進協會, serialNumber=2.16.886.1.100.99.1, C=TW',
      { '2.16.886.1.100.2.1': ['2.16.886.1.100.3.2.4'], '2.16.886.1.100.2.102': ['2.16.886.1.100.99.1'] },
    ],
    [
      'company',
      { name: '示範醫療器材股份有限公司', businessNumber: '10458570' },
      'CN=示範醫療器材股份有限公司, serialNumber=10458570, C=TW',
      { '2.16.886.1.100.2.1': ['2.16.886.1.100.3.2.2.1.1'], '2.16.886.1.100.2.101': ['10458570'] },
    ],
  ];

  it.each(cases)('lays out a %s subject and its directory attributes', (kind, subject, dn, attributes) => {
    expect(subjectProblems(kind, subject)).toEqual([]);
    const built = buildSubject(kind, subject);
    expect(shown(built.name)).toBe(dn);
    expect(attributesOf(built.attributes)).toEqual(attributes);
  });

  it('masks the national ID in the DN it stores, and only there', () => {
    const built = buildSubject('personnel', { name: '王小明', nationalId: 'A123456789' });
    expect(built.maskedDn).toBe('CN=王小明, serialNumber=A12****789, C=TW');
    expect(shown(built.name)).toContain('A123456789');
  });

  it('encodes the country and identifiers as PrintableString and names with CJK as UTF8String', () => {
    const built = buildSubject('personnel', { name: '王小明', nationalId: 'A123456789' });
    const rdns = AsnConvert.parse(built.name.toArrayBuffer(), asn1X509.Name).map((rdn) => rdn[0].value);
    expect(rdns.map((value) => (value.printableString !== undefined ? 'printable' : value.utf8String !== undefined ? 'utf8' : 'other'))).toEqual(['utf8', 'printable', 'printable']);
  });

  it('keeps every character of a name (no DN escaping or hex reading)', () => {
    const name = '#1 "Demo", Inc. \\ 示範+';
    const built = buildSubject('organization', { name, agencyOid: '2.16.886.1.100.99.1' });
    expect(built.name.getField('CN')).toEqual([name]);
  });

  it('makes a 16-digit card serial for citizens when none is given', () => {
    const serials = new Set(Array.from({ length: 20 }, () => buildSubject('citizen', { name: 'X', nationalId: 'A123456789' }).name.getField('2.5.4.5')[0]));
    for (const serial of serials) expect(serial).toMatch(/^\d{16}$/);
    expect(serials.size).toBeGreaterThan(1);
  });

  it('lists every problem of a subject', () => {
    expect(subjectProblems('personnel', { name: '', nationalId: 'A123456788' })).toEqual([
      'name: required, at most 64 characters',
      'nationalId: a valid national ID or resident certificate number',
    ]);
    expect(subjectProblems('institution', { name: 'X', institutionCode: '123' })).toEqual(['institutionCode: a 10-digit medical institution code']);
    expect(subjectProblems('company', { name: 'X', businessNumber: '12345678' })).toEqual(['businessNumber: a valid 8-digit business number']);
    expect(subjectProblems('agency', { name: 'X', agencyOid: 'not-an-oid' })).toEqual(['agencyOid: an OID such as 2.16.886.101.20003']);
    expect(subjectProblems('citizen', { name: 'X', nationalId: 'A123456789', cardSerial: '12' })).toEqual(['cardSerial: 16 digits']);
    expect(subjectProblems('personnel', { name: 'x'.repeat(65), nationalId: 'A123456789' })).toEqual(['name: required, at most 64 characters']);
  });
});

describe('serial numbers', () => {
  it('are 16 octets, positive, minimally encoded and different each time', () => {
    const serials = Array.from({ length: 200 }, randomSerialHex);
    for (const serial of serials) expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(new Set(serials).size).toBe(serials.length);
  });
});

describe('family mapping from FAMILY_MAPPING_FILE', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'family-mapping-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the built-in mapping when no file is configured', () => {
    expect(loadFamilyMapping(null)).toBe(DEFAULT_FAMILY_MAPPING);
  });

  it('reads the file, and names the file when it is not a mapping', () => {
    const mapping = { subjectTypes: { '1.2.3.4': 'hca-personnel' }, policies: { '1.2.3.5': 'moica-citizen' } };
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(mapping));
    expect(loadFamilyMapping(good)).toEqual(mapping);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ subjectTypes: { '1.2.3.4': 7 } }));
    expect(() => loadFamilyMapping(bad)).toThrow(`FAMILY_MAPPING_FILE ${bad} must hold`);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    expect(() => loadFamilyMapping(broken)).toThrow(`FAMILY_MAPPING_FILE ${broken} cannot be read as JSON`);
  });
});
