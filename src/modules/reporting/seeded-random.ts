/** Weighted choices: [value, weight]. */
export type Weighted<T> = ReadonlyArray<readonly [T, number]>;

/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence, so synthetic data
 * and randomised tests can be replayed from their seed.
 */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const weighted = <T>(choices: Weighted<T>): T => {
    const total = choices.reduce((s, [, w]) => s + w, 0);
    let x = next() * total;
    for (const [value, w] of choices) if ((x -= w) < 0) return value;
    return choices[choices.length - 1][0];
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)], weighted };
}
