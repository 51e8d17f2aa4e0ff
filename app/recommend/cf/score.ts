/**
 * Scores of one customer over all products and the top k, with a size-k min-heap: O(n f + n log k)
 * time and O(k) memory, never a dense customers x products matrix.
 */
export interface Scored {
  item: number;
  score: number;
}

export function topKForUser(
  userVec: Float32Array,
  itemFactors: Float32Array,
  factors: number,
  k: number,
  exclude?: Set<number>,
): Scored[] {
  const f = factors;
  const n = itemFactors.length / f;
  const heap = new TopK(k);
  for (let i = 0; i < n; i++) {
    if (exclude?.has(i)) continue;
    const o = i * f;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let p = 0;
    for (; p + 4 <= f; p += 4) {
      s0 += userVec[p] * itemFactors[o + p];
      s1 += userVec[p + 1] * itemFactors[o + p + 1];
      s2 += userVec[p + 2] * itemFactors[o + p + 2];
      s3 += userVec[p + 3] * itemFactors[o + p + 3];
    }
    for (; p < f; p++) s0 += userVec[p] * itemFactors[o + p];
    heap.push(i, s0 + s1 + s2 + s3);
  }
  return heap.sorted();
}

/** The score of one (customer vector, product) pair. */
export function scoreItem(userVec: Float32Array, itemFactors: Float32Array, factors: number, item: number): number {
  let s = 0;
  const o = item * factors;
  for (let p = 0; p < factors; p++) s += userVec[p] * itemFactors[o + p];
  return s;
}

/**
 * Keeps the k largest (item, score) pairs seen. Ties are broken by the smaller item index, so the
 * result does not depend on the order items were pushed.
 */
export class TopK {
  private readonly items: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;
  constructor(private readonly k: number) {
    this.items = new Int32Array(Math.max(0, k));
    this.scores = new Float64Array(Math.max(0, k));
  }

  /** a ranks below b */
  private below(ai: number, as: number, bi: number, bs: number): boolean {
    return as < bs || (as === bs && ai > bi);
  }

  push(item: number, score: number): void {
    if (this.k <= 0 || Number.isNaN(score)) return;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!this.below(item, score, this.items[parent], this.scores[parent])) break;
        this.items[c] = this.items[parent];
        this.scores[c] = this.scores[parent];
        c = parent;
      }
      this.items[c] = item;
      this.scores[c] = score;
      return;
    }
    if (!this.below(this.items[0], this.scores[0], item, score)) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const m = r < this.size && this.below(this.items[r], this.scores[r], this.items[l], this.scores[l]) ? r : l;
      if (!this.below(this.items[m], this.scores[m], item, score)) break;
      this.items[c] = this.items[m];
      this.scores[c] = this.scores[m];
      c = m;
    }
    this.items[c] = item;
    this.scores[c] = score;
  }

  /** Best first. */
  sorted(): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < this.size; i++) out.push({ item: this.items[i], score: this.scores[i] });
    return out.sort((a, b) => b.score - a.score || a.item - b.item);
  }
}
