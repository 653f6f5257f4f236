import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { REDIS } from '../../core/core.module';

export type ChallengeOutcome = 'ok' | 'unknown' | 'expired' | 'replayed' | 'other-session';

/** How long a used or expired challenge is remembered, so a replay is told apart from an unknown value. */
const MEMORY_SECONDS = 3600;

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
 */
@Injectable()
export class ChallengeService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(challenge: string): string {
    return `auth:challenge:${challenge}`;
  }

  async issue(sessionId: string): Promise<{ challenge: string; expiresAt: Date }> {
    const challenge = randomBytes(32).toString('base64');
    const expiresAt = Date.now() + this.config.challengeTtlSeconds * 1000;
    await this.redis.set(this.key(challenge), `0|${sessionId}|${expiresAt}`, 'EX', MEMORY_SECONDS);
    return { challenge, expiresAt: new Date(expiresAt) };
  }

  async consume(challenge: string, sessionId: string): Promise<ChallengeOutcome> {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(challenge)) return 'unknown';
    return (await this.redis.eval(CONSUME, 1, this.key(challenge), sessionId, String(Date.now()), String(MEMORY_SECONDS))) as ChallengeOutcome;
  }
}
