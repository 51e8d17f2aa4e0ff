/**
 * Offline ranking metrics at K, per user, plus the list-level measures (coverage, diversity,
 * novelty, price spread). Pure functions of a ranked list of dense product indices.
 *
 * Conventions (tested in test/eval/metrics.test.ts against hand-computed values):
 * - A recommendation list is an ordered array of product indices, best first. Only the first K count.
 *   A product listed twice counts once, at its first position (a duplicate is never a second hit).
 * - Relevance is binary: a product is relevant when it is in the user's test set (see splits.ts).
 * - Users with no relevant test item have no precision/recall/NDCG/MAP/hit rate: the per-user
 *   functions return NaN for them and evaluate.ts leaves them out ("users" counts the rest).
 * - Precision divides by K, not by the list's length: a recommender that returns fewer than K
 *   products is not rewarded for it. An empty list scores 0 on every ranking metric.
 * - Ties in score are broken by product index (ascending), so every ranking is deterministic
 *   (see rankByScore).
 */

/** The first K distinct products of a list. */
export function topK(list: readonly number[], k: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const item of list) {
    if (out.length >= k) break;
    if (seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out;
}

/**
 * Sorts scored products best first; equal scores go by ascending product index, so that two runs
 * (and two recommenders with tied scores) rank identically.
 */
export function rankByScore(scored: readonly { item: number; score: number }[]): number[] {
  return [...scored].sort((a, b) => b.score - a.score || a.item - b.item).map((s) => s.item);
}

function hits(list: readonly number[], relevant: ReadonlySet<number>, k: number): boolean[] {
  return topK(list, k).map((item) => relevant.has(item));
}

/** Relevant products among the top K, divided by K. NaN when the user has nothing relevant. */
export function precisionAtK(list: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return NaN;
  return hits(list, relevant, k).filter(Boolean).length / k;
}

/** Relevant products among the top K, divided by the number of relevant products. */
export function recallAtK(list: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return NaN;
  return hits(list, relevant, k).filter(Boolean).length / relevant.size;
}

/** 1 when at least one relevant product is in the top K. */
export function hitRateAtK(list: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return NaN;
  return hits(list, relevant, k).some(Boolean) ? 1 : 0;
}

/**
 * Binary NDCG: DCG = sum over hits at 0-based rank r of 1 / log2(r + 2); the ideal DCG puts
 * min(|relevant|, K) hits at the top.
 */
export function ndcgAtK(list: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return NaN;
  let dcg = 0;
  hits(list, relevant, k).forEach((hit, r) => {
    if (hit) dcg += 1 / Math.log2(r + 2);
  });
  let ideal = 0;
  for (let r = 0; r < Math.min(relevant.size, k); r++) ideal += 1 / Math.log2(r + 2);
  return dcg / ideal;
}

/**
 * Average precision at K: the mean, over hits, of precision at the hit's rank, divided by
 * min(|relevant|, K) (so a perfect top-K list scores 1 even when the user bought more than K).
 */
export function averagePrecisionAtK(list: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return NaN;
  let found = 0;
  let sum = 0;
  hits(list, relevant, k).forEach((hit, r) => {
    if (!hit) return;
    found++;
    sum += found / (r + 1);
  });
  return sum / Math.min(relevant.size, k);
}

/** Share of the catalogue (of `catalogueSize` products) that appears in at least one top-K list. */
export function catalogueCoverage(lists: Iterable<readonly number[]>, k: number, catalogueSize: number): number {
  if (catalogueSize <= 0) return 0;
  const seen = new Set<number>();
  for (const list of lists) for (const item of topK(list, k)) seen.add(item);
  return seen.size / catalogueSize;
}

/**
 * Intra-list diversity: 1 minus the mean pairwise similarity of the top K. `similarity(a, b)`
 * returns a value in [0, 1] or null when unknown (no vector); unknown pairs are left out.
 * NaN for lists with fewer than two products or no known pair.
 */
export function intraListDiversity(
  list: readonly number[],
  k: number,
  similarity: (a: number, b: number) => number | null,
): number {
  const top = topK(list, k);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < top.length; i++) {
    for (let j = i + 1; j < top.length; j++) {
      const s = similarity(top[i], top[j]);
      if (s === null || Number.isNaN(s)) continue;
      sum += s;
      pairs++;
    }
  }
  return pairs === 0 ? NaN : 1 - sum / pairs;
}

/**
 * Novelty: mean self-information -log2 p(i) of the top K, where p(i) is the share of training
 * users who bought or interacted with i, add-one smoothed ((count + 1) / (users + 1)) so that a
 * product nobody touched has a finite, maximal novelty. NaN for an empty list.
 */
export function novelty(list: readonly number[], k: number, userCounts: ArrayLike<number>, users: number): number {
  const top = topK(list, k);
  if (top.length === 0) return NaN;
  let sum = 0;
  for (const item of top) sum += -Math.log2(((userCounts[item] ?? 0) + 1) / (users + 1));
  return sum / top.length;
}

/**
 * Price spread: the coefficient of variation (population standard deviation / mean) of the top
 * K's prices: 0 when every product costs the same. NaN for fewer than two priced products.
 */
export function priceSpread(list: readonly number[], k: number, price: ArrayLike<number>): number {
  const prices = topK(list, k)
    .map((i) => price[i])
    .filter((p) => Number.isFinite(p) && p > 0);
  if (prices.length < 2) return NaN;
  const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
  const variance = prices.reduce((a, p) => a + (p - mean) ** 2, 0) / prices.length;
  return Math.sqrt(variance) / mean;
}

/** Mean price of the top K (NaN for an empty list); fairness.ts compares it across customer tiers. */
export function meanPrice(list: readonly number[], k: number, price: ArrayLike<number>): number {
  const prices = topK(list, k)
    .map((i) => price[i])
    .filter((p) => Number.isFinite(p));
  return prices.length === 0 ? NaN : prices.reduce((a, b) => a + b, 0) / prices.length;
}

/** Mean of the finite values (NaN when there is none). */
export function meanOf(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    sum += v;
    n++;
  }
  return n === 0 ? NaN : sum / n;
}

/** Cosine similarity of two L2-normalised vectors, clamped to [0, 1] for diversity. */
export function cosine01(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.max(0, Math.min(1, dot));
}
