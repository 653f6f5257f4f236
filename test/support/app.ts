import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import supertest from 'supertest';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app';
import { loadConfig, type AppConfig } from '../../src/config/app-config';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  dataSource: DataSource;
  /** A cookie-keeping client, like one browser. */
  agent(): supertest.Agent;
  close(): Promise<void>;
}

/** The whole web application on this worker's schema and Redis database; overrides change its environment. */
export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...process.env, ...overrides });
  const app = await createApp(config);
  const server = app.getHttpServer();
  return {
    app,
    config,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    agent: () => supertest.agent(server),
    close: () => app.close(),
  };
}

/** The CSRF token a page carries (meta tag and hidden fields). */
export function csrfFrom(html: string): string {
  const m = /<meta name="csrf-token" content="([^"]+)"/.exec(html) ?? /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('No CSRF token in page');
  return m[1];
}

/** A cookie's value in an agent's jar (plain-HTTP cookies on 127.0.0.1). */
export function cookieOf(agent: supertest.Agent, name: string): string {
  const jar = (agent as unknown as { jar: { getCookie(name: string, access: unknown): { value: string } | undefined } }).jar;
  const cookie = jar.getCookie(name, { domain: '127.0.0.1', path: '/', secure: false, script: false });
  if (!cookie) throw new Error(`no ${name} cookie`);
  return cookie.value;
}

/** The session id inside the agent's signed session cookie `nhi.sid=s:<id>.<signature>`. */
export function sessionIdOf(agent: supertest.Agent): string {
  return /^s:([^.]+)\./.exec(decodeURIComponent(cookieOf(agent, 'nhi.sid')))![1];
}
