import { characterCount, checkText, CHARACTERS_MESSAGE, textProblem } from '../../src/common/forms';
import type { FieldError } from '../../src/common/errors/domain-error';

describe('text hygiene', () => {
  it.each([
    ['NUL', '王\u0000小明'],
    ['a line break in a one-line field', '臺北市\n中正區'],
    ['a right-to-left override', '王小明\u202Eexe.txt'],
    ['a bidi isolate', '\u2066王小明\u2069'],
    ['a zero-width space', '王\u200B小明'],
    ['a zero-width joiner', '王\u200D小明'],
    ['a byte-order mark', '\uFEFF王小明'],
    ['a C1 control', '王\u0085小明'],
    ['a lone high surrogate', '王\uD842小明'],
    ['a lone low surrogate', '王\uDFB7小明'],
  ])('refuses %s', (_, value) => {
    expect(textProblem(value, 60)).toEqual({ reason: 'characters' });
  });

  it('allows line breaks and tabs only where the field is multi-line', () => {
    expect(textProblem('第一行\n第二行\t備註', 100, { multiLine: true })).toBeNull();
    expect(textProblem('第一行\u0000', 100, { multiLine: true })).toEqual({ reason: 'characters' });
  });

  it('counts a rare character of a name (CJK Extension B) as one, not as two UTF-16 units', () => {
    const rare = '𠮷';
    expect(rare.length).toBe(2);
    expect(characterCount(rare.repeat(60))).toBe(60);
    expect(textProblem(rare.repeat(60), 60)).toBeNull();
    expect(textProblem(rare.repeat(61), 60)).toEqual({ reason: 'tooLong', max: 60 });
    expect(textProblem('陳𡘙堃', 3)).toBeNull();
  });

  it('adds the field\'s error with the catalog message for characters, or its own too-long message', () => {
    const errors: FieldError[] = [];
    checkText(errors, 'name', '王\u202E小明', 60, 'cards.errors.name.tooLong');
    checkText(errors, 'mailingAddress', '臺'.repeat(201), 200, 'cards.errors.mailingAddress.tooLong');
    checkText(errors, 'agentName', '林美華', 60, 'cards.errors.name.tooLong');
    expect(errors).toEqual([
      { field: 'name', messageKey: CHARACTERS_MESSAGE },
      { field: 'mailingAddress', messageKey: 'cards.errors.mailingAddress.tooLong', params: { max: 200 } },
    ]);
  });
});
