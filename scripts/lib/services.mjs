// Debian packages and the local backing services (MariaDB and Redis under .data/).
// SERVICES=local: install, start (or reuse) and prepare them. SERVICES=external: touch nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logFile, pidFile, portInUse, runningPid, spawnDetached } from './proc.mjs';
import { DATA_DIR, LOG_DIR, ROOT, RUN_DIR, capture, fail, isRoot, rel, run, say, tail, waitFor } from './util.mjs';

// ---------------------------------------------------------------------------------------------
// Debian packages
// ---------------------------------------------------------------------------------------------

const SERVICE_PACKAGES = ['mariadb-server', 'mariadb-client', 'redis-server', 'redis-tools'];
const APP_PACKAGES = ['softhsm2', 'opensc', 'fonts-noto-cjk'];
// Tests also start their own throwaway Redis (the outbox outage test) and check issued keys with OpenSC.
const TEST_PACKAGES = ['chromium', 'poppler-utils', 'redis-server', 'redis-tools', 'openssl'];

/** Debian packages needed: the app's, the local servers' (when `services`), the tests' (when `test`). */
export const requiredPackages = ({ services, test }) => [
  ...(services ? SERVICE_PACKAGES : []),
  ...APP_PACKAGES,
  ...(test ? TEST_PACKAGES : []),
];

/** The packages of `names` that are not installed (per dpkg). */
export const missingPackages = (names) => {
  const r = capture('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...names]);
  if (r.status === null) fail('dpkg-query was not found: these scripts expect Debian 12 (or a derivative).');
  const installed = new Set(
    r.stdout
      .split('\n')
      .filter((l) => l.endsWith(' install ok installed'))
      .map((l) => l.split(' ')[0].split(':')[0]),
  );
  return names.filter((n) => !installed.has(n));
};

/**
 * Installs the missing ones of `names` with apt-get (one `apt-get update` first). Not root and
 * something missing: stops with the command to run. Services are not started by the install
 * (a temporary policy-rc.d, when the machine has none, keeps Debian's init scripts from starting
 * a system MariaDB/Redis on our ports).
 */
export const ensurePackages = async (names) => {
  const missing = missingPackages(names);
  if (missing.length === 0) return;
  const list = missing.join(' ');
  if (!isRoot()) {
    fail(
      `These Debian packages are missing: ${list}\n  Install them as root, then run this again:\n` +
        `  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${list}`,
    );
  }
  say(`Installing Debian packages: ${list}`);
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !fs.existsSync(policy);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\n# temporary, written by the project scripts\nexit 101\n', { mode: 0o755 });
    if ((await run('apt-get', ['update'], { env })) !== 0) fail('`apt-get update` failed (see above).');
    if ((await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env })) !== 0) {
      fail(`\`apt-get install ${list}\` failed (see above).`);
    }
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true });
  }
  const still = missingPackages(names);
  if (still.length) fail(`Still missing after apt-get install: ${still.join(' ')}`);
};

// ---------------------------------------------------------------------------------------------
// Settings derived from the environment
// ---------------------------------------------------------------------------------------------

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

/** 'local' or 'external' (anything else is a UserError). */
export const servicesMode = (env) => {
  const mode = (env.SERVICES || 'local').trim();
  if (mode !== 'local' && mode !== 'external') fail(`SERVICES must be local or external, got "${mode}" (see .env).`);
  return mode;
};

const IDENT = /^[A-Za-z0-9_]{1,64}$/;

/** Paths and settings of the local MariaDB, validated. */
export const mariadbSettings = (env) => {
  const dir = path.join(DATA_DIR, 'mariadb');
  const settings = {
    datadir: dir,
    socket: path.join(RUN_DIR, 'mysqld.sock'),
    pidFile: pidFile('mariadb'),
    log: path.join(LOG_DIR, 'mariadb.err'),
    port: Number(env.DB_PORT || 3306),
    host: env.DB_HOST || '127.0.0.1',
    name: env.DB_NAME || 'nhi_services',
    user: env.DB_USER || 'nhi_app',
    password: env.DB_PASSWORD ?? '',
    // socket authentication maps the OS user to the database account of the same name
    admin: isRoot() ? 'root' : os.userInfo().username,
  };
  if (!LOCAL_HOSTS.has(settings.host)) {
    fail(`SERVICES=local runs MariaDB on this machine, but DB_HOST is "${settings.host}". Set DB_HOST=127.0.0.1, or SERVICES=external.`);
  }
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65535) fail(`DB_PORT must be a TCP port, got "${env.DB_PORT}".`);
  if (!IDENT.test(settings.name)) fail(`DB_NAME may contain only letters, digits and _ (got "${settings.name}").`);
  if (!IDENT.test(settings.user) || settings.user.length > 32) fail(`DB_USER may contain only letters, digits and _ (at most 32), got "${settings.user}".`);
  if (!settings.password || settings.password === 'change-me') fail('DB_PASSWORD is empty or still "change-me" in .env: set a real password.');
  if (settings.socket.length > 100) fail(`The MariaDB socket path is too long for Unix sockets: ${settings.socket}. Move the project to a shorter path.`);
  return settings;
};

/** Port, password and settings of the local Redis, from REDIS_URL. */
export const redisSettings = (env) => {
  let url;
  try {
    url = new URL(env.REDIS_URL || 'redis://127.0.0.1:6379/0');
  } catch {
    fail(`REDIS_URL is not a URL: "${env.REDIS_URL}".`);
  }
  if (url.protocol !== 'redis:') fail(`SERVICES=local runs a plain redis:// server, but REDIS_URL is "${env.REDIS_URL}".`);
  if (!LOCAL_HOSTS.has(url.hostname)) {
    fail(`SERVICES=local runs Redis on this machine, but REDIS_URL points at "${url.hostname}". Use 127.0.0.1, or SERVICES=external.`);
  }
  return {
    port: Number(url.port || 6379),
    password: decodeURIComponent(url.password || ''),
    dir: path.join(DATA_DIR, 'redis'),
    pidFile: pidFile('redis'),
    log: logFile('redis'),
  };
};

// ---------------------------------------------------------------------------------------------
// MariaDB
// ---------------------------------------------------------------------------------------------

const mariadbPing = (db) =>
  capture('mariadb-admin', ['--no-defaults', `--socket=${db.socket}`, `-u${db.admin}`, '--connect-timeout=2', 'ping'], { timeoutMs: 10000 })
    .status === 0;

const sqlString = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** SQL that creates (or brings in line) the database, the app account and its grants. Idempotent. */
export const provisioningSql = (db) => {
  const accounts = ['127.0.0.1', 'localhost'].map((h) => `${sqlString(db.user)}@${sqlString(h)}`);
  const testPattern = `${db.name}_test_%`.replace(/_/g, '\\_'); // `_` is a wildcard in grants
  return [
    `CREATE DATABASE IF NOT EXISTS \`${db.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
    ...accounts.flatMap((a) => [
      `CREATE USER IF NOT EXISTS ${a} IDENTIFIED BY ${sqlString(db.password)};`,
      `ALTER USER ${a} IDENTIFIED BY ${sqlString(db.password)};`,
      `GRANT ALL PRIVILEGES ON \`${db.name}\`.* TO ${a};`,
      `GRANT ALL PRIVILEGES ON \`${testPattern}\`.* TO ${a};`,
    ]),
    'FLUSH PRIVILEGES;',
    '',
  ].join('\n');
};

const initMariadb = (db) => {
  if (fs.existsSync(path.join(db.datadir, 'mysql'))) return;
  say('Initialising the MariaDB data directory (.data/mariadb)…');
  fs.rmSync(db.datadir, { recursive: true, force: true }); // a half-done earlier attempt holds nothing
  fs.mkdirSync(db.datadir, { recursive: true });
  const installLog = path.join(LOG_DIR, 'mariadb-install.log');
  const r = capture(
    'mariadb-install-db',
    [
      '--no-defaults',
      ...(isRoot() ? ['--user=root'] : [`--auth-root-socket-user=${db.admin}`]),
      `--datadir=${db.datadir}`,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ],
    { timeoutMs: 180000 },
  );
  fs.writeFileSync(installLog, r.stdout + r.stderr);
  if (r.status !== 0) {
    fs.rmSync(db.datadir, { recursive: true, force: true });
    fail(`mariadb-install-db failed (${r.status === null ? 'could not run' : `exit ${r.status}`}); see ${rel(installLog)}:\n${tail(installLog, 15)}`);
  }
};

/** Starts the local MariaDB unless ours already answers; fails clearly when the port is someone else's. */
const startMariadb = async (db) => {
  if (mariadbPing(db)) {
    const port = Number(mariadbAdminSql(db, 'SELECT @@port;').trim().split('\n').at(-1));
    if (port !== db.port) fail(samePortHint('MariaDB', port, 'DB_PORT', db.port));
    say(`MariaDB is already running (port ${db.port}).`);
    return;
  }
  let child = null;
  if (!runningPid('mariadb', `--datadir=${db.datadir}`)) {
    if (await portInUse(db.port)) {
      fail(
        `Port ${db.port} is already used by another program (not the MariaDB under .data/).\n` +
          `  Stop it, or set another DB_PORT in .env, or use SERVICES=external to use that server.`,
      );
    }
    initMariadb(db);
    say(`Starting MariaDB on 127.0.0.1:${db.port}…`);
    child = spawnDetached(
      findSbin('mariadbd'),
      [
        '--no-defaults',
        ...(isRoot() ? ['--user=root'] : []),
        `--datadir=${db.datadir}`,
        `--socket=${db.socket}`,
        `--pid-file=${db.pidFile}`,
        '--bind-address=127.0.0.1',
        `--port=${db.port}`,
        '--skip-name-resolve',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        // The default 128 MB pool holds little of the benches' million cases; production sizes its own.
        '--innodb-buffer-pool-size=512M',
        `--log-error=${db.log}`,
      ],
      { log: db.log },
    );
  } else {
    say('MariaDB is starting (started earlier); waiting for it…');
  }
  const up = await waitFor(() => (child?.exited ? 'exited' : mariadbPing(db)), { timeoutMs: 60000, everyMs: 500 });
  if (up !== true) {
    fail(`MariaDB did not ${up === 'exited' ? 'stay up' : 'answer within 60 s'}. Its log, ${rel(db.log)}, ends with:\n${tail(db.log, 20)}`);
  }
};

/** Runs SQL as the MariaDB administrator over the local socket. */
export const mariadbAdminSql = (db, sql) => {
  const r = capture('mariadb', ['--no-defaults', `--socket=${db.socket}`, `-u${db.admin}`, '--batch'], { input: sql });
  if (r.status !== 0) fail(`MariaDB refused SQL run as ${db.admin}:\n${r.stderr.trim()}`);
  return r.stdout;
};

const samePortHint = (what, running, setting, wanted) =>
  `The ${what} under .data/ is running on port ${running}, but ${setting} is now ${wanted}.\n` +
  `  Put ${setting} back to ${running}, run \`npm stop\`, then change it.`;

/** mariadbd lives in /usr/sbin, which a non-root PATH may lack. */
const findSbin = (name) => {
  for (const dir of [...(process.env.PATH || '').split(':'), '/usr/sbin', '/sbin']) {
    if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return name;
};

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

const redisCli = (r, args) =>
  capture('redis-cli', ['-h', '127.0.0.1', '-p', String(r.port), ...args], {
    env: { ...process.env, ...(r.password ? { REDISCLI_AUTH: r.password } : {}) },
    timeoutMs: 10000,
  });

/** 'ours', 'foreign' (a Redis with another data dir) or 'down'. */
const redisState = (r) => {
  if (redisCli(r, ['ping']).stdout.trim() !== 'PONG') return 'down';
  const dir = redisCli(r, ['config', 'get', 'dir']).stdout.trim().split('\n')[1];
  return dir === r.dir ? 'ours' : 'foreign';
};

const startRedis = async (r) => {
  const state = redisState(r);
  if (state === 'ours') {
    say(`Redis is already running (port ${r.port}).`);
    return;
  }
  const ownPid = runningPid('redis', 'redis-server');
  const ownPort = ownPid && Number(/:(\d+)/.exec(fs.readFileSync(`/proc/${ownPid}/cmdline`, 'utf8'))?.[1]);
  if (ownPid && ownPort !== r.port) fail(samePortHint('Redis', ownPort, 'the REDIS_URL port', r.port));
  if (state === 'foreign' || (!ownPid && (await portInUse(r.port)))) {
    fail(
      `Port ${r.port} is already used by another program (not the Redis under .data/).\n` +
        `  Stop it, or set another port in REDIS_URL in .env, or use SERVICES=external to use that server.`,
    );
  }
  let child = null;
  if (!ownPid) {
    say(`Starting Redis on 127.0.0.1:${r.port}…`);
    fs.mkdirSync(r.dir, { recursive: true });
    child = spawnDetached(
      'redis-server',
      [
        '--bind', '127.0.0.1',
        '--port', String(r.port),
        '--dir', r.dir,
        '--daemonize', 'no',
        '--appendonly', 'yes',
        '--pidfile', r.pidFile,
        '--logfile', r.log,
        ...(r.password ? ['--requirepass', r.password] : []),
      ],
      { log: r.log },
    );
  }
  const up = await waitFor(() => (child?.exited ? 'exited' : redisState(r) === 'ours'), { timeoutMs: 60000, everyMs: 300 });
  if (up !== true) {
    fail(`Redis did not ${up === 'exited' ? 'stay up' : 'answer within 60 s'}. Its log, ${rel(r.log)}, ends with:\n${tail(r.log, 20)}`);
  }
};

// ---------------------------------------------------------------------------------------------
// Both
// ---------------------------------------------------------------------------------------------

/**
 * SERVICES=local: starts (or reuses) MariaDB and Redis under .data/ and makes sure the database,
 * the app account (DB_USER@127.0.0.1 and @localhost, password DB_PASSWORD) and its grants on
 * DB_NAME and DB_NAME_test_* exist. SERVICES=external: does nothing.
 */
export const ensureServices = async (env) => {
  if (servicesMode(env) !== 'local') return;
  const db = mariadbSettings(env);
  const redis = redisSettings(env);
  for (const dir of [DATA_DIR, RUN_DIR, LOG_DIR]) fs.mkdirSync(dir, { recursive: true });
  await startMariadb(db);
  mariadbAdminSql(db, provisioningSql(db));
  await startRedis(redis);
};

/**
 * SoftHSM2 (the development HSM and the development cards): its configuration file and token
 * folder, when SOFTHSM2_CONF points inside this project. Returns the absolute path of the file.
 */
export const ensureSoftHsmConf = (env) => {
  const conf = path.resolve(ROOT, env.SOFTHSM2_CONF || '.data/softhsm/softhsm2.conf');
  if (!conf.startsWith(`${ROOT}${path.sep}`) || fs.existsSync(conf)) return conf;
  const tokens = path.join(path.dirname(conf), 'tokens');
  fs.mkdirSync(tokens, { recursive: true });
  fs.writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  return conf;
};

/**
 * SERVICES=local: shuts down our Redis and MariaDB (the commands return once the servers are
 * down). Says "not running" for each one that is not. SERVICES=external: does nothing.
 */
export const stopServices = async (env) => {
  if (servicesMode(env) !== 'local') return;
  const r = redisSettings(env);
  const redis = redisState(r);
  if (redis === 'ours') {
    const res = redisCli(r, ['shutdown']);
    say(res.status === 0 || redisState(r) === 'down' ? 'Redis stopped.' : `Redis did not stop: ${res.stdout}${res.stderr}`.trim());
  } else {
    say(redis === 'foreign' ? `Redis: the server on port ${r.port} is not ours; left alone.` : 'Redis is not running.');
  }
  const db = mariadbSettings(env);
  if (!mariadbPing(db)) {
    say('MariaDB is not running.');
    return;
  }
  const res = capture('mariadb-admin', ['--no-defaults', `--socket=${db.socket}`, `-u${db.admin}`, 'shutdown'], { timeoutMs: 120000 });
  say(res.status === 0 ? 'MariaDB stopped.' : `MariaDB did not stop: ${res.stderr.trim()}`);
};
