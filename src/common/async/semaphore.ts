/**
 * At most `limit` holders at once; the others wait their turn, first come first served. Used to
 * keep a CPU-bound step that runs on libuv's small thread pool (scrypt) from taking every thread,
 * so a burst of one kind of work cannot stall all the others sharing the pool.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`Semaphore limit must be a positive integer, not ${limit}`);
  }

  /** How many hold it now, and how many wait. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /** Runs `work` once a place is free, and frees it when `work` settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the place passes straight to the next in line
      else this.active -= 1;
    }
  }
}
