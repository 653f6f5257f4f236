// Before each integration and browser test file: the rate-limit counters of this worker's Redis
// database start from zero. Every test reaches the app from the same loopback address, so a
// per-client count of failures made by one file would otherwise carry into the next file (a
// worker runs its files one after another, never two at once).
import Redis from 'ioredis';

/** The key prefixes of every rate limit (RatePolicy names in src/). */
export const RATE_LIMIT_KEYS = ['auth:login-failures:*', 'auth:staff-login-failures:*', 'auth:challenges:*', 'cards:*'];

export async function resetRateLimits(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const pattern of RATE_LIMIT_KEYS) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

const testPath = expect.getState().testPath ?? '';
if (process.env.JEST_NO_SERVICES !== '1' && !/[\\/]test[\\/]unit[\\/]/.test(testPath)) {
  beforeAll(() => resetRateLimits(process.env.REDIS_URL!));
}
