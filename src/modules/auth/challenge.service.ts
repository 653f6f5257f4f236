import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { Attempter } from '../../common/access/current-principal.decorator';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { REDIS } from '../../core/tokens';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { authError } from './auth.errors';

export type ChallengeOutcome = 'ok' | 'unknown' | 'expired' | 'replayed' | 'other-session';

/** How long a used challenge is remembered, so a replay is told apart from an unknown value. */
const MEMORY_SECONDS = 3600;
/** How long past its expiry an unused challenge is kept, so a late answer is told it expired. */
const EXPIRED_GRACE_SECONDS = 60;

/**
 * Atomically: look the challenge up, refuse it when unknown, expired, already used or issued to
 * another session, and otherwise mark it used. One round trip; two concurrent uses cannot both win.
 * KEYS[1] challenge key; ARGV[1] session id; ARGV[2] now (ms); ARGV[3] memory seconds.
 */
const CONSUME = `
local v = redis.call('GET', KEYS[1])
if not v then return 'unknown' end
local used, session, expires = string.match(v, '^(%d)|([^|]*)|(%d+)$')
if used == '1' then return 'replayed' end
redis.call('SET', KEYS[1], '1|' .. session .. '|' .. expires, 'EX', tonumber(ARGV[3]))
if tonumber(ARGV[2]) > tonumber(expires) then return 'expired' end
if session ~= ARGV[1] then return 'other-session' end
return 'ok'
`;

/**
 * Login challenges: 32 random bytes, bound to the browser session that asked for them, valid for
 * CHALLENGE_TTL_SECONDS, usable once. Any presentation, good or bad, uses the challenge up.
 * Asking is rate-limited per session and per client address (each challenge is a Redis key and
 * keeps a session alive), and an unused challenge is forgotten a minute after it expires.
 */
@Injectable()
export class ChallengeService {
  private readonly asks: RatePolicy<'session' | 'client'>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
  ) {
    this.asks = { name: 'auth:challenges', windowSeconds: 60, limits: { session: config.challengeRateLimit.perSession, client: config.challengeRateLimit.perClient } };
  }

  private key(challenge: string): string {
    return `auth:challenge:${challenge}`;
  }

  async issue(attempter: Attempter): Promise<{ challenge: string; expiresAt: Date }> {
    const subject = { session: attempter.sessionId, client: attempter.clientIp ?? 'unknown' };
    if (await this.limiter.take(this.asks, subject)) throw authError.tooMany('challenges-rate-limited', 'login.errors.challenges-rate-limited');
    const challenge = randomBytes(32).toString('base64');
    const expiresAt = Date.now() + this.config.challengeTtlSeconds * 1000;
    await this.redis.set(this.key(challenge), `0|${attempter.sessionId}|${expiresAt}`, 'EX', this.config.challengeTtlSeconds + EXPIRED_GRACE_SECONDS);
    return { challenge, expiresAt: new Date(expiresAt) };
  }

  async consume(challenge: string, sessionId: string): Promise<ChallengeOutcome> {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(challenge)) return 'unknown';
    return (await this.redis.eval(CONSUME, 1, this.key(challenge), sessionId, String(Date.now()), String(MEMORY_SECONDS))) as ChallengeOutcome;
  }
}
