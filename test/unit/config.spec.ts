import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/app-config';

const VALID = {
  NODE_ENV: 'test',
  PUBLIC_ORIGIN: 'http://127.0.0.1:3000',
  DB_HOST: '127.0.0.1',
  DB_NAME: 'nhi_services',
  DB_USER: 'nhi_app',
  DB_PASSWORD: 'pw',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  SESSION_SECRET: 'x'.repeat(40),
  DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
  SMTP_URL: 'smtp://127.0.0.1:2525',
  HSM_PIN: 'hsm-user-pin-1234',
  HSM_SO_PIN: 'hsm-so-pin-12345',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('configuration validated at boot', () => {
  it('reads the support-duty session times (policy), with defaults, and refuses one that is not a range of one day', () => {
    expect(loadConfig(VALID).supportDuty.sessionTimes).toEqual({ morning: '08:00–12:00', afternoon: '13:00–17:00', night: '18:00–21:00' });
    expect(loadConfig({ ...VALID, SUPPORT_DUTY_SESSION_MORNING: '07:30-11:30' }).supportDuty.sessionTimes.morning).toBe('07:30–11:30');
    expect(problems({ ...VALID, SUPPORT_DUTY_SESSION_NIGHT: '21:00-18:00' })).toEqual(['SUPPORT_DUTY_SESSION_NIGHT must be a time range HH:MM-HH:MM of one day (start before end), got "21:00-18:00"']);
    expect(problems({ ...VALID, SUPPORT_DUTY_SESSION_AFTERNOON: '1pm-5pm' })).toHaveLength(1);
  });

  it('accepts a complete environment and applies defaults', () => {
    const config = loadConfig(VALID);
    expect(config.port).toBe(3000);
    expect(config.dataKey).toHaveLength(32);
    expect(config.intranetCidrs).toEqual(['127.0.0.0/8', '::1/128']);
    expect(config.breakGlassLogin).toBe(true);
  });

  it.each([
    ['DB_HOST', undefined, /DB_HOST is missing/],
    ['APP_PORT', '70000', /APP_PORT must be a whole number from 0 to 65535, got "70000"/],
    ['PUBLIC_ORIGIN', 'http://127.0.0.1:3000/', /PUBLIC_ORIGIN must be an origin only/],
    ['REDIS_URL', 'http://x', /REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//],
    ['SESSION_SECRET', 'change-me', /SESSION_SECRET must be a random secret/],
    ['DATA_KEY', 'c2hvcnQ=', /DATA_KEY must be base64 of exactly 32 random bytes/],
    ['INTRANET_CIDRS', '10.0.0.0/8,not-an-ip', /INTRANET_CIDRS .* "not-an-ip" is not one/],
    ['TRUST_PROXY', '10.0.0.0/33', /TRUST_PROXY .* "10.0.0.0\/33" is not one/],
    ['BREAK_GLASS_LOGIN', 'yes', /BREAK_GLASS_LOGIN must be true or false, got "yes"/],
    ['NODE_ENV', 'staging', /NODE_ENV must be one of development, test, production/],
    ['DB_NAME', 'bad-name;', /DB_NAME must be letters, digits and underscores/],
  ])('names %s and what it expects when it is wrong', (name, value, message) => {
    const found = problems({ ...VALID, [name]: value });
    expect(found.join('\n')).toMatch(message);
  });

  it('reports every problem at once', () => {
    expect(problems({ ...VALID, DB_HOST: undefined, DB_USER: undefined, APP_PORT: 'abc' })).toHaveLength(3);
  });

  it('forbids the development mailbox in production', () => {
    expect(problems({ ...VALID, NODE_ENV: 'production', DEV_SMTP_LISTENER: 'true' }).join()).toMatch(/DEV_SMTP_LISTENER must be false in production/);
  });

  it('refuses a production start behind https without TRUST_PROXY (every user would share the proxy\'s address), not with it', () => {
    const https = { ...VALID, NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://certs.example.internal' };
    expect(problems(https).join()).toMatch(/TRUST_PROXY must name the TLS proxy in production when PUBLIC_ORIGIN is https/);
    expect(problems({ ...https, TRUST_PROXY: '10.1.2.3/32', SMS_GATEWAY_URL: 'https://sms.example.internal/send' })).toEqual([]);
    expect(problems({ ...VALID, PUBLIC_ORIGIN: 'https://certs.example.internal' })).toEqual([]); // development: no proxy needed
  });

  it('requires the SMS gateway in production (text messages must not stop at the development sink), and checks its URL', () => {
    expect(problems({ ...VALID, NODE_ENV: 'production' }).join()).toMatch(/SMS_GATEWAY_URL is required in production/);
    expect(problems({ ...VALID, SMS_GATEWAY_URL: 'ftp://sms.example' }).join()).toMatch(/SMS_GATEWAY_URL must be an http/);
    expect(loadConfig({ ...VALID, SMS_GATEWAY_URL: 'https://sms.example/send', SMS_GATEWAY_TOKEN: 'abc' }).sms).toEqual({ gatewayUrl: 'https://sms.example/send', gatewayToken: 'abc' });
    expect(loadConfig(VALID).sms.gatewayUrl).toBe('');
  });

  it('takes METRICS_TOKEN only as a real secret', () => {
    expect(loadConfig(VALID).metricsToken).toBe('');
    expect(problems({ ...VALID, METRICS_TOKEN: 'change-me' }).join()).toMatch(/METRICS_TOKEN must be a random secret/);
  });

  it('stops the process with the message when started with a wrong value', () => {
    const script = `require('reflect-metadata');require('${join(__dirname, '..', '..', 'src', 'config', 'load-env.ts').replace(/\\/g, '/')}').configFromEnvironment();`;
    const result = spawnSync(process.execPath, ['-r', join(__dirname, '..', 'support', 'ts-register.js'), '-e', script], { env: { ...process.env, ...VALID, APP_PORT: 'eighty' }, encoding: 'utf8' });
    if (result.error) throw result.error;
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('APP_PORT must be a whole number');
  });
});
