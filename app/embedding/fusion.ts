/**
 * The colour descriptor's weight against the image model, chosen per shop on its own data
 * (issue 14, point 7). The fused cosine is (1 - w) * model cosine + w * colour cosine
 * (search.server.ts, concatWeighted); a fixed w = 0.2 made the H&M photos' nearest neighbours
 * worse than the model alone (62 % vs 68 % same product group), while on jewelry the colour
 * (metal, stone) is much of what "alike" means.
 *
 * Validation (leave-one-out over the shop's catalogue, the shop's own category column as the
 * judge, never a test set): for each w of a grid, every product's other products are ranked by the
 * fused cosine, and the weight is scored by the mean average precision of "same category" over
 * those rankings (criterion "category-map"). The share of products whose nearest other product has
 * the same category (the earlier criterion, "agreement") is kept beside it in the sweep, but no
 * longer decides: on 100 H&M photos one photo moves it by a whole point, and choosing on it picked
 * w = 0.05 where the ranking as a whole (P@10, mAP) was best at w = 0 (docs/EVALUATION.md, "Visual
 * similarity"; docs/decisions/0145). The smallest weight whose score is within MAP_TOLERANCE of the
 * best wins (the model is the stronger default signal; a gain below that is noise). A shop with
 * fewer than MIN_PRODUCTS labelled products, or a single category, keeps the default: there is
 * nothing to measure.
 * At the chosen weight, the same criterion then chooses k of the neighbour augmentation
 * (augment.ts; AUGMENT_GRID, 0 = off): on only when it beats no augmentation by more than
 * MAP_TOLERANCE.
 *
 * Pure: vectors (L2-normalised) and labels in, the choice and the whole sweep out. Work is
 * O(n^2 x (d_model + d_colour)) for the cosines plus O(n^2 log n) per weight for the rankings,
 * over at most `maxProducts` products (an evenly spaced sample).
 */
import { dot } from "../recommend/vector";
import { AUGMENT_GRID, augmentedCosines } from "./augment";

export const DEFAULT_COLOUR_WEIGHT = 0.2;
export const COLOUR_WEIGHT_GRID = [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1];
export const MIN_PRODUCTS = 20;
/** Scores (mean average precision, 0..1) closer than this to the best count as ties (the smaller weight wins). */
export const MAP_TOLERANCE = 0.002;
export const FUSION_CRITERION = "category-map";

export interface FusionSweepPoint {
  weight: number;
  /** Share of products whose nearest other product has the same category. */
  agreement: number;
  /** Mean average precision of the same category over each product's ranking of the others (products without another of their category left out). */
  map: number;
}

export interface FusionChoice {
  weight: number;
  /** How it was chosen: "validation" (the sweep) or "default" (too little to measure). */
  chosenBy: "validation" | "default";
  /** What the sweep's choice maximised (FUSION_CRITERION). */
  criterion: typeof FUSION_CRITERION;
  /** Products measured. */
  products: number;
  /** Per weight of the grid: nearest-neighbour agreement and mean average precision of the category. */
  sweep: FusionSweepPoint[];
  /** Neighbours each vector is averaged with (augment.ts; 0 = off), chosen at `weight` by the same criterion. */
  augment: number;
  /** Per k of AUGMENT_GRID (weight = k here): the same two figures; empty when not measured. */
  augmentSweep: FusionSweepPoint[];
}

export function chooseColourWeight(
  model: Float32Array[],
  colour: Float32Array[],
  labels: (string | null)[],
  opts: { grid?: number[]; maxProducts?: number; fallback?: number; augmentGrid?: number[] } = {},
): FusionChoice {
  const grid = opts.grid ?? COLOUR_WEIGHT_GRID;
  const fallback = opts.fallback ?? DEFAULT_COLOUR_WEIGHT;
  let idx: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] && model[i] && colour[i]) idx.push(i);
  const maxProducts = opts.maxProducts ?? 2000;
  if (idx.length > maxProducts) {
    const step = idx.length / maxProducts;
    idx = Array.from({ length: maxProducts }, (_, j) => idx[Math.floor(j * step)]);
  }
  const n = idx.length;
  if (n < MIN_PRODUCTS || new Set(idx.map((i) => labels[i])).size < 2) return { weight: fallback, chosenBy: "default", criterion: FUSION_CRITERION, products: n, sweep: [], augment: 0, augmentSweep: [] };
  // Both cosine matrices once; each weight is then a weighted sum of them.
  const cm = new Float32Array(n * n);
  const cc = new Float32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const m = dot(model[idx[a]], model[idx[b]]);
      const c = dot(colour[idx[a]], colour[idx[b]]);
      cm[a * n + b] = cm[b * n + a] = m;
      cc[a * n + b] = cc[b * n + a] = c;
    }
  }
  const lab = idx.map((i) => labels[i]!);
  const sweep = grid.map((w) => rankingQuality(n, (a, b) => (1 - w) * cm[a * n + b] + w * cc[a * n + b], lab, w));
  const best = Math.max(...sweep.map((s) => s.map));
  const chosen = [...sweep].sort((x, y) => x.weight - y.weight).find((s) => s.map >= best - MAP_TOLERANCE)!;
  // Neighbour augmentation at the chosen weight: the fused cosines (ones on the diagonal), then each k's.
  const w = chosen.weight;
  const fusedCos = Float32Array.from(cm, (m, i) => (i % (n + 1) === 0 ? 1 : (1 - w) * m + w * cc[i]));
  const augmentSweep = (opts.augmentGrid ?? AUGMENT_GRID).map((k) => {
    const S = augmentedCosines(fusedCos, n, k);
    return rankingQuality(n, (a, b) => S[a * n + b], lab, k);
  });
  // Off unless it beats no augmentation by more than the tolerance; then the smallest k within it of the best.
  const plain = augmentSweep.find((s) => s.weight === 0)?.map ?? -Infinity;
  const bestAug = Math.max(...augmentSweep.map((s) => s.map));
  const aug = bestAug > plain + MAP_TOLERANCE ? [...augmentSweep].sort((x, y) => x.weight - y.weight).find((s) => s.map >= bestAug - MAP_TOLERANCE)!.weight : 0;
  return { weight: w, chosenBy: "validation", criterion: FUSION_CRITERION, products: n, sweep, augment: aug, augmentSweep };
}

/**
 * Nearest-neighbour agreement and mean average precision of `labels` when each of the n products
 * ranks the others by `score(a, b)` (leave-one-out). Ties are counted against the product (an
 * other-category product of equal score ranks first), so a constant score earns nothing.
 */
export function rankingQuality(n: number, score: (a: number, b: number) => number, labels: string[], weight = 0): FusionSweepPoint {
  let agree = 0;
  let apSum = 0;
  let apCount = 0;
  const same = new Float64Array(n);
  const other = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let ns = 0, no = 0;
    let bestSame = -Infinity, bestOther = -Infinity;
    for (let b = 0; b < n; b++) {
      if (b === a) continue;
      const s = score(a, b);
      if (labels[b] === labels[a]) {
        same[ns++] = s;
        if (s > bestSame) bestSame = s;
      } else {
        other[no++] = s;
        if (s > bestOther) bestOther = s;
      }
    }
    if (ns > 0 && bestSame > bestOther) agree++;
    if (ns === 0) continue;
    const rel = same.subarray(0, ns).sort().reverse();
    const irr = other.subarray(0, no).sort().reverse();
    // The k-th relevant (0-based) ranks after k relevant ones and after every irrelevant one scoring at least as much.
    let ap = 0;
    let j = 0;
    for (let k = 0; k < ns; k++) {
      while (j < no && irr[j] >= rel[k]) j++;
      ap += (k + 1) / (k + 1 + j);
    }
    apSum += ap / ns;
    apCount++;
  }
  return { weight, agreement: agree / n, map: apCount > 0 ? apSum / apCount : 0 };
}
