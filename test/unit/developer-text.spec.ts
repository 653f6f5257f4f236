// Issue 14 item 4: no developer text on user pages. Development hints (how to run the reader
// helper with the development cards) live in one partial, shown only when NODE_ENV=development.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_DIR, VIEWS_DIR } from '../../src/common/paths';
import { ViewRenderer, type BaseViewContext } from '../../src/common/web/view-renderer';

const HINTS_PARTIAL = join('partials', 'auth', 'development-hints.hbs');
const DEVELOPER_TEXT = /\bnpm (?:run|start|test)\b|\bnode scripts\/|SoftHSM|dev-init|\.env\b|localhost/i;

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? templates(join(dir, e.name)) : e.name.endsWith('.hbs') ? [join(dir, e.name)] : []));
}

describe('developer text', () => {
  it('appears in no catalog string and in no template but the development hints partial', () => {
    const found: string[] = [];
    for (const file of readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.json'))) {
      for (const [key, text] of Object.entries(JSON.parse(readFileSync(join(CATALOG_DIR, file), 'utf8')) as Record<string, string>)) {
        if (DEVELOPER_TEXT.test(text)) found.push(`${file}: ${key}`);
      }
    }
    for (const file of templates(VIEWS_DIR)) {
      const name = file.slice(VIEWS_DIR.length + 1);
      // comments ({{!-- … --}}) are for us, not for the reader
      const shown = readFileSync(file, 'utf8').replace(/\{\{!--[\s\S]*?--\}\}/g, '');
      if (name !== HINTS_PARTIAL && DEVELOPER_TEXT.test(shown)) found.push(name);
    }
    expect(found).toEqual([]);
  });

  it('shows the development hints on /helper only when the page says it runs in development', () => {
    const renderer = new ViewRenderer();
    const page = (developmentHints: boolean) =>
      renderer.render(
        'auth/reader-helper',
        {
          lang: 'zh-TW',
          htmlLang: 'zh-Hant-TW',
          otherLang: 'en',
          csrfToken: '',
          currentPath: '/helper',
          user: null,
          title: '',
          errors: [],
          values: {},
          nav: [],
          helperStatusUrl: 'http://127.0.0.1:47321/status',
          helperPort: '47321',
          siteOrigin: 'http://127.0.0.1:3000',
          developmentHints,
        } satisfies BaseViewContext,
        { layout: false },
      );
    expect(page(true)).toContain('<code>npm run helper</code>');
    expect(page(false)).not.toContain('npm');
    expect(page(false)).toContain('http://127.0.0.1:47321/status');
  });
});
