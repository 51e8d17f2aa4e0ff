/**
 * Seeded randomness for the demo shop. Everything the generator draws comes from here, never from
 * Math.random(), so that the same seed (and the same `now`) gives byte-identical files.
 *
 * The generator is xoshiro128** (32-bit state words, fast in JS, good statistical quality);
 * seeds are expanded with splitmix32. `Rng.derive(seed, ...labels)` gives independent streams for
 * independent parts (catalog, each customer, each image) so that changing one part's draws does
 * not shift every later number, and so that per-customer work could be parallelised later.
 */
import { fnv1a } from "../recommend/hash";

/** splitmix32: a good 32-bit mixer, used to expand seeds and hash labels. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A stable 32-bit hash of a label (FNV-1a, the core's one), so that streams can be named. */
export function hashLabel(label: string | number): number {
  return fnv1a(String(label));
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let s = seed >>> 0;
    this.a = s = splitmix32(s);
    this.b = s = splitmix32(s);
    this.c = s = splitmix32(s);
    this.d = splitmix32(s);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // xoshiro's one forbidden state
  }

  /** An independent stream for a named part of the generation (e.g. "customer", 17). */
  static derive(seed: number, ...labels: Array<string | number>): Rng {
    let h = splitmix32(seed >>> 0);
    for (const l of labels) h = splitmix32(h ^ hashLabel(l));
    return new Rng(h);
  }

  /** Next raw 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Standard normal (Box-Muller, the spare kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Index drawn with probability proportional to weights[i] (linear scan: for short lists). */
  weightedIndex(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** A key of a {key: weight} table, drawn by weight. Keys are visited in insertion order. */
  weighted<K extends string>(table: Readonly<Record<K, number>>): K {
    const keys = Object.keys(table) as K[];
    return keys[this.weightedIndex(keys.map((k) => table[k]))];
  }

  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Draws from a fixed set of weights in O(log n) (binary search on the cumulative sums): for the
 * large tables drawn from millions of times (products within a bucket, days of the calendar).
 */
export class CumulativeSampler {
  private readonly cum: Float64Array;
  constructor(weights: ArrayLike<number>) {
    this.cum = new Float64Array(weights.length);
    let s = 0;
    for (let i = 0; i < weights.length; i++) {
      s += weights[i];
      this.cum[i] = s;
    }
  }

  get size(): number {
    return this.cum.length;
  }

  get total(): number {
    return this.cum.length ? this.cum[this.cum.length - 1] : 0;
  }

  /** An index in [0, size), by weight. */
  sample(rng: Rng): number {
    return this.sampleBetween(rng, 0, this.cum.length);
  }

  /** An index in [from, to), by weight, restricted to that range (used for "days after registration"). */
  sampleBetween(rng: Rng, from: number, to: number): number {
    const lo = from > 0 ? this.cum[from - 1] : 0;
    const hi = this.cum[to - 1];
    const u = lo + rng.next() * (hi - lo);
    let a = from;
    let b = to - 1;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (this.cum[m] > u) b = m;
      else a = m + 1;
    }
    return a;
  }
}
