import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Principal } from '../../common/context/request-context';
import { SESSION_KEY_PREFIX } from '../../common/web/http-pipeline';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { REDIS } from '../../core/tokens';

/**
 * Which browser sessions each principal has signed in with (a Redis set per principal), so that
 * disabling an account, or changing what it may do, ends all its sessions at once, in every web
 * process, at no cost per request. An entry outlives its session at most by the longest sign-in.
 */
@Injectable()
export class SessionRegistry {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(kind: string, id: string): string {
    return `auth:sessions:${kind}:${id}`;
  }

  async add(principal: Principal, sessionId: string): Promise<void> {
    const key = this.key(principal.kind, principal.id);
    const seconds = Math.max(this.config.sessionMaxHours.staff, this.config.sessionMaxHours.others) * 3600;
    await this.redis.multi().sadd(key, sessionId).expire(key, seconds).exec();
  }

  async remove(principal: Pick<Principal, 'kind' | 'id'>, sessionId: string): Promise<void> {
    await this.redis.srem(this.key(principal.kind, principal.id), sessionId);
  }

  /** Ends every session of the principal; returns how many there were. */
  async endAll(kind: string, id: string): Promise<number> {
    const key = this.key(kind, id);
    const sessions = await this.redis.smembers(key);
    const multi = this.redis.multi();
    for (const sid of sessions) multi.del(`${SESSION_KEY_PREFIX}${sid}`);
    await multi.del(key).exec();
    return sessions.length;
  }
}
