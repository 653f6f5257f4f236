import { Semaphore } from '../../src/common/async/semaphore';
import { hashing, hashSecret, verifySecret } from '../../src/common/crypto/secret-hash';

/** A piece of work that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('Semaphore', () => {
  it('lets at most `limit` run at once and the rest in arrival order, each as a place frees', async () => {
    const semaphore = new Semaphore(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      semaphore.run(async () => {
        started.push(i);
        await g.opened;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(semaphore.load).toEqual({ active: 2, waiting: 2 });

    gates[1].open();
    await runs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    expect(semaphore.load).toEqual({ active: 2, waiting: 1 });

    gates[0].open();
    gates[2].open();
    gates[3].open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(semaphore.load).toEqual({ active: 0, waiting: 0 });
  });

  it('frees the place when the work fails', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(semaphore.load).toEqual({ active: 0, waiting: 0 });
    await expect(semaphore.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new Semaphore(0)).toThrow(/positive integer/);
    expect(() => new Semaphore(1.5)).toThrow(/positive integer/);
  });
});

describe('secret hashing', () => {
  it('runs at most two scrypt hashes at once, however many are asked for together', async () => {
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, hashing.load.active)), 1);
    try {
      const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hashSecret(`secret-${i}`)));
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(2);
      expect(await verifySecret('secret-3', hashes[3])).toBe(true);
      expect(await verifySecret('secret-3', hashes[4])).toBe(false);
    } finally {
      clearInterval(watch);
    }
    expect(hashing.load).toEqual({ active: 0, waiting: 0 });
  });
});
