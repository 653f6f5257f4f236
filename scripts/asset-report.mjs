#!/usr/bin/env node
// `node scripts/asset-report.mjs [url]`: what a page costs a browser. Loads the page (default: the
// home page of the app `npm start` runs, PUBLIC_ORIGIN or http://127.0.0.1:APP_PORT/) in headless
// Chromium twice in one browser profile, first with an empty cache and then again as a returning
// visitor (a normal navigation, not a reload), and prints for each load the bytes transferred over
// the network (headers and bodies as sent, i.e. compressed) and the requests that reached the
// server, by resource type. Add --json for a machine-readable line. The app must be running.
import { chromium } from 'playwright-core';
import { loadEnv } from './lib/env.mjs';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const env = loadEnv();
const url = args.find((a) => !a.startsWith('--')) ?? `${env.PUBLIC_ORIGIN || `http://127.0.0.1:${env.APP_PORT || 3000}`}/`;

/** One navigation, counted through the DevTools protocol (bytes on the wire, cache hits apart). */
async function load(page, cdp) {
  const requests = new Map();
  const onResponse = ({ requestId, type, response }) => {
    // a memory-cache hit is announced (requestServedFromCache) before its response
    const cached = Boolean(requests.get(requestId)?.cached || response.fromDiskCache || response.fromPrefetchCache);
    requests.set(requestId, { url: response.url, type, status: response.status, cached, bytes: 0, encoding: response.headers['content-encoding'] ?? response.headers['Content-Encoding'] ?? '' });
  };
  const onCached = ({ requestId }) => {
    const r = requests.get(requestId);
    if (r) r.cached = true;
    else requests.set(requestId, { url: '', type: 'Other', status: 200, cached: true, bytes: 0, encoding: '' });
  };
  const onFinished = ({ requestId, encodedDataLength }) => {
    const r = requests.get(requestId);
    if (r) r.bytes = encodedDataLength;
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.requestServedFromCache', onCached);
  cdp.on('Network.loadingFinished', onFinished);
  await page.goto(url, { waitUntil: 'load' });
  // fonts and module imports may finish after 'load': wait until the network has been quiet
  await page.waitForLoadState('networkidle');
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.requestServedFromCache', onCached);
  cdp.off('Network.loadingFinished', onFinished);
  const all = [...requests.values()];
  const network = all.filter((r) => !r.cached);
  const byType = {};
  for (const r of network) {
    byType[r.type] ??= { requests: 0, bytes: 0 };
    byType[r.type].requests += 1;
    byType[r.type].bytes += r.bytes;
  }
  return {
    requests: network.length,
    fromCache: all.length - network.length,
    bytes: network.reduce((sum, r) => sum + r.bytes, 0),
    byType,
    list: network.map((r) => `${r.status} ${r.type.padEnd(10)} ${String(r.bytes).padStart(8)} B ${r.encoding.padEnd(4)} ${r.url}`),
  };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const first = await load(page, cdp);
  const repeat = await load(page, cdp);
  if (asJson) {
    console.log(JSON.stringify({ url, first: { ...first, list: undefined }, repeat: { ...repeat, list: undefined } }));
  } else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    for (const [name, r] of [['first load', first], ['repeat load', repeat]]) {
      console.log(`${name}: ${kb(r.bytes)} transferred, ${r.requests} requests over the network, ${r.fromCache} from the cache`);
      for (const [type, t] of Object.entries(r.byType)) console.log(`  ${type.padEnd(10)} ${String(t.requests).padStart(3)} requests ${kb(t.bytes).padStart(10)}`);
      for (const line of r.list) console.log(`    ${line}`);
    }
  }
} finally {
  await browser.close();
}
