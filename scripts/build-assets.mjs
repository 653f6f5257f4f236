#!/usr/bin/env node
// Builds the browser assets into public/build/ (git-ignored), served under /assets/:
//   app.css                 public/src/styles.scss (govuk-frontend, de-branded) + Noto Sans TC @font-face
//   fonts/*.woff2           Noto Sans TC 400 and 700 from @fontsource/noto-sans-tc (unicode-range subsets)
//   app.js                  public/src/app.js, an ES module importing ./govuk-frontend.min.js
//   govuk-frontend.min.js   from govuk-frontend (an ES module)
//   htmx.min.js             from htmx.org
//   favicon.svg             public/src/favicon.svg
//   govuk/                  govuk-frontend assets we still use ($govuk-assets-path): none today,
//                           because its images (crown, crest) and fonts (GDS Transport) are GOV.UK's.
// Always rebuilds from scratch (a few seconds). Run: npm run build:assets
import { compile, compileString } from 'sass';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const leftover = rewritten.match(/url\((?!fonts\/)[^)]*\)/);
  if (leftover) throw new Error(`build-assets: unexpected font url in ${weight}.css: ${leftover[0]}`);
  if (files.length === 0) throw new Error(`build-assets: no woff2 files found in ${weight}.css`);
  return { css: rewritten, files };
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
  await copy(join(SRC, 'card-services.js'), join(OUT, 'card-services.js'));
  await copy(join(SRC, 'nhi-card.js'), join(OUT, 'nhi-card.js'));
  await copy(join(SRC, 'employer-card.js'), join(OUT, 'employer-card.js'));
  await copy(join(SRC, 'favicon.svg'), join(OUT, 'favicon.svg'));
}

async function main() {
  await mkdir(join(OUT, 'govuk'), { recursive: true });
  await Promise.all([buildFontsAndCss(), buildScripts()]);
  const old = `${BUILD}.old-${process.pid}`;
  await rename(BUILD, old).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(OUT, BUILD);
  await rm(old, { recursive: true, force: true });
  const size = (await stat(join(BUILD, 'app.css'))).size;
  console.log(
    `build-assets: ${relative(ROOT, BUILD)}/ built in ${Date.now() - started} ms (app.css ${Math.round(size / 1024)} KiB)`,
  );
}

main().catch(async (error) => {
  await rm(OUT, { recursive: true, force: true });
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
