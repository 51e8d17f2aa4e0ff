/**
 * Database-side augmentation of the visual space (issue 14, point 7): each product's vector is
 * replaced by itself plus its k nearest other products, each weighted by its cosine (negative
 * cosines count zero), L2-normalised (Chum et al., "Total recall", 2007; Arandjelovic & Zisserman,
 * "Three things everyone should know to improve object retrieval", 2012). Two photos of the same
 * kind that differ in one view-dependent way (a model's pose, a fold, the light) share most of
 * their neighbours, so their averaged vectors are closer than the photos are; a photo's odd
 * details are diluted. On the 100 H&M photos it raised the mean average precision of the product
 * group from 53.7 % to 56.8-58.2 % (k = 3..10) and P@10 from 51.4 % to 51.9-53.2 %
 * (docs/EVALUATION.md, "Visual similarity").
 *
 * k is chosen per shop with the colour weight (fusion.ts, chooseAugmentation: leave-one-out mean
 * average precision of the shop's categories; 0 = off when it does not help). The neighbours are
 * found by an exact scan: O(rows x n x d) (n^2 / 2 dot products for all rows: 1,000 products of
 * 1,392 dimensions 1.8 s on the shared 2-core machine, so about 16 s for 3,000), so the embed job
 * applies it up to MAX_AUGMENT_PRODUCTS live products (search.server.ts); above, k is 0 and the
 * log says why.
 *
 * Pure: vectors in, vectors out.
 */
import { dot4 } from "../recommend/vector";
import { l2normalise } from "./pool";

/** The k values the chooser tries (0 = no augmentation). */
export const AUGMENT_GRID = [0, 3, 5, 10];
/** Above this many live products the exact neighbour scan is too slow for the embed job: no augmentation. */
export const MAX_AUGMENT_PRODUCTS = 3000;

/**
 * The augmented vectors of `rows` (default: all) of `vectors` (L2-normalised, one space): each
 * row's vector plus its k nearest other vectors of the whole set, weighted by max(cosine, 0),
 * L2-normalised. k = 0 returns copies of the rows' vectors.
 */
export function augmentWithNeighbours(vectors: Float32Array[], k: number, rows?: number[]): Float32Array[] {
  const which = rows ?? vectors.map((_, i) => i);
  if (k <= 0) return which.map((i) => Float32Array.from(vectors[i]));
  const n = vectors.length;
  // All rows: each cosine once (the matrix is symmetric), n^2 / 2 dot products.
  let all: Float32Array | null = null;
  if (!rows) {
    all = new Float32Array(n * n);
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) all[a * n + b] = all[b * n + a] = dot4(vectors[a], vectors[b]);
  }
  return which.map((i) => {
    const near = nearest(n, all ? (j) => all[i * n + j] : (j) => dot4(vectors[i], vectors[j]), i, k);
    const out = Float32Array.from(vectors[i]);
    for (const { j, s } of near) {
      const v = vectors[j];
      const w = Math.max(s, 0);
      if (w > 0 && v.length === out.length) for (let d = 0; d < out.length; d++) out[d] += w * v[d];
    }
    return l2normalise(out);
  });
}

/** The k largest of score(j) over j in 0..n-1 except `self` (descending; ties to the smaller index). */
export function nearest(n: number, score: (j: number) => number, self: number, k: number): { j: number; s: number }[] {
  const top: { j: number; s: number }[] = [];
  for (let j = 0; j < n; j++) {
    if (j === self) continue;
    const s = score(j);
    if (top.length === k && s <= top[k - 1].s) continue;
    let p = top.length < k ? top.length : k - 1;
    if (top.length < k) top.push({ j, s });
    else top[p] = { j, s };
    while (p > 0 && top[p - 1].s < top[p].s) {
      [top[p - 1], top[p]] = [top[p], top[p - 1]];
      p--;
    }
  }
  return top;
}

/**
 * The cosines between the augmented vectors, from the cosine matrix of the plain ones (n x n,
 * row-major, symmetric, ones on the diagonal) alone: with a_i = e_i + sum of the neighbours'
 * weights, <a_i, a_j> = sum over m in N+(i), l in N+(j) of w_im w_jl S_ml. O(n^2 (k+1)^2), no
 * vectors needed (the chooser works on the cosine matrix it already has).
 */
export function augmentedCosines(S: Float32Array, n: number, k: number): Float32Array {
  if (k <= 0) return S;
  const idx = new Int32Array(n * (k + 1));
  const wt = new Float64Array(n * (k + 1));
  const len = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const near = nearest(n, (j) => S[i * n + j], i, k);
    idx[i * (k + 1)] = i;
    wt[i * (k + 1)] = 1;
    let m = 1;
    for (const { j, s } of near) {
      if (s <= 0) continue;
      idx[i * (k + 1) + m] = j;
      wt[i * (k + 1) + m] = s;
      m++;
    }
    len[i] = m;
  }
  const gram = (i: number, j: number) => {
    let g = 0;
    for (let a = 0; a < len[i]; a++) {
      const m = idx[i * (k + 1) + a];
      const wm = wt[i * (k + 1) + a];
      let t = 0;
      for (let b = 0; b < len[j]; b++) t += wt[j * (k + 1) + b] * S[m * n + idx[j * (k + 1) + b]];
      g += wm * t;
    }
    return g;
  };
  const norm = Float64Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(gram(i, i), 1e-12)));
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) out[i * n + j] = out[j * n + i] = gram(i, j) / (norm[i] * norm[j]);
  }
  return out;
}
