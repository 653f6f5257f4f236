import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogKeys } from '../../src/common/i18n/i18n';
import { composeEmail, EMAIL_TEMPLATES } from '../../src/modules/notifications/email-composer';

const VIEWS = join(__dirname, '..', '..', 'views');

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? templates(join(dir, e.name)) : e.name.endsWith('.hbs') ? [join(dir, e.name)] : []));
}

describe('message catalogs', () => {
  it('have the same keys in zh-TW and English', () => {
    const zh = new Set(catalogKeys('zh-TW'));
    const en = new Set(catalogKeys('en'));
    expect([...zh].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('contain every literal key the templates use', () => {
    const keys = new Set(catalogKeys('zh-TW'));
    const missing: string[] = [];
    for (const file of templates(VIEWS)) {
      const source = readFileSync(file, 'utf8').replace(/\{\{!--[\s\S]*?--\}\}/g, '');
      for (const m of source.matchAll(/[{(]t "([\w.-]+)"/g)) {
        if (!keys.has(m[1])) missing.push(`${file.slice(VIEWS.length + 1)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

/**
 * Latin words a zh-TW reader meets as they are (docs/ui-conventions.md, "zh-TW wording"): card
 * terms (PIN, PUK, IC 卡, the GH before a card number), file and technology names people see on
 * their own screens (PDF, CSV, XLSX, Excel, UTF-8, JPG, PNG, MB, JavaScript, QR 碼, and the
 * operating systems Windows, macOS and Linux, which /helper's installation steps name), the
 * certificate OID that seed 003's screens name, standards cited in certificate errors (RFC), and the
 * language switch's own name. Anything else is English left in a zh-TW page.
 */
const LATIN_ALLOWED = new Set(['PIN', 'PUK', 'PDF', 'IC', 'GH', 'JavaScript', 'RFC', 'English', 'CSV', 'XLSX', 'Excel', 'UTF', 'JPG', 'PNG', 'MB', 'QR', 'OID', 'Windows', 'macOS', 'Linux']);
/** Keys that show codes as they are typed (an audit action prefix). */
const LATIN_KEYS_ALLOWED = new Set(['audit.actionHint']);

describe('zh-TW wording', () => {
  it('has no Latin words outside the allow list (examples of IDs, numbers and e-mail addresses aside)', () => {
    const zh = JSON.parse(readFileSync(join(__dirname, '..', '..', 'src', 'i18n', 'zh-TW.json'), 'utf8')) as Record<string, string>;
    const found = Object.entries(zh)
      .filter(([key]) => !LATIN_KEYS_ALLOWED.has(key))
      .flatMap(([key, text]) =>
        text
          .replace(/\{\w+\}/g, ' ') // placeholders
          .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ') // e-mail addresses
          .replace(/\b[A-Z]*\d[A-Z0-9]*\b/g, ' ') // example IDs and numbers: A123456789, R20261123K7MZ3Q
          .match(/[A-Za-z]{2,}/g)
          ?.filter((word) => !LATIN_ALLOWED.has(word))
          .map((word) => `${key}: ${word}`) ?? [],
      );
    expect(found).toEqual([]);
  });

  it('uses one word for the counter (櫃檯), no nested brackets, and no stray spaces around names', () => {
    const zh = JSON.parse(readFileSync(join(__dirname, '..', '..', 'src', 'i18n', 'zh-TW.json'), 'utf8')) as Record<string, string>;
    const problems = Object.entries(zh).flatMap(([key, text]) => [
      ...(/窗口|櫃台/.test(text) ? [`${key}: 窗口/櫃台`] : []),
      ...(/（[^（）]*（/.test(text) ? [`${key}: nested brackets`] : []),
      ...(/\{(name|counter|cardType)\} [\u3000-\u9fff]|[\u3000-\u9fff] \{(name|counter|cardType)\}/.test(text) ? [`${key}: stray space`] : []),
      ...(/雜湊|密碼單/.test(text) && /雜湊|PIN 碼密碼單/.test(text) ? [`${key}: jargon`] : []),
    ]);
    expect(problems).toEqual([]);
  });
});

describe('e-mail templates', () => {
  it('have a subject and a body in both languages for every template the composer knows', () => {
    const missing = EMAIL_TEMPLATES.flatMap((template) =>
      (['zh-TW', 'en'] as const).flatMap((lang) => ['subject', 'body'].map((part) => `email.${template}.${part}`).filter((key) => !catalogKeys(lang).includes(key)).map((key) => `${lang}: ${key}`)),
    );
    expect(missing).toEqual([]);
  });

  it('are composed from the catalog in the recipient\'s language, with the values filled in', () => {
    const mail = composeEmail({ template: 'cards.user-code-reminder', lang: 'en', params: { name: 'Lin', number: '123456789012', countersUrl: 'u1', servicesUrl: 'u2' } });
    expect(mail.subject).toContain('123456789012');
    expect(mail.text).toContain('Lin');
    expect(mail.text).not.toMatch(/\{\w+\}/);
  });
});
