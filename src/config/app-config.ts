import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';

/**
 * The whole configuration, read from the environment once at boot and validated. A missing or
 * wrong value stops the process with a message naming the variable and what it expects.
 * Every variable is documented in .env.example.
 */
export interface AppConfig {
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  publicOrigin: string;
  /**
   * Processes of one kind this machine runs (node:cluster; the web processes share the port).
   * More machines behind a load balancer scale the same way: nothing one process needs is kept
   * in another's memory (sessions, challenges, rate limits and queues in Redis; the trust store
   * re-read when the database says it changed).
   */
  processes: { web: number; worker: number };
  db: { host: string; port: number; name: string; user: string; password: string };
  redisUrl: string;
  /** CA bundle for a rediss:// server's certificate (a managed Redis with a private CA). */
  redisTlsCaFile: string;
  sessionSecret: string;
  sessionIdleMinutes: number;
  /** How long a sign-in lasts at most, however active the session: staff, and everyone else. */
  sessionMaxHours: { staff: number; others: number };
  dataKey: Buffer;
  trustProxy: string[];
  intranetCidrs: string[];
  cookieSecure: 'auto' | 'true' | 'false';
  smtpUrl: string;
  mailFrom: string;
  devSmtpListener: boolean;
  devSmtpPort: number;
  breakGlassLogin: boolean;
  /** Failed break-glass sign-ins that lock an account; a client is paused after loginMaxFailuresPerClient (fewer). */
  loginMaxFailures: number;
  loginMaxFailuresPerClient: number;
  loginLockoutMinutes: number;
  outboxPollMs: number;
  challengeTtlSeconds: number;
  /** Challenges one browser session / one client address may ask for per minute. */
  challengeRateLimit: { perSession: number; perClient: number };
  helperUrl: string;
  loginRateLimit: { perClient: number; perCertificate: number; windowMinutes: number };
  pkcs11Module: string;
  hsmTokenLabel: string;
  hsmPin: string;
  hsmSoPin: string;
  crlValidityHours: number;
  crlRefreshMinutes: number;
  ocsp: {
    /** Minutes an OCSP answer may be cached (nextUpdate - thisUpdate). */
    validityMinutes: number;
    /** Days a delegated OCSP responder certificate is valid; a new one is issued in its last third. */
    responderDays: number;
  };
  familyMappingFile: string | null;
  reporting: {
    /** A PDF report with more table lines than this is made by a job (with a progress page), not in the request. */
    pdfJobLines: number;
  };
  cardServices: {
    /** Wrong user codes in a row before the user-code check of that card locks. */
    userCodeMaxFailures: number;
    /** How long the user-code check of a card stays locked. */
    userCodeLockMinutes: number;
    /** How many days before expiry the online renewal opens. */
    renewalWindowDays: number;
    /** How many days before expiry the holder of an active card gets the expiry reminder. */
    expiryReminderDays: number;
    /** User-code reminder e-mails per card in 24 hours. */
    userCodeRemindersPerDay: number;
  };
  nhiCard: {
    /** Wrong registered passwords (with the card present) that pause the card's password sign-in. */
    passwordMaxFailures: number;
    /** How long such a pause lasts. */
    passwordPauseMinutes: number;
    /** Pauses within passwordPauseWindowHours that lock the password until a forgotten-password reset. */
    passwordMaxPauses: number;
    passwordPauseWindowHours: number;
    /** How long a verification or reset link in an e-mail is valid. */
    linkValidityHours: number;
  };
  /** SMS: the HTTP gateway (production); empty in development and tests, where the loopback sink keeps them for /admin/sms. */
  sms: { gatewayUrl: string; gatewayToken: string };
  /** The support-duty quota policy (DOMAIN.md "Support-duty quota rules"; .env.example). */
  supportDuty: {
    /** Days after the submission day a case may start at the earliest (an emergency: the same day). */
    leadDays: number;
    /** Half-day sessions of support one person may hold in a week (Monday to Sunday). */
    maxWeeklySessions: number;
    /** The share of an institution's weekly sessions others may support, in percent. */
    institutionSharePercent: number;
    /** Weekly sessions assumed for an institution the registry gives none. */
    defaultInstitutionWeeklySessions: number;
    /** The longest period, first to last day. */
    maxPeriodDays: number;
    /** The clock times of each half-day session ("08:00–12:00"), shown on the form, the case page and the PDF. */
    sessionTimes: { morning: string; afternoon: string; night: string };
    /** Where case attachments are kept (outside the web root), by checksum. */
    attachmentsDir: string;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  metricsEnabled: boolean;
  /** The bearer token /metrics asks for (METRICS_TOKEN); without one /metrics is off. */
  metricsToken: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}\nSee .env.example for every variable and its format.`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Collects every problem before failing, so one run shows all of them. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private raw(name: string, fallback?: string): string | undefined {
    const v = this.env[name];
    if (v === undefined || v.trim() === '') {
      if (fallback === undefined) this.problems.push(`${name} is missing: expected a value`);
      return fallback;
    }
    return v.trim();
  }

  string(name: string, fallback?: string): string {
    return this.raw(name, fallback) ?? '';
  }

  /** A required secret; `optional`: may be absent (empty), but if given, a real one. */
  secret(name: string, minLength: number, optional = false): string {
    const v = this.raw(name, optional ? '' : undefined) || undefined;
    if (v !== undefined && (v.length < minLength || v === 'change-me')) {
      this.problems.push(`${name} must be a random secret of at least ${minLength} characters (npm start generates one in .env)`);
    }
    return v ?? '';
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name, String(fallback));
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${v}"`);
      return fallback;
    }
    return n;
  }

  /** A time range of one day, "HH:MM-HH:MM" (start before end), as shown: "HH:MM–HH:MM". */
  timeRange(name: string, fallback: string): string {
    const v = this.raw(name, fallback)!;
    const m = /^([01]\d|2[0-3]):([0-5]\d)\s*[-–]\s*([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
    if (!m || `${m[1]}${m[2]}` >= `${m[3]}${m[4]}`) {
      this.problems.push(`${name} must be a time range HH:MM-HH:MM of one day (start before end), got "${v}"`);
      return fallback.replace('-', '–');
    }
    return `${m[1]}:${m[2]}–${m[3]}:${m[4]}`;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name, String(fallback))!.toLowerCase();
    if (v !== 'true' && v !== 'false') {
      this.problems.push(`${name} must be true or false, got "${v}"`);
      return fallback;
    }
    return v === 'true';
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name, fallback) as T;
    if (!allowed.includes(v)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
      return fallback;
    }
    return v;
  }

  url(name: string, protocols: string[], fallback?: string): string {
    const v = this.raw(name, fallback);
    if (v === undefined) return '';
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error();
    } catch {
      this.problems.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${v}"`);
    }
    return v;
  }

  origin(name: string): string {
    const v = this.url(name, ['http:', 'https:']);
    if (v && new URL(v).origin !== v) {
      this.problems.push(`${name} must be an origin only (scheme://host[:port], no path or trailing slash), got "${v}"`);
    }
    return v;
  }

  cidrList(name: string, fallback: string): string[] {
    const v = this.raw(name, fallback) ?? '';
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    for (const item of items) {
      if (!parseCidr(item)) this.problems.push(`${name} must be a comma-separated list of IP addresses or CIDR ranges, "${item}" is not one`);
    }
    return items;
  }

  base64Key(name: string, bytes: number): Buffer {
    const v = this.raw(name);
    const key = v ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    if (v !== undefined && key.length !== bytes) {
      this.problems.push(`${name} must be base64 of exactly ${bytes} random bytes (npm start generates one in .env)`);
    }
    return key;
  }
}

export function parseCidr(item: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address, prefixText] = item.split('/');
  const version = isIP(address);
  if (!version) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** A BlockList (Node's own matcher) of the given addresses/ranges; IPv4-mapped IPv6 is handled by the caller. */
export function toBlockList(items: string[]): BlockList {
  const list = new BlockList();
  for (const item of items) {
    const c = parseCidr(item)!;
    list.addSubnet(c.address, c.prefix, c.family);
  }
  return list;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const loginMaxFailures = r.int('LOGIN_MAX_FAILURES', 10, 2, 100);
  const config: AppConfig = {
    nodeEnv: r.oneOf('NODE_ENV', ['development', 'test', 'production'] as const, 'development'),
    host: r.string('APP_HOST', '127.0.0.1'),
    port: r.int('APP_PORT', 3000, 0, 65535),
    publicOrigin: r.origin('PUBLIC_ORIGIN'),
    processes: { web: r.int('WEB_PROCESSES', 1, 1, 64), worker: r.int('WORKER_PROCESSES', 1, 1, 64) },
    db: {
      host: r.string('DB_HOST'),
      port: r.int('DB_PORT', 3306, 1, 65535),
      name: r.string('DB_NAME'),
      user: r.string('DB_USER'),
      password: r.string('DB_PASSWORD'),
    },
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    redisTlsCaFile: r.string('REDIS_TLS_CA_FILE', ''),
    sessionSecret: r.secret('SESSION_SECRET', 32),
    sessionIdleMinutes: r.int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: { staff: r.int('SESSION_MAX_HOURS_STAFF', 8, 1, 24), others: r.int('SESSION_MAX_HOURS', 12, 1, 72) },
    dataKey: r.base64Key('DATA_KEY', 32),
    trustProxy: r.cidrList('TRUST_PROXY', ''),
    intranetCidrs: r.cidrList('INTRANET_CIDRS', '127.0.0.0/8,::1/128'),
    cookieSecure: r.oneOf('COOKIE_SECURE', ['auto', 'true', 'false'] as const, 'auto'),
    smtpUrl: r.url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: r.string('MAIL_FROM', 'no-reply@nhi-services.test'),
    devSmtpListener: r.bool('DEV_SMTP_LISTENER', false),
    devSmtpPort: r.int('DEV_SMTP_PORT', 2525, 0, 65535),
    breakGlassLogin: r.bool('BREAK_GLASS_LOGIN', true),
    loginMaxFailures,
    // Default: 5, and always fewer than LOGIN_MAX_FAILURES (an older .env may set that to 5).
    loginMaxFailuresPerClient: r.int('LOGIN_MAX_FAILURES_PER_CLIENT', Math.max(1, Math.min(5, loginMaxFailures - 1)), 1, 99),
    loginLockoutMinutes: r.int('LOGIN_LOCKOUT_MINUTES', 15, 1, 24 * 60),
    outboxPollMs: r.int('OUTBOX_POLL_MS', 500, 50, 60000),
    challengeTtlSeconds: r.int('CHALLENGE_TTL_SECONDS', 300, 1, 3600),
    challengeRateLimit: {
      perSession: r.int('CHALLENGE_RATE_PER_SESSION', 10, 1, 10000),
      perClient: r.int('CHALLENGE_RATE_PER_CLIENT', 120, 1, 100000),
    },
    helperUrl: r.url('HELPER_URL', ['http:'], 'http://127.0.0.1:47321'),
    loginRateLimit: {
      perClient: r.int('LOGIN_RATE_PER_CLIENT', 30, 1, 10000),
      perCertificate: r.int('LOGIN_RATE_PER_CERTIFICATE', 10, 1, 10000),
      windowMinutes: r.int('LOGIN_RATE_WINDOW_MINUTES', 15, 1, 24 * 60),
    },
    pkcs11Module: r.string('PKCS11_MODULE', '/usr/lib/softhsm/libsofthsm2.so'),
    hsmTokenLabel: r.string('HSM_TOKEN_LABEL', 'nhi-ca-dev'),
    hsmPin: r.secret('HSM_PIN', 8),
    hsmSoPin: r.secret('HSM_SO_PIN', 8),
    crlValidityHours: r.int('CRL_VALIDITY_HOURS', 24, 1, 24 * 31),
    crlRefreshMinutes: r.int('CRL_REFRESH_MINUTES', 60, 1, 24 * 60),
    ocsp: {
      validityMinutes: r.int('OCSP_VALIDITY_MINUTES', 60, 1, 7 * 24 * 60),
      responderDays: r.int('OCSP_RESPONDER_DAYS', 30, 2, 365),
    },
    familyMappingFile: r.string('FAMILY_MAPPING_FILE', '') || null,
    reporting: {
      pdfJobLines: r.int('REPORT_PDF_JOB_LINES', 400, 1, 1_000_000),
    },
    cardServices: {
      userCodeMaxFailures: r.int('CARD_USER_CODE_MAX_FAILURES', 5, 1, 20),
      userCodeLockMinutes: r.int('CARD_USER_CODE_LOCK_MINUTES', 30, 1, 24 * 60),
      renewalWindowDays: r.int('CARD_RENEWAL_WINDOW_DAYS', 90, 1, 365),
      expiryReminderDays: r.int('CARD_EXPIRY_REMINDER_DAYS', 60, 1, 365),
      userCodeRemindersPerDay: r.int('CARD_USER_CODE_REMINDERS_PER_DAY', 3, 1, 50),
    },
    nhiCard: {
      passwordMaxFailures: r.int('NHI_PASSWORD_MAX_FAILURES', 3, 1, 20),
      passwordPauseMinutes: r.int('NHI_PASSWORD_PAUSE_MINUTES', 10, 1, 24 * 60),
      passwordMaxPauses: r.int('NHI_PASSWORD_MAX_PAUSES', 3, 1, 20),
      passwordPauseWindowHours: r.int('NHI_PASSWORD_PAUSE_WINDOW_HOURS', 24, 1, 24 * 7),
      linkValidityHours: r.int('NHI_LINK_VALIDITY_HOURS', 24, 1, 24 * 7),
    },
    sms: { gatewayUrl: r.string('SMS_GATEWAY_URL', ''), gatewayToken: r.string('SMS_GATEWAY_TOKEN', '') },
    supportDuty: {
      leadDays: r.int('SUPPORT_DUTY_LEAD_DAYS', 1, 0, 30),
      maxWeeklySessions: r.int('SUPPORT_DUTY_MAX_WEEKLY_SESSIONS', 8, 1, 21),
      institutionSharePercent: r.int('SUPPORT_DUTY_INSTITUTION_SHARE_PERCENT', 40, 1, 100),
      defaultInstitutionWeeklySessions: r.int('SUPPORT_DUTY_DEFAULT_WEEKLY_SESSIONS', 100, 1, 10000),
      maxPeriodDays: r.int('SUPPORT_DUTY_MAX_PERIOD_DAYS', 366, 1, 3660),
      sessionTimes: {
        morning: r.timeRange('SUPPORT_DUTY_SESSION_MORNING', '08:00-12:00'),
        afternoon: r.timeRange('SUPPORT_DUTY_SESSION_AFTERNOON', '13:00-17:00'),
        night: r.timeRange('SUPPORT_DUTY_SESSION_NIGHT', '18:00-21:00'),
      },
      attachmentsDir: r.string('SUPPORT_DUTY_ATTACHMENTS_DIR', '') || join(PROJECT_ROOT, '.data', 'attachments'),
    },
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    metricsEnabled: r.bool('METRICS_ENABLED', true),
    metricsToken: r.secret('METRICS_TOKEN', 24, true),
  };
  if (config.db.name && !/^[A-Za-z0-9_]{1,48}$/.test(config.db.name)) {
    r.problems.push(`DB_NAME must be letters, digits and underscores (at most 48), got "${config.db.name}"`);
  }
  if (config.nodeEnv === 'production' && config.devSmtpListener) {
    r.problems.push('DEV_SMTP_LISTENER must be false in production (it keeps every e-mail it receives)');
  }
  if (config.nodeEnv === 'production' && config.publicOrigin.startsWith('https:') && config.trustProxy.length === 0) {
    r.problems.push('TRUST_PROXY must name the TLS proxy in production when PUBLIC_ORIGIN is https: without it every user shares the proxy\'s address for rate limits, and cookies are not marked Secure');
  }
  if (config.sms.gatewayUrl && !/^https?:\/\/[^\s]+$/.test(config.sms.gatewayUrl)) {
    r.problems.push(`SMS_GATEWAY_URL must be an http:// or https:// URL, got "${config.sms.gatewayUrl}"`);
  }
  if (config.nodeEnv === 'production' && !config.sms.gatewayUrl) {
    r.problems.push('SMS_GATEWAY_URL is required in production: without it text messages would only reach the development SMS sink');
  }
  if (config.loginMaxFailuresPerClient >= config.loginMaxFailures) {
    r.problems.push('LOGIN_MAX_FAILURES_PER_CLIENT must be below LOGIN_MAX_FAILURES: one computer is paused before it can lock an account');
  }
  if (r.problems.length) throw new ConfigError(r.problems);
  return config;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
