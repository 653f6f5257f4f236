// The baseline of the http-pages bench: a bare Node `http` server that renders the home page with
// the app's own ViewRenderer (dist/) and the context the app would pass an anonymous visitor on
// the intranet (same services, navigation, title and a fresh CSRF token per request), and none
// of the framework: no Nest, Express, helmet, session or logging. Started as a child process by
// http-pages.mjs (so it does not share an event loop with the load generator); prints
// `listening <port>` once ready. Configuration comes from the environment it is given;
// BENCH_PROCESSES runs it as that many processes (bare-processes.mjs).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveBare } from './bare-processes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const dist = (p) => require(path.join(ROOT, 'dist', 'src', p));

require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { ViewRenderer } = dist('common/web/view-renderer.js');
const { htmlLang, translate } = dist('common/i18n/i18n.js');
const { LinksRegistry } = dist('common/web/links.js');
const { addressIn } = dist('common/web/client-address.js');
const { csrfTokenFor, newCsrfNonce } = dist('common/web/csrf.js');
const { loadConfig, toBlockList } = dist('config/app-config.js');
const { AppModule } = dist('app/app.module.js');

/** Set up in each serving process only (a cluster's primary just forks). */
async function makeServer() {
  const config = loadConfig(process.env);
  const intranet = toBlockList(config.intranetCidrs);
  const renderer = new ViewRenderer();
  // The links every module contributes, collected once as the app does (then the app context is closed).
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
  const links = context.get(LinksRegistry);
  await context.close();

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    const ip = req.socket.remoteAddress;
    const lang = 'zh-TW';
    const context = {
      lang,
      htmlLang: htmlLang(lang),
      otherLang: 'en',
      csrfToken: csrfTokenFor(config.sessionSecret, newCsrfNonce()),
      currentPath: '/',
      user: null,
      title: translate(lang, 'home.title'),
      errors: [],
      values: {},
      nav: links.navigationFor(null, '/', addressIn(intranet, ip)),
      requestId: '',
      ...links.servicesFor(null, addressIn(intranet, ip)),
    };
    const html = renderer.render('home/index', context, { layout: true });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
    res.end(html);
  });
  return server;
}

await serveBare(makeServer);
