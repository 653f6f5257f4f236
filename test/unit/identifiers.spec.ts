import {
  maskIdentifier,
  maskNationalId,
  nationalIdWithCheckDigit,
  validateBusinessNumber,
  validateEmail,
  validateHcaCardNumber,
  validateInstitutionCode,
  validateLabourInsuranceNumber,
  validateUnitCode,
  validateMoicaCardNumber,
  validateNationalId,
  validateNewPin,
  validateNhiCardNumber,
  validatePhone,
  validatePin,
  validateProfessionalCertificate,
  validatePuk,
  validateUserCode,
} from '../../src/common/identifiers';

describe('national ID and resident certificate numbers', () => {
  it.each([
    ['A123456789', 'national'],
    ['A800000014', 'resident_new'],
    ['AC01234567', 'resident_old'],
  ])('accepts the DOMAIN.md example %s as %s', (id, kind) => {
    expect(validateNationalId(id)).toEqual({ ok: true, value: id, kind });
  });

  it('uppercases and trims before checking', () => {
    expect(validateNationalId('  a123456789 ')).toEqual({ ok: true, value: 'A123456789', kind: 'national' });
    expect(validateNationalId('ac01234567')).toEqual({ ok: true, value: 'AC01234567', kind: 'resident_old' });
  });

  it.each(['A123456788', 'A123456780', 'B123456789', 'A800000015', 'AC01234568', 'AD01234567'])(
    'rejects %s with a wrong checksum',
    (id) => {
      expect(validateNationalId(id)).toEqual({ ok: false, reason: 'checksum' });
    },
  );

  it.each(['A12345678', 'A1234567890', 'A323456789', 'AE01234567', '1123456789', 'A12345678X', 'A1234 56789'])(
    'rejects %s as a format error',
    (id) => {
      expect(validateNationalId(id)).toEqual({ ok: false, reason: 'format' });
    },
  );

  it('reports an empty or missing value as empty', () => {
    expect(validateNationalId('   ')).toEqual({ ok: false, reason: 'empty' });
    expect(validateNationalId(undefined)).toEqual({ ok: false, reason: 'empty' });
    expect(validateNationalId(null)).toEqual({ ok: false, reason: 'empty' });
  });

  it('uses the letter values of the table, including the irregular I, O, W, X, Y, Z', () => {
    // I=34: 3*1 + 4*9 + 1*8 = 47 → check digit 3 for I100000000-prefix
    expect(nationalIdWithCheckDigit('I10000000')).toBe('I100000003');
    // O=35: 3 + 45 + 8 = 56 → 4
    expect(nationalIdWithCheckDigit('O10000000')).toBe('O100000004');
    // W=32: 3 + 18 + 8 = 29 → 1
    expect(nationalIdWithCheckDigit('W10000000')).toBe('W100000001');
    // Z=33: 3 + 27 + 16 (n1=2) = 46 → 4
    expect(nationalIdWithCheckDigit('Z20000000')).toBe('Z200000004');
  });

  it('generates the DOMAIN.md examples from their first nine characters', () => {
    expect(nationalIdWithCheckDigit('A12345678')).toBe('A123456789');
    expect(nationalIdWithCheckDigit('A80000001')).toBe('A800000014');
    expect(nationalIdWithCheckDigit('ac0123456')).toBe('AC01234567');
  });

  it('generates IDs that validate, for every letter and every format', () => {
    for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
      for (const second of ['1', '2', '8', '9', 'A', 'B', 'C', 'D']) {
        const id = nationalIdWithCheckDigit(`${letter}${second}1357924`);
        expect(validateNationalId(id).ok).toBe(true);
      }
    }
  });

  it('refuses to generate from a malformed prefix', () => {
    expect(() => nationalIdWithCheckDigit('A1234567')).toThrow(RangeError);
    expect(() => nationalIdWithCheckDigit('A32345678')).toThrow(RangeError);
  });
});

describe('business number (統一編號)', () => {
  it.each(['04595252', '10458570'])('accepts the DOMAIN.md example %s', (number) => {
    expect(validateBusinessNumber(number)).toEqual({ ok: true, value: number });
  });

  it('sums the digits of two-digit products (04595252: 9*2=18 counts as 9)', () => {
    // products 0,8,5,18,5,4,20,2 → 0+8+5+9+5+4+2+2 = 35; changing the last digit breaks it
    expect(validateBusinessNumber('04595253')).toEqual({ ok: false, reason: 'checksum' });
  });

  it('accepts a total divisible by 5 (not only by 10)', () => {
    // 10458570: 1+0+4+1+8+1+10+0 = 25
    expect(validateBusinessNumber('10458570').ok).toBe(true);
  });

  it('when the 7th digit is 7, also accepts S + 1 divisible by 5', () => {
    // 10458579: S = 34 → only S + 1 = 35 is divisible by 5
    expect(validateBusinessNumber('10458579')).toEqual({ ok: true, value: '10458579' });
    // 10458574: S = 29 → S + 1 = 30
    expect(validateBusinessNumber('10458574').ok).toBe(true);
    // 10458571: S = 26, S + 1 = 27 → invalid
    expect(validateBusinessNumber('10458571')).toEqual({ ok: false, reason: 'checksum' });
  });

  it('does not apply the S + 1 rule when the 7th digit is not 7', () => {
    // 04595256: S = 39, S + 1 = 40, but the 7th digit is 5
    expect(validateBusinessNumber('04595256')).toEqual({ ok: false, reason: 'checksum' });
  });

  it('requires exactly 8 digits', () => {
    expect(validateBusinessNumber('0459525')).toEqual({ ok: false, reason: 'format' });
    expect(validateBusinessNumber('045952520')).toEqual({ ok: false, reason: 'format' });
    expect(validateBusinessNumber('0459525A')).toEqual({ ok: false, reason: 'format' });
    expect(validateBusinessNumber('')).toEqual({ ok: false, reason: 'empty' });
    expect(validateBusinessNumber(' 04595252 ')).toEqual({ ok: true, value: '04595252' });
  });
});

describe('card numbers', () => {
  it('normalises an HCA card number with or without the GH prefix and spaces to 12 digits', () => {
    for (const input of ['123456789012', 'GH123456789012', 'gh 1234 5678 9012', ' GH1234-5678-9012 ']) {
      expect(validateHcaCardNumber(input)).toEqual({ ok: true, value: '123456789012' });
    }
  });

  it('rejects HCA card numbers of the wrong length or with letters', () => {
    expect(validateHcaCardNumber('GH12345678901')).toEqual({ ok: false, reason: 'format' });
    expect(validateHcaCardNumber('1234567890123')).toEqual({ ok: false, reason: 'format' });
    expect(validateHcaCardNumber('XY123456789012')).toEqual({ ok: false, reason: 'format' });
    expect(validateHcaCardNumber('GH')).toEqual({ ok: false, reason: 'empty' });
  });

  it('normalises NHI card numbers (12 digits, spaces allowed)', () => {
    expect(validateNhiCardNumber('0000 1234 5678')).toEqual({ ok: true, value: '000012345678' });
    expect(validateNhiCardNumber('00001234567')).toEqual({ ok: false, reason: 'format' });
    expect(validateNhiCardNumber('GH0000123456')).toEqual({ ok: false, reason: 'format' });
  });

  it('normalises MOICA card numbers: 2 letters + 14 digits, uppercased, spaces removed', () => {
    expect(validateMoicaCardNumber('TP03 0000 0123 4567')).toEqual({ ok: true, value: 'TP03000001234567' });
    expect(validateMoicaCardNumber('tp03000001234567')).toEqual({ ok: true, value: 'TP03000001234567' });
    expect(validateMoicaCardNumber('T103000001234567')).toEqual({ ok: false, reason: 'format' });
    expect(validateMoicaCardNumber('TP0300000123456')).toEqual({ ok: false, reason: 'format' });
  });
});

describe('institution, insurance and certificate codes', () => {
  it('accepts 9-digit unit codes (spaces dropped) only', () => {
    expect(validateUnitCode(' 123 456 789 ')).toEqual({ ok: true, value: '123456789' });
    expect(validateUnitCode('12345678')).toEqual({ ok: false, reason: 'format' });
    expect(validateUnitCode('')).toEqual({ ok: false, reason: 'empty' });
  });

  it('accepts 10-digit institution codes only', () => {
    expect(validateInstitutionCode('0401180014')).toEqual({ ok: true, value: '0401180014' });
    expect(validateInstitutionCode('040118001')).toEqual({ ok: false, reason: 'format' });
    expect(validateInstitutionCode('04011800141')).toEqual({ ok: false, reason: 'format' });
    expect(validateInstitutionCode('04011800AB')).toEqual({ ok: false, reason: 'format' });
  });

  it('checks the labour-insurance number format (8 digits + a letter) and uppercases the letter', () => {
    expect(validateLabourInsuranceNumber('12345678a')).toEqual({ ok: true, value: '12345678A' });
    expect(validateLabourInsuranceNumber('123456789')).toEqual({ ok: false, reason: 'format' });
    expect(validateLabourInsuranceNumber('1234567A')).toEqual({ ok: false, reason: 'format' });
  });

  it('zero-pads professional certificate numbers to 6 digits and uppercases the category', () => {
    expect(validateProfessionalCertificate('a', '123')).toEqual({ ok: true, value: '000123', category: 'A' });
    expect(validateProfessionalCertificate('1', '012345')).toEqual({ ok: true, value: '012345', category: '1' });
    expect(validateProfessionalCertificate('Z', ' 987654 ')).toEqual({ ok: true, value: '987654', category: 'Z' });
  });

  it('rejects unknown categories and malformed certificate numbers', () => {
    expect(validateProfessionalCertificate('O', '123')).toEqual({ ok: false, reason: 'category' });
    expect(validateProfessionalCertificate('7', '123')).toEqual({ ok: false, reason: 'category' });
    expect(validateProfessionalCertificate('AB', '123')).toEqual({ ok: false, reason: 'category' });
    expect(validateProfessionalCertificate('A', '1234567')).toEqual({ ok: false, reason: 'format' });
    expect(validateProfessionalCertificate('A', '12a')).toEqual({ ok: false, reason: 'format' });
    expect(validateProfessionalCertificate('A', '000')).toEqual({ ok: false, reason: 'format' });
    expect(validateProfessionalCertificate('A', '')).toEqual({ ok: false, reason: 'empty' });
    expect(validateProfessionalCertificate('', '123')).toEqual({ ok: false, reason: 'empty' });
  });
});

describe('card secrets', () => {
  it('keeps the user code case-sensitive: 6 ASCII letters or digits, never uppercased', () => {
    expect(validateUserCode('aB3dE9')).toEqual({ ok: true, value: 'aB3dE9' });
    expect(validateUserCode('abcdef')).toEqual({ ok: true, value: 'abcdef' });
    expect(validateUserCode('abcde')).toEqual({ ok: false, reason: 'format' });
    expect(validateUserCode('abcdefg')).toEqual({ ok: false, reason: 'format' });
    expect(validateUserCode('abc-de')).toEqual({ ok: false, reason: 'format' });
    expect(validateUserCode('ａｂｃｄｅｆ')).toEqual({ ok: false, reason: 'format' });
    expect(validateUserCode('abc de')).toEqual({ ok: false, reason: 'format' });
  });

  it('accepts PINs of 6 to 8 digits', () => {
    expect(validatePin('123456').ok).toBe(true);
    expect(validatePin('12345678').ok).toBe(true);
    expect(validatePin('12345')).toEqual({ ok: false, reason: 'format' });
    expect(validatePin('123456789')).toEqual({ ok: false, reason: 'format' });
    expect(validatePin('12345a')).toEqual({ ok: false, reason: 'format' });
  });

  it('requires new PINs of exactly 6 digits and PUKs of exactly 8', () => {
    expect(validateNewPin('654321')).toEqual({ ok: true, value: '654321' });
    expect(validateNewPin('6543210')).toEqual({ ok: false, reason: 'format' });
    expect(validatePuk('12345678')).toEqual({ ok: true, value: '12345678' });
    expect(validatePuk('1234567')).toEqual({ ok: false, reason: 'format' });
    expect(validatePuk('123456789')).toEqual({ ok: false, reason: 'format' });
  });
});

describe('Taiwan phone numbers', () => {
  it.each([
    ['02-2345-6789', '02-23456789', 'landline'],
    ['(02) 2345 6789', '02-23456789', 'landline'],
    ['+886 2 2345 6789', '02-23456789', 'landline'],
    ['+886 (0)2 2345-6789', '02-23456789', 'landline'],
    ['04-2359-1234', '04-23591234', 'landline'],
    ['04-711-5141', '04-7115141', 'landline'],
    ['049-2222473', '049-2222473', 'landline'],
    ['037-558080', '037-558080', 'landline'],
    ['082-331234', '082-331234', 'landline'],
    ['0826-88123', '0826-88123', 'landline'],
    ['0836-22095', '0836-22095', 'landline'],
    ['089-331171', '089-331171', 'landline'],
    ['08-7370002', '08-7370002', 'landline'],
    ['0912-345-678', '0912-345-678', 'mobile'],
    ['0912345678', '0912-345-678', 'mobile'],
    ['+886 912 345 678', '0912-345-678', 'mobile'],
    ['0800-364-422', '0800-364-422', 'toll_free'],
  ])('normalises %s to %s (%s)', (input, value, kind) => {
    const result = validatePhone(input);
    expect(result).toMatchObject({ ok: true, value, kind, extension: null });
  });

  it('keeps an extension after #, ext or 分機', () => {
    expect(validatePhone('02-2312-3456 #123')).toEqual({
      ok: true,
      value: '02-23123456#123',
      kind: 'landline',
      digits: '0223123456',
      extension: '123',
    });
    expect(validatePhone('(02)2312-3456 ext. 45')).toMatchObject({ ok: true, value: '02-23123456#45', extension: '45' });
    expect(validatePhone('07-3121234分機6201')).toMatchObject({ ok: true, value: '07-3121234#6201' });
  });

  it.each([
    '2345-6789', // no area code
    '02-2345-678', // 02 needs 8 digits
    '02-0345-6789', // subscriber starting with 0
    '03-12345678', // 03 has 7-digit numbers
    '0912-345-67', // short mobile
    '0912-345-678 #12', // mobiles have no extension
    '01-2345678', // no such area code
    '02-2345-6789a',
    '+1 415 555 0100',
  ])('rejects %s', (input) => {
    expect(validatePhone(input)).toEqual({ ok: false, reason: 'format' });
  });

  it('reports an empty phone as empty', () => {
    expect(validatePhone(' ')).toEqual({ ok: false, reason: 'empty' });
  });
});

describe('e-mail', () => {
  it('accepts ordinary addresses, trimming and lowercasing only the domain', () => {
    expect(validateEmail(' Wang.XiaoMing+hca@Example.TEST ')).toEqual({ ok: true, value: 'Wang.XiaoMing+hca@example.test' });
    expect(validateEmail('a@mail.hospital.org.tw')).toEqual({ ok: true, value: 'a@mail.hospital.org.tw' });
  });

  it.each(['plainaddress', '@example.test', 'a@', 'a@localhost', 'a b@example.test', 'a..b@example.test', '.a@example.test', 'a@-example.test', 'a@example.t', 'a@b@example.test'])(
    'rejects %s',
    (input) => {
      expect(validateEmail(input)).toEqual({ ok: false, reason: 'format' });
    },
  );
});

describe('masking', () => {
  it('masks a national ID as A12****789', () => {
    expect(maskNationalId('A123456789')).toBe('A12****789');
    expect(maskNationalId(' a123456789')).toBe('A12****789');
  });

  it('masks the middle of other identifiers and all of a too-short value', () => {
    expect(maskIdentifier('123456789012', 4, 4)).toBe('1234****9012');
    expect(maskIdentifier('TP03000001234567', 4, 4, '•')).toBe('TP03••••••••4567');
    expect(maskIdentifier('12345', 3, 3)).toBe('*****');
  });
});
