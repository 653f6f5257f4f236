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
