/**
 * A compact set of ids for reference and duplicate checks over millions of rows: each id is kept
 * as a 64-bit hash (two 32-bit words in typed arrays, open addressing), about 16 bytes per id,
 * instead of a JS string that may pin the whole chunk it was sliced from.
 *
 * A hash can collide (for 2 million ids, about one chance in 10^7), so a "seen before" answer is
 * a suspicion: duplicates are confirmed against the real strings in a second look (validate.ts).
 */
export class IdHashSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 12) {
    let cap = 1 << 4;
    while (cap < capacity * 2) cap <<= 1;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  /** Adds an id; returns true when it (or an id with the same hash) was already there. */
  add(id: string): boolean {
    const [a, b] = hash64(id);
    const found = this.probe(a, b);
    if (found >= 0) return true;
    const slot = ~found;
    this.hi[slot] = a;
    this.lo[slot] = b;
    this.size++;
    if (this.size * 2 > this.mask) this.grow();
    return false;
  }

  has(id: string): boolean {
    const [a, b] = hash64(id);
    return this.probe(a, b) >= 0;
  }

  /** Slot of (a, b) when present, else ~(free slot). */
  private probe(a: number, b: number): number {
    let i = (b ^ Math.imul(a, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = this.hi[i];
      if (h === 0) return ~i;
      if (h === a && this.lo[i] === b) return i;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const { hi, lo } = this;
    const cap = hi.length * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] === 0) continue;
      const slot = ~this.probe(hi[i], lo[i]);
      this.hi[slot] = hi[i];
      this.lo[slot] = lo[i];
    }
  }
}

const pair: [number, number] = [0, 0];

/** Two independent 32-bit hashes (FNV-1a and a multiplicative mix); the first is never 0. */
function hash64(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x27d4eb2f ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  pair[0] = (a >>> 0) || 1;
  pair[1] = b >>> 0;
  return pair;
}
