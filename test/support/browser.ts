import { AxeBuilder } from '@axe-core/playwright';
import type { Result as AxeResult } from 'axe-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './app';
import { freePort } from './polling';

export { freePort };

/** Debian's Chromium, headless, with everything that would reach beyond this machine turned off. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** The WCAG levels we are held to: 2.0, 2.1 and 2.2, A and AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * What went wrong in a page besides its HTML: console errors (a CSP violation shows up here),
 * uncaught script errors, and sub-resources (scripts, styles, fonts, HTMX calls) that failed.
 * The document's own status is the test's business (the 404 page is meant to be a 404).
 */
export interface PageProblems {
  console: string[];
  pageErrors: string[];
  failedRequests: string[];
}

export interface BrowserTest {
  /** The real web app (createTestApp) listening on 127.0.0.1. */
  app: TestApp;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  browser: Browser;
  /** This test's context and page (a fresh context per test: no cookies carried between tests). */
  context: BrowserContext;
  page: Page;
  /** What went wrong in this test's pages (all of its contexts); check it in an afterEach. */
  problems: PageProblems;
  /** Another context (e.g. { javaScriptEnabled: false }), closed after the test. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

function watch(page: Page, problems: PageProblems): void {
  page.on('console', (msg) => {
    // Failed loads are reported from the responses below, with their URL.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.console.push(msg.text());
  });
  page.on('pageerror', (err) => problems.pageErrors.push(err.message));
  page.on('requestfailed', (req) => {
    // a load cancelled by a navigation or a newer HTMX request is not a failure
    const why = req.failure()?.errorText ?? 'failed';
    if (why !== 'net::ERR_ABORTED') problems.failedRequests.push(`${req.method()} ${req.url()}: ${why}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document') {
      problems.failedRequests.push(`${res.request().method()} ${res.url()}: ${res.status()}`);
    }
  });
}

/**
 * Registers jest hooks for a browser test file: one app and one Chromium for the file, a new
 * context and page before each test (closed after it). Call at the top of a describe block and
 * use the returned object inside the tests.
 */
/**
 * The app listens on a port chosen first, so its PUBLIC_ORIGIN is the origin the browser sees
 * (certificate sign-in checks it). `overrides` may be a function of that origin.
 */
export function useBrowser(overrides: Record<string, string> | ((origin: string) => Promise<Record<string, string>> | Record<string, string>) = {}): BrowserTest {
  const t = { problems: { console: [], pageErrors: [], failedRequests: [] } } as unknown as BrowserTest;
  const extraContexts: BrowserContext[] = [];

  const open = async (options: BrowserContextOptions = {}) => {
    const context = await t.browser.newContext({ baseURL: t.baseUrl, ...options });
    const page = await context.newPage();
    watch(page, t.problems);
    return { context, page };
  };

  beforeAll(async () => {
    const port = await freePort();
    t.baseUrl = `http://127.0.0.1:${port}`;
    const extra = typeof overrides === 'function' ? await overrides(t.baseUrl) : overrides;
    t.app = await createTestApp({ PUBLIC_ORIGIN: t.baseUrl, ...extra });
    await t.app.app.listen(port, '127.0.0.1');
    t.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    t.newPage = async (options) => {
      const { context, page } = await open(options);
      extraContexts.push(context);
      return page;
    };
  });

  beforeEach(async () => {
    t.problems = { console: [], pageErrors: [], failedRequests: [] };
    ({ context: t.context, page: t.page } = await open());
  });

  afterEach(async () => {
    // what went wrong up to now; whatever closing the pages may cause afterwards does not count
    t.problems = structuredClone(t.problems);
    for (const context of extraContexts.splice(0)) await context.close();
    await t.context?.close();
  });

  afterAll(async () => {
    await t.browser?.close();
    await t.app?.close();
  });

  return t;
}

/** One readable block per axe violation: rule, impact, help URL, and each offending element. */
export function formatViolations(violations: AxeResult[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    - ${n.target.join(' ')}\n      ${n.html}\n      ${n.failureSummary?.replace(/\n/g, '\n      ') ?? ''}`);
      return `[${v.impact ?? 'unknown'}] ${v.id}: ${v.help}\n  ${v.helpUrl}\n${nodes.join('\n')}`;
    })
    .join('\n\n');
}

/** True when the page runs timers, i.e. JavaScript is enabled (evaluate alone works either way). */
async function scriptsRun(page: Page): Promise<boolean> {
  let giveUp: NodeJS.Timeout | undefined;
  const inPage = page.evaluate(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 0)));
  const outside = new Promise<boolean>((resolve) => {
    giveUp = setTimeout(() => resolve(false), 10_000);
  });
  try {
    return await Promise.race([inPage, outside]);
  } finally {
    clearTimeout(giveUp);
  }
}

/**
 * Runs axe (WCAG 2.0/2.1/2.2 A and AA) on the page as it is now and fails listing every violation.
 * axe runs as a script in the page, so the page's context must have JavaScript enabled (with it
 * off, analyze() never returns: dequelabs/axe-core-npm#529); check the same URL in a JavaScript
 * context instead. Legacy mode runs axe in the page itself instead of gathering the results in
 * an extra blank page: half the time here, and our pages have no frames, which is all it gives up.
 */
export async function expectAccessible(page: Page): Promise<void> {
  if (!(await scriptsRun(page))) throw new Error(`expectAccessible needs a page with JavaScript enabled (${page.url()})`);
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).setLegacyMode(true).analyze();
  if (results.violations.length > 0) {
    throw new Error(`axe found ${results.violations.length} accessibility violation(s) on ${page.url()}:\n\n${formatViolations(results.violations)}`);
  }
}

/**
 * A full-page screenshot into $BROWSER_SCREENSHOT_DIR when that variable is set (for looking at
 * the design); does nothing otherwise.
 */
export async function screenshotIfAsked(page: Page, name: string): Promise<string | null> {
  const dir = process.env.BROWSER_SCREENSHOT_DIR;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
