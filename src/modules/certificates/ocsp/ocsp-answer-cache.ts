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
 *
 * The GET front (`servable`, after `listen`) also keeps the answers it read in this process for up to
 * LOCAL_TTL_MS, so a hit costs no Redis round trip. Every bump is published on
 * `ocsp:inv:<db>`; each process drops its copies on the message (and at once in the process that
 * bumped). A copy is kept only when no message arrived while it was being read, and none is kept
 * while the subscription is not up, so a copy outlives a bump by no more than the message's
 * delivery: the same window as a request whose MGET Redis ran just before the bump.
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

/** How long the GET front keeps an answer it read in this process (dropped sooner by a bump). */
const LOCAL_TTL_MS = 5_000;
/** Copies kept per process; the oldest are forgotten first. */
const LOCAL_KEPT = 10_000;

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
const localKey = (ca: string, serialHex: string) => `${ca}:${serialHex}`;

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
  /** The subscription to the bumps, and whether it is up (copies are kept only then). */
  private subscriber: Redis | undefined;
  private subscribed = false;
  /** Copies read by the GET front, by `<ca>:<serial>`, then hash algorithm. */
  private readonly local = new Map<string, Map<string, { answer: CachedOcspAnswer; until: number }>>();
  /** Counts the bumps this process heard of: a copy read across one is not kept. */
  private bumps = 0;
  private readonly channel: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.channel = `ocsp:inv:${redisOptions(config).db}`;
  }

  async onModuleDestroy(): Promise<void> {
    this.subscribed = false;
    await this.reader?.quit().catch(() => this.reader?.disconnect());
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /**
   * The answer the GET front may send (see the class comment): this process's copy while the
   * subscription is up and no bump dropped it, else what `lookup` reads (then kept).
   */
  async servable(key: OcspCacheKey): Promise<CachedOcspAnswer | null> {
    const now = Date.now();
    const copies = this.local.get(localKey(key.ca, key.serialHex));
    const copy = copies?.get(key.hash);
    if (copy && this.subscribed && now < copy.until) return copy.answer;
    const bumpsBefore = this.bumps;
    const { answer } = await this.lookup(key);
    if (answer && this.subscribed && this.bumps === bumpsBefore) this.keep(key, answer, now);
    return answer;
  }

  private keep(key: OcspCacheKey, answer: CachedOcspAnswer, now: number): void {
    const name = localKey(key.ca, key.serialHex);
    let copies = this.local.get(name);
    if (!copies) {
      if (this.local.size >= LOCAL_KEPT) this.local.delete(this.local.keys().next().value as string);
      copies = new Map();
      this.local.set(name, copies);
    }
    // Past its refresh time the answer is read from Redis again, where the re-signed one will be.
    copies.set(key.hash, { answer, until: Math.min(now + LOCAL_TTL_MS, answer.refreshAt.getTime(), answer.nextUpdate.getTime()) });
  }

  /** Drops this process's copies named by a bump message (`c:<ca>:<serial>` or `e:<ca>`). */
  private dropLocal(message: string): void {
    this.bumps++;
    if (message.startsWith('c:')) return void this.local.delete(message.slice(2));
    const prefix = `${message.slice(2)}:`;
    for (const name of this.local.keys()) if (name.startsWith(prefix)) this.local.delete(name);
  }

  /** Subscribes to the bumps (the web processes' GET front, when it starts); without it no copy is kept. */
  listen(): void {
    if (this.subscriber) return;
    const subscriber = new Redis({ ...redisOptions(this.config), maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.subscriber = subscriber;
    const down = () => {
      this.subscribed = false;
      this.bumps++;
      this.local.clear();
    };
    subscriber.on('message', (_channel: string, message: string) => this.dropLocal(message));
    subscriber.on('error', down);
    subscriber.on('close', down);
    subscriber.on('reconnecting', down);
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(
        () => (this.subscribed = subscriber.status === 'ready'),
        () => down(),
      );
    });
  }

  /** Tells every process (this one at once) to drop its copies about one certificate or one CA. */
  private async announce(message: string): Promise<void> {
    this.dropLocal(message);
    await this.redis.publish(this.channel, message);
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
    await this.announce(`c:${localKey(ca, serialHex)}`);
  }

  /** Makes every cached answer of this CA unusable (its responder changed, or the CA itself did). */
  async invalidateCa(ca: string): Promise<void> {
    await this.redis.incr(epochKey(ca));
    await this.announce(`e:${ca}`);
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
