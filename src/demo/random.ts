// A seeded random source: the same seed gives the same demo traffic, so a test can reproduce it.
// mulberry32: small, fast, good enough for traffic shapes. The benchmarks generate with it too.

export type Random = {
  // uniform in [0, 1)
  next: () => number;
  // a whole number in [min, max]
  int: (min: number, max: number) => number;
  chance: (probability: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
  weighted: <T>(items: readonly T[], weightOf: (item: T) => number) => T;
  // a count with the given mean (Poisson, by Knuth's method below 30, normal approximation above)
  poisson: (mean: number) => number;
  // log-normal around a median; `spread` is the standard deviation of the logarithm
  logNormal: (median: number, spread: number) => number;
  hex: (length: number) => string;
  uuid: () => string;
};

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const hex = (length: number) => {
    let out = '';
    while (out.length < length)
      out += Math.floor(next() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, length);
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted: (items, weightOf) => {
      const total = items.reduce((sum, item) => sum + weightOf(item), 0);
      let roll = next() * total;
      for (const item of items) if ((roll -= weightOf(item)) < 0) return item;
      return items[items.length - 1];
    },
    poisson: (mean) => {
      if (mean <= 0) return 0;
      if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
      const limit = Math.exp(-mean);
      let count = -1;
      for (let product = 1; product > limit; product *= next()) count++;
      return count;
    },
    logNormal: (median, spread) => median * Math.exp(spread * normal()),
    hex,
    uuid: () => {
      const h = hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
    },
  };
}
