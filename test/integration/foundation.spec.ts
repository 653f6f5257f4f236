import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ACCESS_KEY } from '../../src/common/access/access.decorator';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';

describe('foundation: pages, language, CSRF, route declarations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves the home page in zh-TW by default, with the CSP and a CSRF token', async () => {
    const res = await t.agent().get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<html lang="zh-Hant-TW"');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers.vary).toMatch(/HX-Request/);
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(csrfFrom(res.text)).toBeTruthy();
    expect(res.text).toContain('href="/counters"');
  });

  it('switches to English with a POST and remembers it', async () => {
    const agent = t.agent();
    const home = await agent.get('/').expect(200);
    const switched = await agent.post('/language').type('form').send({ _csrf: csrfFrom(home.text), lang: 'en', returnTo: '/counters' }).expect(303);
    expect(switched.headers.location).toBe('/counters');
    const again = await agent.get('/').expect(200);
    expect(again.text).toContain('<html lang="en"');
    // an open redirect is refused: only paths on this site
    const evil = await agent.post('/language').type('form').send({ _csrf: csrfFrom(again.text), lang: 'zh-TW', returnTo: '//evil.example/' }).expect(303);
    expect(evil.headers.location).toBe('/');
  });

  it('refuses a state-changing request without a valid CSRF token, HTMX ones included', async () => {
    const agent = t.agent();
    await agent.get('/').expect(200);
    const noToken = await agent.post('/language').type('form').send({ lang: 'en', returnTo: '/' }).expect(403);
    expect(noToken.text).toContain('<html lang="zh-Hant-TW"');
    await agent.post('/language').set('HX-Request', 'true').set('X-CSRF-Token', 'forged').type('form').send({ lang: 'en' }).expect(403);
    // another browser's token does not work with this browser's cookie
    const other = await t.agent().get('/').expect(200);
    await agent.post('/language').type('form').send({ _csrf: csrfFrom(other.text), lang: 'en' }).expect(403);
    // the header form is accepted
    const page = await agent.get('/').expect(200);
    await agent.post('/language').set('HX-Request', 'true').set('X-CSRF-Token', csrfFrom(page.text)).type('form').send({ lang: 'en', returnTo: '/' }).expect(303);
  });

  it('renders the page alone for HTMX and inside the layout otherwise', async () => {
    const full = await t.agent().get('/counters?county=63000').expect(200);
    expect(full.text).toContain('<!DOCTYPE html>');
    expect(full.text).toContain('臺北市政府衛生局');
    expect(full.text).not.toContain('新北市政府衛生局');
    const partial = await t.agent().get('/counters?county=63000').set('HX-Request', 'true').expect(200);
    expect(partial.text).not.toContain('<!DOCTYPE html>');
    expect(partial.text).toContain('id="counter-results"');
    expect(partial.headers.vary).toMatch(/HX-Request/);
  });

  it('answers unknown pages with the 404 page in the same look', async () => {
    const res = await t.agent().get('/no-such-page').expect(404);
    expect(res.text).toContain('govuk-template');
    expect(res.text).toContain('<main');
  });

  it('declares who may call every registered route', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const reflector = t.app.get(Reflector);
    const routes: string[] = [];
    const undeclared: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const proto = Object.getPrototypeOf(instance);
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const route = `${metatype.name}.${name}`;
        routes.push(route);
        if (!reflector.getAllAndOverride(ACCESS_KEY, [handler, metatype])) undeclared.push(route);
      }
    }
    expect(routes.length).toBeGreaterThan(5);
    expect(undeclared).toEqual([]);
  });
});
