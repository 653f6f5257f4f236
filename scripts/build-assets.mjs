#!/usr/bin/env node
// Builds the browser assets into public/build/ (git-ignored), served under /assets/ by
// src/core/static-assets.ts:
//   app.css                 public/src/styles.scss (govuk-frontend, de-branded) + the fallback
//                           web font's @font-face rules (system CJK fonts come first: see
//                           decision 0018 and $govuk-font-family in styles.scss)
//   fonts/*.woff2           Noto Sans TC 400 and 700 from @fontsource/noto-sans-tc (unicode-range
//                           subsets: a browser downloads one only for glyphs no system font has)
//   app.js                  public/src/app.js, an ES module importing ./govuk-frontend.min.js
//   govuk-frontend.min.js   from govuk-frontend (an ES module)
//   htmx.min.js             from htmx.org
//   favicon.svg             public/src/favicon.svg
//   govuk/                  govuk-frontend assets we still use ($govuk-assets-path): none today,
//                           because its images (crown, crest) and fonts (GDS Transport) are GOV.UK's.
// Then every file is fingerprinted (name.<content hash>.ext; imports between our scripts and the
// font urls in app.css rewritten to match), manifest.json maps each plain name to its
// fingerprinted one (templates use {{asset "app.css"}}), and text files get precompressed .br and
// .gz siblings. Always rebuilds from scratch (a few seconds). Run: npm run build:assets
import { compile, compileString } from 'sass';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'public', 'src');
const BUILD = join(ROOT, 'public', 'build');
// Built beside the real folder, then swapped in, so a running server never sees half a build.
const OUT = join(ROOT, 'public', `.build-${process.pid}`);
const NODE_MODULES = join(ROOT, 'node_modules');
const FONT_PACKAGE = join(NODE_MODULES, '@fontsource', 'noto-sans-tc');
const FONT_WEIGHTS = [400, 700];

/** Strings that must never reach our CSS: they would mean GOV.UK branding slipped back in. */
const FORBIDDEN_IN_CSS = [/GDS Transport/i, /crown/i, /crest/i, /govuk-logo/i];

const started = Date.now();

async function copy(from, to) {
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
}

/**
 * The @fontsource CSS for one weight, with woff2 only (every browser we support reads it) and
 * urls pointing at fonts/ next to app.css. Returns the CSS and the font files it uses.
 */
async function fontFaceCss(weight) {
  const css = await readFile(join(FONT_PACKAGE, `${weight}.css`), 'utf8');
  const files = [];
  const rewritten = css.replace(/src:\s*url\(\.\/files\/([^)]+?\.woff2)\)\s*format\('woff2'\)(?:,\s*url\([^)]+\)\s*format\('woff'\))?/g, (_, file) => {
    files.push(file);
    return `src: url(fonts/${file}) format('woff2')`;
  });
  // Named apart from a locally installed "Noto Sans TC", which the font stack prefers.
  const renamed = rewritten.replace(/font-family:\s*'Noto Sans TC';/g, "font-family: 'Noto Sans TC Web';");
  if (renamed === rewritten) throw new Error(`build-assets: no font-family 'Noto Sans TC' in ${weight}.css`);
  const leftover = renamed.match(/url\((?!fonts\/)[^)]*\)/);
  if (leftover) throw new Error(`build-assets: unexpected font url in ${weight}.css: ${leftover[0]}`);
  if (files.length === 0) throw new Error(`build-assets: no woff2 files found in ${weight}.css`);
  return { css: renamed, files };
}

async function buildFontsAndCss() {
  let fontCss = '';
  for (const weight of FONT_WEIGHTS) {
    const { css, files } = await fontFaceCss(weight);
    fontCss += css;
    await Promise.all(files.map((file) => copy(join(FONT_PACKAGE, 'files', file), join(OUT, 'fonts', file))));
  }

  const app = compile(join(SRC, 'styles.scss'), {
    style: 'compressed',
    loadPaths: [NODE_MODULES],
    // govuk-frontend 5 is written with @import and old colour functions; Dart Sass warns about
    // them on every build. Its own warnings are hidden (quietDeps), ours are kept except @import.
    quietDeps: true,
    silenceDeprecations: ['import', 'global-builtin'],
  });
  const fonts = compileString(fontCss, { style: 'compressed' });
  // Compressed Sass marks non-ASCII output with a leading BOM (or @charset), which is only valid
  // at the very start of a file: drop it from both parts and declare the charset once.
  const withoutCharset = (text) => text.replace(/^(\uFEFF|@charset "UTF-8";)/, '');
  const css = `@charset "UTF-8";\n${withoutCharset(fonts.css)}\n${withoutCharset(app.css)}\n`;
  for (const pattern of FORBIDDEN_IN_CSS) {
    if (pattern.test(css)) throw new Error(`build-assets: app.css contains ${pattern} (GOV.UK branding)`);
  }
  await writeFile(join(OUT, 'app.css'), css);
}

async function buildScripts() {
  const govukJs = join(NODE_MODULES, 'govuk-frontend', 'dist', 'govuk');
  await copy(join(govukJs, 'govuk-frontend.min.js'), join(OUT, 'govuk-frontend.min.js'));
  await copy(join(govukJs, 'govuk-frontend.min.js.map'), join(OUT, 'govuk-frontend.min.js.map'));
  await copy(join(NODE_MODULES, 'htmx.org', 'dist', 'htmx.min.js'), join(OUT, 'htmx.min.js'));
  // app.js is one small ES module that imports ./govuk-frontend.min.js at run time, so the
  // "bundle" is a copy: no bundler needed, and the browser caches govuk-frontend separately.
  await copy(join(SRC, 'app.js'), join(OUT, 'app.js'));
  await copy(join(SRC, 'login.js'), join(OUT, 'login.js'));
  await copy(join(SRC, 'helper-missing.js'), join(OUT, 'helper-missing.js'));
  await copy(join(SRC, 'card-services.js'), join(OUT, 'card-services.js'));
  await copy(join(SRC, 'nhi-card.js'), join(OUT, 'nhi-card.js'));
  await copy(join(SRC, 'employer-card.js'), join(OUT, 'employer-card.js'));
  await copy(join(SRC, 'favicon.svg'), join(OUT, 'favicon.svg'));
}

/** Hex digits of the content hash in a fingerprinted name (src/core/static-assets.ts knows them by this). */
const HASH_LENGTH = 10;
/** Files served with precompressed siblings: text. (woff2 is compressed already.) */
const COMPRESSIBLE = new Set(['.css', '.js', '.svg', '.map']);
/** Served under their own names: the source map is found through the script's comment. */
const NOT_FINGERPRINTED = new Set(['manifest.json']);

async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])));
  return nested.flat();
}

/** `a/b.min.js` + hash → `a/b.min.<hash>.js` */
function fingerprinted(name, content) {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, HASH_LENGTH);
  const ext = extname(name);
  return `${name.slice(0, -ext.length)}.${hash}${ext}`;
}

/**
 * Renames every file to its fingerprinted name, leaves first: fonts before the CSS that names
 * them, an imported script before the script importing it (`from './x.js'`), whose text is
 * rewritten first so that its own hash covers the new names. Returns the manifest.
 */
async function fingerprint() {
  const names = (await filesUnder(OUT)).map((file) => relative(OUT, file).split('\\').join('/'));
  const manifest = {};
  const pending = new Map();
  for (const name of names) {
    if (NOT_FINGERPRINTED.has(name) || name.endsWith('.map')) continue;
    pending.set(name, await readFile(join(OUT, name)));
  }
  const references = (name, text) => {
    if (name.endsWith('.css')) return [...text.matchAll(/url\((fonts\/[^)]+)\)/g)].map((m) => m[1]);
    if (name.endsWith('.js')) return [...text.matchAll(/\bfrom\s*['"]\.\/([^'"]+)['"]|\bimport\s*\(\s*['"]\.\/([^'"]+)['"]/g)].map((m) => m[1] ?? m[2]);
    return [];
  };
  while (pending.size > 0) {
    let progressed = false;
    for (const [name, content] of pending) {
      const isText = name.endsWith('.css') || name.endsWith('.js');
      const text = isText ? content.toString('utf8') : '';
      const refs = references(name, text);
      const unknown = refs.find((ref) => !names.includes(ref));
      if (unknown) throw new Error(`build-assets: ${name} refers to ${unknown}, which the build does not produce`);
      if (refs.some((ref) => pending.has(ref))) continue;
      let body = content;
      if (refs.length > 0) {
        const rewritten = name.endsWith('.css')
          ? text.replace(/url\((fonts\/[^)]+)\)/g, (_, ref) => `url(${manifest[ref]})`)
          : text.replace(/(\bfrom\s*['"]\.\/|\bimport\s*\(\s*['"]\.\/)([^'"]+)(['"])/g, (_, before, ref, after) => `${before}${manifest[ref]}${after}`);
        body = Buffer.from(rewritten, 'utf8');
      }
      manifest[name] = fingerprinted(name, body);
      await writeFile(join(OUT, manifest[name]), body);
      await rm(join(OUT, name));
      pending.delete(name);
      progressed = true;
    }
    if (!progressed) throw new Error(`build-assets: circular references between ${[...pending.keys()].join(', ')}`);
  }
  return manifest;
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** `.br` and `.gz` beside every text file, when they are smaller. */
async function precompress() {
  const files = (await filesUnder(OUT)).filter((file) => COMPRESSIBLE.has(extname(file)));
  await Promise.all(
    files.map(async (file) => {
      const content = await readFile(file);
      const [br, gz] = await Promise.all([
        brotli(content, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: content.length } }),
        gzipped(content, { level: 9 }),
      ]);
      if (br.length < content.length) await writeFile(`${file}.br`, br);
      if (gz.length < content.length) await writeFile(`${file}.gz`, gz);
    }),
  );
}

async function main() {
  await mkdir(join(OUT, 'govuk'), { recursive: true });
  await Promise.all([buildFontsAndCss(), buildScripts()]);
  const manifest = await fingerprint();
  await writeFile(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await precompress();
  const old = `${BUILD}.old-${process.pid}`;
  await rename(BUILD, old).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(OUT, BUILD);
  await rm(old, { recursive: true, force: true });
  const css = join(BUILD, JSON.parse(await readFile(join(BUILD, 'manifest.json'), 'utf8'))['app.css']);
  const [size, br] = await Promise.all([stat(css), stat(`${css}.br`)]);
  console.log(
    `build-assets: ${relative(ROOT, BUILD)}/ built in ${Date.now() - started} ms (${basename(css)} ${Math.round(size.size / 1024)} KiB, ${Math.round(br.size / 1024)} KiB as brotli)`,
  );
}

main().catch(async (error) => {
  await rm(OUT, { recursive: true, force: true });
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
