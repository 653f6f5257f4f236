import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { redisOptions } from '../../../core/core.module';
import { REDIS } from '../../../core/tokens';

/**
 * Pre-signed OCSP answers (RFC 5019 style), shared by every web process through Redis.
 *
 * Keys (all under `ocsp:`):
 * - `ocsp:a:<ca>:<serial>:<hash>`: the signed answer to a nonce-less request for one certificate
 *   (one per CertID hash algorithm, since the CertID is echoed), with the generation and epoch it
 *   was made under; it lives until the answer's nextUpdate.
 * - `ocsp:g:<ca>:<serial>`: the certificate's generation, bumped by every revocation, hold or
 *   release (before its transaction commits, and again after it committed).
 * - `ocsp:e:<ca>`: the CA's responder epoch, bumped when its responder certificate is rotated or
 *   the CA itself changes.
 *
 * `<ca>` is the CA's id and the start of its fingerprint (ocspCacheCa), so a database restored or
 * re-created under the same Redis never meets another CA's answers.
 *
 * One MGET reads the answer, the generation and the epoch; an answer counts only when both still
 * match what they were when the answer was made. The generation is read BEFORE the certificate's
 * state, so an answer made from a state a commit then changed carries the older generation and is
 * never served after the bump: no stale answer in any process, without a lock and without a DB
 * read on a hit.
 */
export interface CachedOcspAnswer {
  der: Buffer;
  producedAt: Date;
  nextUpdate: Date;
  /** After this the answer is still served, but a fresh one is signed in the background. */
  refreshAt: Date;
  /** Strong validator of the bytes (quoted), for ETag / If-None-Match. */
  etag: string;
}

export interface OcspCacheLookup {
  /** The usable answer, or null (absent, from an older generation or epoch, or past nextUpdate). */
  answer: CachedOcspAnswer | null;
  /** What a new answer must be stored with (read before the certificate's state). */
  stamp: OcspCacheStamp;
}

export interface OcspCacheStamp {
  generation: string;
  epoch: string;
  /** When the lookup was made; an answer whose making took longer than FILL_WINDOW_MS is not stored. */
  readAt: number;
}

export interface OcspCacheKey {
  /** ocspCacheCa(ca). */
  ca: string;
  serialHex: string;
  /** CertID hash algorithm ('SHA-1', 'SHA-256', ...). */
  hash: string;
}

/** An answer made from a lookup older than this is not stored (the generation it read may have expired since). */
const FILL_WINDOW_MS = 10_000;
/** A generation outlives any answer made under the previous one by this factor of their lifetime. */
const GENERATION_TTL_FACTOR = 3;

/** How the cache names a CA. */
export function ocspCacheCa(ca: { id: number; fingerprint: string }): string {
  return `${ca.id}.${ca.fingerprint.slice(0, 16)}`;
}

const answerKey = (key: OcspCacheKey) => `ocsp:a:${key.ca}:${key.serialHex}:${key.hash}`;
const generationKey = (ca: string, serialHex: string) => `ocsp:g:${ca}:${serialHex}`;
const epochKey = (ca: string) => `ocsp:e:${ca}`;

export function ocspEtag(der: Buffer): string {
  return `"${createHash('sha256').update(der).digest('base64url').slice(0, 27)}"`;
}

function encode(answer: CachedOcspAnswer, stamp: OcspCacheStamp): string {
  return [stamp.generation, stamp.epoch, answer.producedAt.getTime(), answer.nextUpdate.getTime(), answer.refreshAt.getTime(), answer.etag, answer.der.toString('base64')].join('|');
}

function decode(value: string | null, stamp: OcspCacheStamp, now: number): CachedOcspAnswer | null {
  if (!value) return null;
  const [generation, epoch, producedAt, nextUpdate, refreshAt, etag, der] = value.split('|');
  if (generation !== stamp.generation || epoch !== stamp.epoch || Number(nextUpdate) <= now) return null;
  return { der: Buffer.from(der, 'base64'), producedAt: new Date(Number(producedAt)), nextUpdate: new Date(Number(nextUpdate)), refreshAt: new Date(Number(refreshAt)), etag };
}

@Injectable()
export class OcspAnswerCache implements OnModuleDestroy {
  /**
   * The lookups' own connection, with auto-pipelining: the MGETs of the requests in flight go out
   * together (one write, one read), which is what lets one process answer thousands a second.
   */
  private reader: Redis | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.reader?.quit().catch(() => this.reader?.disconnect());
  }

  /** The cached answer, if still good, and the stamp a new one would be stored with: one round trip. */
  async lookup(key: OcspCacheKey): Promise<OcspCacheLookup> {
    const readAt = Date.now();
    this.reader ??= new Redis({ ...redisOptions(this.config), enableAutoPipelining: true, maxRetriesPerRequest: 1 });
    const [value, generation, epoch] = await this.reader.mget(answerKey(key), generationKey(key.ca, key.serialHex), epochKey(key.ca));
    const stamp = { generation: generation ?? '0', epoch: epoch ?? '0', readAt };
    return { answer: decode(value, stamp, readAt), stamp };
  }

  /** Stores an answer made after `stamp` was read, until its nextUpdate. */
  async store(key: OcspCacheKey, answer: CachedOcspAnswer, stamp: OcspCacheStamp): Promise<boolean> {
    const now = Date.now();
    const ttl = answer.nextUpdate.getTime() - now;
    if (ttl <= 0 || now - stamp.readAt > FILL_WINDOW_MS) return false;
    await this.redis.set(answerKey(key), encode(answer, stamp), 'PX', ttl);
    return true;
  }

  /**
   * Makes every cached answer about this certificate unusable in every process. The generation
   * lives GENERATION_TTL_FACTOR times the answers' lifetime, so it outlives them.
   */
  async invalidateCertificate(ca: string, serialHex: string, answerLifetimeMs: number): Promise<void> {
    const key = generationKey(ca, serialHex);
    await this.redis
      .multi()
      .incr(key)
      .pexpire(key, Math.max(answerLifetimeMs, FILL_WINDOW_MS) * GENERATION_TTL_FACTOR)
      .exec();
  }

  /** Makes every cached answer of this CA unusable (its responder changed, or the CA itself did). */
  async invalidateCa(ca: string): Promise<void> {
    await this.redis.incr(epochKey(ca));
  }

  /** The CA's current epoch (processes compare it to reload the responder another process rotated). */
  async epoch(ca: string): Promise<string> {
    return (await this.redis.get(epochKey(ca))) ?? '0';
  }

  /**
   * A short lock so that one process re-signs an answer nearing its refresh time while the others
   * keep serving the cached one. True when this caller got it.
   */
  async claimRefresh(key: OcspCacheKey, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`ocsp:r:${key.ca}:${key.serialHex}:${key.hash}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}
