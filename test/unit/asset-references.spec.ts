// Issue 14 item 13: templates name assets only through {{asset "…"}} (src/core/static-assets.ts),
// so a fingerprinted name is never written by hand and never goes stale.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC_BUILD_DIR, VIEWS_DIR } from '../../src/common/paths';
import { AssetManifest } from '../../src/core/static-assets';

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? templates(join(dir, e.name)) : e.name.endsWith('.hbs') ? [join(dir, e.name)] : []));
}

const all = templates(VIEWS_DIR).map((file) => ({ file: file.slice(VIEWS_DIR.length + 1), text: readFileSync(file, 'utf8') }));

describe('asset references in templates', () => {
  it('go through the asset helper: no hand-written /assets/ paths or local script, style, icon or font files', () => {
    const found = all.flatMap(({ file, text }) => [
      ...[...text.matchAll(/\/assets\/|assetBase/g)].map((m) => `${file}: ${m[0]}`),
      ...[...text.matchAll(/\b(?:src|href)="(?!\{\{asset ")([^"]*\.(?:css|js|mjs|svg|png|ico|woff2?)(?:[?#][^"]*)?)"/g)].map((m) => `${file}: ${m[1]}`),
    ]);
    expect(found).toEqual([]);
  });

  it('name assets the build makes', () => {
    const manifest = new AssetManifest(PUBLIC_BUILD_DIR);
    const names = all.flatMap(({ text }) => [...text.matchAll(/\{\{asset "([^"]+)"\}\}/g)].map((m) => m[1]));
    expect(names).toEqual(expect.arrayContaining(['app.css', 'app.js', 'login.js']));
    for (const name of names) expect(manifest.url(name)).toMatch(/^\/assets\/[\w./-]+\.[0-9a-f]{10}\.\w+$/);
    expect(() => manifest.url('no-such-file.js')).toThrow(/No built asset "no-such-file.js"/);
  });
});
