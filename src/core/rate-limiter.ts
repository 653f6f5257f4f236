import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from './tokens';

/**
 * A named limit on how often something may happen, counted separately along each dimension of
 * its subject (for example per browser session and per client address), in a fixed window that
 * starts with the first count (INCR + EXPIRE NX). Keys: `<name>:<dimension>:<value>`.
 */
export interface RatePolicy<D extends string = string> {
  name: string;
  windowSeconds: number;
  /** Counts allowed per dimension in the window. */
  limits: Record<D, number>;
}

/** The values of a subject's dimensions; a dimension left out (or null) is not counted nor checked. */
export type RateSubject<D extends string = string> = Partial<Record<D, string | null>>;

/**
 * The one rate limiter (a Nest provider, over Redis): sign-in failures, lookups, user-code
 * checks, reminders. `blocked` before an attempt; `record` counts one.
 */
@Injectable()
export class RateLimiter {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  private keys<D extends string>(policy: RatePolicy<D>, subject: RateSubject<D>): Array<[string, number]> {
    return (Object.keys(policy.limits) as D[])
      .filter((dimension) => subject[dimension] !== undefined && subject[dimension] !== null)
      .map((dimension) => [`${policy.name}:${dimension}:${subject[dimension]}`, policy.limits[dimension]]);
  }

  /** Whether any of the subject's dimensions has used up its limit. */
  async blocked<D extends string>(policy: RatePolicy<D>, subject: RateSubject<D>): Promise<boolean> {
    const keys = this.keys(policy, subject);
    if (!keys.length) return false;
    const counts = await this.redis.mget(...keys.map(([key]) => key));
    return keys.some(([, limit], i) => Number(counts[i] ?? 0) >= limit);
  }

  /**
   * For what is limited whether it succeeds or not (asking for a challenge, saving a form): counts
   * one and says whether that went past a limit, in one round trip. Refused attempts count too, so
   * hammering keeps the window full.
   */
  async take<D extends string>(policy: RatePolicy<D>, subject: RateSubject<D>): Promise<boolean> {
    const counts = await this.record(policy, subject);
    return (Object.keys(counts) as D[]).some((dimension) => (counts[dimension] ?? 0) > policy.limits[dimension]);
  }

  /** Counts one along every dimension of the subject; returns the counts after it, by dimension. */
  async record<D extends string>(policy: RatePolicy<D>, subject: RateSubject<D>): Promise<Partial<Record<D, number>>> {
    const dimensions = (Object.keys(policy.limits) as D[]).filter((d) => subject[d] !== undefined && subject[d] !== null);
    if (!dimensions.length) return {};
    const multi = this.redis.multi();
    for (const [key] of this.keys(policy, subject)) multi.incr(key).expire(key, policy.windowSeconds, 'NX');
    const replies = (await multi.exec()) ?? [];
    return Object.fromEntries(dimensions.map((d, i) => [d, Number(replies[i * 2]?.[1] ?? 0)])) as Partial<Record<D, number>>;
  }

  /** Forgets the subject's counts along every dimension given (a success ends a run of failures). */
  async clear<D extends string>(policy: RatePolicy<D>, subject: RateSubject<D>): Promise<void> {
    const keys = this.keys(policy, subject).map(([key]) => key);
    if (keys.length) await this.redis.del(...keys);
  }
}
