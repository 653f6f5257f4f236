/**
 * Rejects when `promise` has not settled within `ms`. BullMQ waits for Redis' first connection
 * without limit, and a health check must not hang on a dead server: neither may hold a page or a
 * transaction. The promise itself is not cancelled; its late outcome is ignored.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // settles after the timeout: nobody waits for it any more
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
