/**
 * The colour descriptor's weight against the image model, chosen per shop on its own data
 * (issue 14, point 7). The fused cosine is (1 - w) * model cosine + w * colour cosine
 * (search.server.ts, concatWeighted); a fixed w = 0.2 made the H&M photos' nearest neighbours
 * worse than the model alone (62 % vs 68 % same product group), while on jewelry the colour
 * (metal, stone) is much of what "alike" means. So: for each w of a grid, the share of products
 * whose nearest other product (by the fused cosine) has the same category (same-category
 * agreement, leave-one-out: a product never counts as its own neighbour); the best w wins, ties
 * going to the smaller colour weight (the model is the stronger default signal). A shop with fewer
 * than MIN_PRODUCTS labelled products, or a single category, keeps the default: there is nothing
 * to measure.
 *
 * Pure: vectors (L2-normalised) and labels in, the choice and the whole sweep out. Work is
 * O(n^2 x (d_model + d_colour)) over at most `maxProducts` products (an evenly spaced sample).
 */
import { dot } from "../recommend/sources/visual";

export const DEFAULT_COLOUR_WEIGHT = 0.2;
export const COLOUR_WEIGHT_GRID = [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1];
export const MIN_PRODUCTS = 20;

export interface FusionChoice {
  weight: number;
  /** How it was chosen: "validation" (the sweep) or "default" (too little to measure). */
  chosenBy: "validation" | "default";
  /** Products measured. */
  products: number;
  /** Agreement (share of nearest neighbours of the same category) per weight of the grid. */
  sweep: { weight: number; agreement: number }[];
}

export function chooseColourWeight(
  model: Float32Array[],
  colour: Float32Array[],
  labels: (string | null)[],
  opts: { grid?: number[]; maxProducts?: number; fallback?: number } = {},
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
  if (n < MIN_PRODUCTS || new Set(idx.map((i) => labels[i])).size < 2) return { weight: fallback, chosenBy: "default", products: n, sweep: [] };
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
  const sweep = grid.map((w) => {
    let agree = 0;
    for (let a = 0; a < n; a++) {
      let best = -1;
      let bestScore = -Infinity;
      for (let b = 0; b < n; b++) {
        if (b === a) continue;
        const s = (1 - w) * cm[a * n + b] + w * cc[a * n + b];
        if (s > bestScore) [best, bestScore] = [b, s];
      }
      if (labels[idx[best]] === labels[idx[a]]) agree++;
    }
    return { weight: w, agreement: agree / n };
  });
  let chosen = sweep[0];
  for (const s of sweep) if (s.agreement > chosen.agreement || (s.agreement === chosen.agreement && s.weight < chosen.weight)) chosen = s;
  return { weight: chosen.weight, chosenBy: "validation", products: n, sweep };
}

