/**
 * Seeded pseudo-random numbers for the world generator.
 *
 * Every random choice in the world goes through an Rng derived from the world seed plus a
 * "purpose" label (creator index, fan serial, …). Deriving sub-generators by label instead of
 * sharing one stream means that adding a creator or changing a count does not reshuffle
 * everything else, and lazily generated users (followers) come out the same whenever asked.
 */

/** cyrb53: a fast, well-mixed 53-bit string hash (public domain). */
export function hashString(text: string, salt = 0): number {
  let h1 = 0xdeadbeef ^ salt;
  let h2 = 0x41c6ce57 ^ salt;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Hash of several parts, used to derive labelled sub-seeds. */
export function hashParts(...parts: Array<string | number>): number {
  return hashString(parts.join('\u0001'));
}

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  float(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
  /** Distinct picks, order random. */
  sample<T>(items: readonly T[], count: number): T[];
  /** Log-normal multiplier with median 1 and the given sigma. */
  logNormal(sigma: number): number;
  /** Log-uniform value in [min, max]: good for follower counts spanning orders of magnitude. */
  logUniform(min: number, max: number): number;
  /** A child generator for a labelled purpose. */
  derive(...label: Array<string | number>): Rng;
}

/** sfc32 generator seeded from a 53-bit number. */
export function createRng(seed: number | string): Rng {
  const base = typeof seed === 'number' ? hashParts('seed', seed) : hashString(seed);
  let a = base >>> 0;
  let b = Math.floor(base / 4294967296) >>> 0;
  let c = 0x9e3779b9;
  let d = 1;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const out = (t + d) | 0;
    c = (c + out) | 0;
    return (out >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // warm up: the first outputs of sfc32 are poorly mixed
  return buildRng(next, base);
}

function buildRng(next: () => number, base: number): Rng {
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    float: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
      }
      return out;
    },
    sample: (items, count) => rng.shuffle(items).slice(0, Math.max(0, count)),
    logNormal: (sigma) => {
      // Box–Muller; 1 - next() avoids log(0).
      const u = 1 - next();
      const v = next();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.exp(normal * sigma);
    },
    logUniform: (min, max) => Math.exp(Math.log(min) + next() * (Math.log(max) - Math.log(min))),
    derive: (...label) => createRng(hashParts(base, ...label)),
  };
  return rng;
}
