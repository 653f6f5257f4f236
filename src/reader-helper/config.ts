import { existsSync } from 'node:fs';
import { DEFAULT_HELPER_PORT } from '../shared/web-eid';

/** The helper's settings, from environment variables (validated once at start). */
export interface HelperConfig {
  /** HELPER_PORT: TCP port on 127.0.0.1 (default 47321). */
  port: number;
  /** HELPER_ALLOWED_ORIGINS: comma-separated exact origins (default http://127.0.0.1:3000). */
  allowedOrigins: string[];
  /** PKCS11_MODULE: the card's PKCS#11 library (default SoftHSM2's). */
  modulePath: string;
  /** HELPER_TOKEN_LABEL_PREFIX: tokens whose label starts with it are cards (default 'card-'). */
  labelPrefix: string;
}

export const HELPER_DEFAULTS = {
  allowedOrigins: 'http://127.0.0.1:3000',
  modulePath: '/usr/lib/softhsm/libsofthsm2.so',
  labelPrefix: 'card-',
} as const;

export class HelperConfigError extends Error {
  override readonly name = 'HelperConfigError';
}

/** An origin as browsers send it: http(s)://host[:port], nothing after. */
function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

export function loadHelperConfig(env: NodeJS.ProcessEnv): HelperConfig {
  const problems: string[] = [];
  const portText = env.HELPER_PORT?.trim() || String(DEFAULT_HELPER_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) problems.push(`HELPER_PORT must be a port number (0-65535), not "${portText}"`);

  const allowedOrigins = (env.HELPER_ALLOWED_ORIGINS ?? HELPER_DEFAULTS.allowedOrigins)
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  if (allowedOrigins.length === 0) problems.push('HELPER_ALLOWED_ORIGINS must name at least one origin');
  for (const origin of allowedOrigins) {
    if (!isExactOrigin(origin)) problems.push(`HELPER_ALLOWED_ORIGINS: "${origin}" is not an origin like http://127.0.0.1:3000 (no path, no trailing slash)`);
  }

  const modulePath = env.PKCS11_MODULE?.trim() || HELPER_DEFAULTS.modulePath;
  if (!existsSync(modulePath)) problems.push(`PKCS11_MODULE: no PKCS#11 library at ${modulePath}`);

  const labelPrefix = env.HELPER_TOKEN_LABEL_PREFIX ?? HELPER_DEFAULTS.labelPrefix;
  if (labelPrefix.length === 0) problems.push('HELPER_TOKEN_LABEL_PREFIX must not be empty (other tokens, such as the CA key, would show as cards)');

  if (problems.length > 0) throw new HelperConfigError(problems.join('\n'));
  return { port, allowedOrigins, modulePath, labelPrefix };
}
