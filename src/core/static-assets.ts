import type { NextFunction, Request, Response } from 'express';
import { createReadStream, readFileSync, statSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

// Everything about the browser assets the server does, in one file (decision 0018):
// the names templates use ({{asset "app.css"}} → /assets/app.<hash>.css, through the manifest
// scripts/build-assets.mjs writes) and how /assets/* is answered (caching, precompressed
// variants, 304, 404). The build is the only producer of public/build/; this file only reads it.

/** Where the assets are served; templates never write it (they use {{asset}}). */
export const ASSET_PATH = '/assets';

/** `name.<10 hex digits>.ext`: a file named by its content (scripts/build-assets.mjs HASH_LENGTH). */
const FINGERPRINTED = /\.[0-9a-f]{10}\.[a-z0-9]+$/;

export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
/** Files without a content hash in their name: kept, but checked with the server every time (ETag → 304). */
export const CACHE_REVALIDATE = 'no-cache';

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Precompressed siblings written by the build, best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** How often the manifest's file is checked for a new build. */
const MANIFEST_CHECK_MS = 1000;

/**
 * The manifest (plain name → fingerprinted name) of one build folder. Read once; read again
 * when the build replaced it (a running development server sees `npm run build:assets` within a second).
 */
export class AssetManifest {
  private entries: Record<string, string> = {};
  private loadedFrom = -1;
  /** When the manifest's file was last looked at: at most once a second, not for every {{asset}} of every page. */
  private checkedAt = 0;

  constructor(private readonly dir: string) {}

  /** The URL of a built asset by its plain name, e.g. url('app.css') → '/assets/app.0f3c5e9a1b.css'. */
  url(name: string): string {
    const file = this.current()[name];
    if (!file) throw new Error(`No built asset "${name}" in ${join(this.dir, 'manifest.json')} (is it produced by scripts/build-assets.mjs?)`);
    return `${ASSET_PATH}/${file}`;
  }

  private current(): Record<string, string> {
    const now = Date.now();
    if (this.loadedFrom >= 0 && now - this.checkedAt < MANIFEST_CHECK_MS) return this.entries;
    this.checkedAt = now;
    const path = join(this.dir, 'manifest.json');
    let mtime: number;
    try {
      mtime = statSync(path).mtimeMs;
    } catch {
      throw new Error(`The browser assets are not built (no ${path}): run npm run build:assets`);
    }
    if (mtime !== this.loadedFrom) {
      this.entries = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
      this.loadedFrom = mtime;
    }
    return this.entries;
  }
}

/** The encodings the request accepts (q > 0), from Accept-Encoding. */
function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name.trim());
  }
  return accepted;
}

async function fileStat(path: string): Promise<Stats | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * The /assets middleware: GET and HEAD of files in the build folder. Fingerprinted files are
 * cached for a year (immutable); others must be revalidated (ETag → 304). Text files come as
 * the precompressed .br or .gz the request accepts (Vary: Accept-Encoding). Anything else under
 * /assets answers 404 here, without reaching the application.
 */
export function staticAssets(dir: string) {
  const root = normalize(dir + sep);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      res.status(405).end();
      return;
    }
    try {
      let name: string;
      try {
        name = decodeURIComponent(req.path).replace(/^\/+/, '');
      } catch {
        name = '';
      }
      const type = CONTENT_TYPES[extname(name)];
      const path = normalize(join(root, name));
      // only the build's own files: no way out of the folder, no hidden files, no manifest or
      // precompressed sibling asked for by name (they have no content type above)
      if (!type || !path.startsWith(root) || name.split('/').some((part) => part.startsWith('.'))) {
        notFound(res);
        return;
      }
      const plain = await fileStat(path);
      if (!plain) {
        notFound(res);
        return;
      }
      const compressible = type.startsWith('text/') || type.startsWith('application/json') || type === 'image/svg+xml';
      let chosen = { path, size: plain.size, mtime: plain.mtime, encoding: '' };
      if (compressible) {
        res.setHeader('Vary', 'Accept-Encoding');
        const accepted = acceptedEncodings(req.get('accept-encoding'));
        for (const encoding of ENCODINGS) {
          if (!accepted.has(encoding.name)) continue;
          const variant = await fileStat(path + encoding.suffix);
          if (variant) {
            chosen = { path: path + encoding.suffix, size: variant.size, mtime: plain.mtime, encoding: encoding.name };
            break;
          }
        }
      }
      const etag = `"${plain.size.toString(16)}-${Math.floor(plain.mtimeMs).toString(16)}${chosen.encoding ? `-${chosen.encoding}` : ''}"`;
      res.setHeader('Cache-Control', FINGERPRINTED.test(name) ? CACHE_IMMUTABLE : CACHE_REVALIDATE);
      res.setHeader('ETag', etag);
      res.setHeader('Last-Modified', plain.mtime.toUTCString());
      if (matchesEtag(req.get('if-none-match'), etag)) {
        res.status(304).end();
        return;
      }
      res.setHeader('Content-Type', type);
      res.setHeader('Content-Length', String(chosen.size));
      if (chosen.encoding) res.setHeader('Content-Encoding', chosen.encoding);
      if (req.method === 'HEAD') {
        res.status(200).end();
        return;
      }
      res.status(200);
      const stream = createReadStream(chosen.path);
      stream.on('error', (err) => (res.headersSent ? res.destroy(err) : next(err)));
      stream.pipe(res);
    } catch (err) {
      next(err);
    }
  };
}

function notFound(res: Response): void {
  res.status(404).setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('Not found');
}
