// The .env file: created from .env.example with fresh secrets on first run, completed with any
// variable added to .env.example since, parsed, and merged with the process environment
// (which wins).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, fail, say } from './util.mjs';

export const ENV_FILE = path.join(ROOT, '.env');
export const ENV_EXAMPLE = path.join(ROOT, '.env.example');

const PLACEHOLDER = 'change-me';

/** Generators for the values that must never keep the example's placeholder. */
const SECRETS = {
  SESSION_SECRET: () => randomBytes(32).toString('base64url'),
  DATA_KEY: () => randomBytes(32).toString('base64'),
  DB_PASSWORD: () => randomBytes(32).toString('base64url'),
  HSM_PIN: () => randomBytes(18).toString('base64url'),
  HSM_SO_PIN: () => randomBytes(18).toString('base64url'),
  METRICS_TOKEN: () => randomBytes(32).toString('base64url'),
  // passwords inside URLs: letters and digits only, nothing to escape
  REDIS_URL: () => randomBytes(24).toString('hex'),
  SMTP_URL: () => randomBytes(24).toString('hex'),
};

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

const unquote = (raw) => {
  const q = raw[0];
  if ((q === '"' || q === "'") && raw.length >= 2 && raw.endsWith(q)) {
    const inner = raw.slice(1, -1);
    return q === "'" ? inner : inner.replace(/\\([nrt"\\])/g, (_, c) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
  }
  return raw.replace(/\s+#.*$/, ''); // unquoted: ` # comment` ends the value
};

/** Parses KEY=VALUE lines (`#` comments, blank lines, optional `export `, optional quotes). */
export const parseEnv = (text) => {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(line)) continue;
    const m = LINE.exec(line);
    if (m) out[m[1]] = unquote(m[2]);
  }
  return out;
};

/** Replaces the `change-me` placeholder in lines of known secrets (a whole value, or a URL's password) with fresh random values. */
const fillSecrets = (text) =>
  text.replace(/^([ \t]*)([A-Z_]+)=(.*)$/gm, (line, indent, key, value) =>
    SECRETS[key] && value.includes(PLACEHOLDER) ? `${indent}${key}=${value.replace(PLACEHOLDER, SECRETS[key]())}` : line,
  );

/**
 * Makes sure .env exists: creates it from .env.example (secrets generated, mode 0600) when missing,
 * and appends any variable of .env.example it lacks (with its comment). Returns what it did:
 * 'created', 'completed' or 'unchanged'.
 */
export const ensureEnvFile = () => {
  if (!fs.existsSync(ENV_EXAMPLE)) fail('.env.example is missing: it is part of the repository; restore it.');
  const example = fs.readFileSync(ENV_EXAMPLE, 'utf8');
  if (!fs.existsSync(ENV_FILE)) {
    fs.writeFileSync(ENV_FILE, fillSecrets(example), { mode: 0o600 });
    say('Created .env from .env.example with freshly generated secrets.');
    return 'created';
  }
  const current = parseEnv(fs.readFileSync(ENV_FILE, 'utf8'));
  const added = [];
  let block = [];
  for (const line of example.split('\n')) {
    const m = LINE.exec(line);
    if (line.startsWith('#')) block.push(line);
    else if (!m) block = [];
    else {
      if (!(m[1] in current)) added.push(fillSecrets([...block, line].join('\n')));
      block = [];
    }
  }
  if (added.length === 0) return 'unchanged';
  fs.appendFileSync(ENV_FILE, `\n# Added from .env.example on ${new Date().toISOString().slice(0, 10)}\n${added.join('\n\n')}\n`);
  say(`Added to .env from .env.example: ${added.map((b) => LINE.exec(b.split('\n').at(-1))[1]).join(', ')}.`);
  return 'completed';
};

/**
 * The configuration: .env (created/completed first) overridden by the process environment.
 * Returns a plain object suitable as a child process environment.
 */
export const loadEnv = () => {
  ensureEnvFile();
  return { ...parseEnv(fs.readFileSync(ENV_FILE, 'utf8')), ...process.env };
};
