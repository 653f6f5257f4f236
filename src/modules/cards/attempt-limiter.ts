import type Redis from 'ioredis';

export interface AttemptLimits {
  /** Failures allowed per browser session in the window. */
  perSession: number;
  /** Failures allowed per client address in the window (an office behind one address shares it). */
  perClient: number;
  windowSeconds: number;
}

export interface AttemptSubject {
  sessionId: string;
  clientIp: string | null;
}

/**
 * Counts failed attempts (lookups, registry checks) in Redis, per session and per client address,
 * in a fixed window that starts with the first failure (INCR + EXPIRE NX, like the certificate
 * sign-in). `blocked` is checked before an attempt; `fail` counts one.
 */
export class AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: AttemptLimits,
  ) {}

  private keys(subject: AttemptSubject): Array<[string, number]> {
    return [
      [`${this.prefix}:session:${subject.sessionId}`, this.limits.perSession],
      [`${this.prefix}:client:${subject.clientIp ?? 'unknown'}`, this.limits.perClient],
    ];
  }

  async blocked(subject: AttemptSubject): Promise<boolean> {
    const keys = this.keys(subject);
    const counts = await this.redis.mget(...keys.map(([key]) => key));
    return keys.some(([, limit], i) => Number(counts[i] ?? 0) >= limit);
  }

  async fail(subject: AttemptSubject): Promise<void> {
    const multi = this.redis.multi();
    for (const [key] of this.keys(subject)) multi.incr(key).expire(key, this.limits.windowSeconds, 'NX');
    await multi.exec();
  }
}
