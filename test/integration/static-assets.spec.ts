// Issue 14 item 13: the browser assets. Fingerprinted names cached for a year (immutable), the
// rest revalidated (ETag → 304), precompressed brotli/gzip chosen by Accept-Encoding with
// Vary, the right Content-Type and Content-Length, and 404 for anything the build did not make.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC_BUILD_DIR } from '../../src/common/paths';
import { CACHE_IMMUTABLE } from '../../src/core/static-assets';
import { createTestApp, type TestApp } from '../support/app';

const built = (name: string) => join(PUBLIC_BUILD_DIR, name);
const sizeOf = (file: string) => String(statSync(file).size);

describe('static assets (/assets)', () => {
  let t: TestApp;
  let css: string;
  let js: string;
  beforeAll(async () => {
    t = await createTestApp();
    const home = await t.agent().get('/').expect(200);
    css = /<link rel="stylesheet" href="(\/assets\/app\.[0-9a-f]{10}\.css)">/.exec(home.text)![1];
    js = /<script type="module" src="(\/assets\/app\.[0-9a-f]{10}\.js)">/.exec(home.text)![1];
  });
  afterAll(() => t.close());

  it('names the page assets by their content and serves them immutable, brotli first', async () => {
    const file = built(css.slice('/assets/'.length));
    const res = await t.agent().get(css).set('Accept-Encoding', 'gzip, deflate, br').expect(200);
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-length']).toBe(sizeOf(`${file}.br`));
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(res.headers['cache-control']).toBe(CACHE_IMMUTABLE);
    expect(Number(res.headers['content-length'])).toBeLessThan(statSync(file).size / 4);
    // what the browser gets once decoded is the built file
    expect(res.text).toBe(readFileSync(file, 'utf8'));
  });

  it('gives gzip to a client without brotli, and the plain file to one that takes neither', async () => {
    const file = built(js.slice('/assets/'.length));
    const gz = await t.agent().get(js).set('Accept-Encoding', 'br;q=0, gzip').expect(200);
    expect([gz.headers['content-encoding'], gz.headers['content-length'], gz.headers['content-type']]).toEqual(['gzip', sizeOf(`${file}.gz`), 'text/javascript; charset=utf-8']);
    expect(gz.text).toBe(readFileSync(file, 'utf8'));
    const plain = await t.agent().get(js).set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-length']).toBe(sizeOf(file));
    expect(plain.headers['vary']).toBe('Accept-Encoding');
    expect(plain.headers['cache-control']).toBe(CACHE_IMMUTABLE);
  });

  it('serves the fallback fonts named in the stylesheet as fingerprinted woff2, not recompressed', async () => {
    const text = readFileSync(built(css.slice('/assets/'.length)), 'utf8');
    const font = /url\((fonts\/[\w-]+\.[0-9a-f]{10}\.woff2)\)/.exec(text)![1];
    const res = await t.agent().get(`/assets/${font}`).set('Accept-Encoding', 'br, gzip').buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('font/woff2');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-length']).toBe(sizeOf(built(font)));
    expect(res.headers['cache-control']).toBe(CACHE_IMMUTABLE);
  });

  it('answers 304 to a revalidation, and keeps files without a content hash short-lived', async () => {
    const first = await t.agent().get(css).set('Accept-Encoding', 'br').expect(200);
    const again = await t.agent().get(css).set('Accept-Encoding', 'br').set('If-None-Match', first.headers['etag']).expect(304);
    expect(again.headers['cache-control']).toBe(CACHE_IMMUTABLE);
    expect(again.text ?? '').toBe('');
    // the source map is found through the script's comment, under its own name
    const map = await t.agent().get('/assets/govuk-frontend.min.js.map').set('Accept-Encoding', 'identity').expect(200);
    expect(map.headers['cache-control']).toBe('no-cache');
    expect(map.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(map.headers['etag']).toMatch(/^"[\w-]+"$/);
    await t.agent().get('/assets/govuk-frontend.min.js.map').set('Accept-Encoding', 'identity').set('If-None-Match', map.headers['etag']).expect(304);
    // another encoding is another representation: its own tag
    const gz = await t.agent().get('/assets/govuk-frontend.min.js.map').set('Accept-Encoding', 'gzip').expect(200);
    expect(gz.headers['etag']).not.toBe(map.headers['etag']);
  });

  it('answers HEAD with the headers alone', async () => {
    const res = await t.agent().head(css).set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['content-length']).toBe(sizeOf(`${built(css.slice('/assets/'.length))}.gz`));
    expect(res.headers['content-encoding']).toBe('gzip');
  });

  it('answers 404 for anything the build did not make, or did not make to be fetched', async () => {
    for (const path of [
      '/assets/app.css', // the plain name: only the fingerprinted one exists
      '/assets/app.0000000000.css',
      '/assets/manifest.json',
      `${css}.br`, // a precompressed sibling by its own name
      '/assets/..%2Fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/fonts/',
      '/assets/',
    ]) {
      const res = await t.agent().get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect((await t.agent().post(css)).status).toBe(405);
  });
});
