/**
 * EASE, an item-based collaborative model (Steck 2019, "Embarrassingly Shallow Autoencoders"):
 *   B = I - P diag(1 / diag(P)),   P = (XᵀX + λI)⁻¹,   score(u) = x_u B   (B has a zero diagonal),
 * X the binary customer x product matrix (a customer touched the product: any event with a positive
 * strength in the confidence matrix). Closed form, no iterations, one hyper-parameter λ.
 *
 * Cost: the Gram matrix, then the inverse of an m x m symmetric positive definite matrix by
 * Cholesky (L Lᵀ), U = L⁻ᵀ and P = U Uᵀ, each phase a triangle of contiguous dot products: about
 * m³/2 multiply-adds and 2 x 8 m² bytes. Measured on the shared 2-core machine (npx tsx
 * scripts/eval/ease-bench.mts): see LIMITS below. Catalogues with more products than `maxItems`
 * are approximated: the model is fitted on the `maxItems` products touched by the most customers
 * (the long tail gets no EASE score; ALS still scores it), and the train log says so.
 *
 * Serving artefact: per product, its `neighbours` largest weights |B[i][j]| (a sparse
 * approximation of the rows of B, CSR over the catalogue's dense indices, Float32), so a model
 * version stores O(products x neighbours) numbers, not m², and scoring a customer costs
 * O(history x neighbours). Pure: no I/O, no clock.
 */
import type { ItemNeighbours } from "../types";
import type { CsrMatrix } from "./csr";

export interface EaseParams {
  /** L2 regularisation of the closed form (the diagonal added to XᵀX). */
  lambda: number;
  /** At most this many products get the dense closed form (the most touched ones). */
  maxItems: number;
  /** Weights kept per product row of B (largest absolute values). */
  neighbours: number;
}

/**
 * Defaults. maxItems 2500, measured (npx tsx scripts/eval/ease-bench.mts, the shared 2-core machine
 * under load): the dense inverse takes 0.7 s at 500 products, 2.5 s at 1,000 and 23 s at 2,000
 * (m³ growth: about 45 s at 2,500, 2-3 min at 3,700), 16 m² bytes (100 MB at 2,500). The tuner fits
 * it twice (validation slice, then all events), so 2,500 keeps a train within a few minutes; a
 * larger catalogue is approximated on its 2,500 most touched products (set "cf".ease.maxItems to
 * move the limit). lambda 200: the reference's value on UCI Online Retail (issue 14).
 */
export const DEFAULT_EASE: EaseParams = { lambda: 200, maxItems: 2500, neighbours: 200 };

export interface EaseModel {
  lambda: number;
  /** Products fitted (<= maxItems), of `catalogItems`. */
  fittedItems: number;
  catalogItems: number;
  /** Row i: the kept weights B[i][j] (j != i), by dense product index. */
  weights: ItemNeighbours;
}

/** Dot product of a[ao .. ao+len) and b[bo .. bo+len) (four accumulators: V8 keeps them in registers). */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const l4 = len & ~3;
  let k = 0;
  for (; k < l4; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < len; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + s2 + s3;
}

/**
 * Inverse of a symmetric positive definite n x n matrix (row-major, only its lower triangle is
 * read), returned full and symmetric in `a` (overwritten). Cholesky a = L Lᵀ; U = L⁻ᵀ (upper);
 * a⁻¹ = L⁻ᵀ L⁻¹ = U Uᵀ. Throws where a pivot is not positive (not positive definite).
 */
export function invertSpd(a: Float64Array, n: number): void {
  // 1. Cholesky, L in the lower triangle of a: L[i][j] = (a[i][j] - L[i][:j]·L[j][:j]) / L[j][j].
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let j = 0; j < i; j++) {
      const oj = j * n;
      a[oi + j] = (a[oi + j] - dot(a, oi, a, oj, j)) / a[oj + j];
    }
    const d = a[oi + i] - dot(a, oi, a, oi, i);
    if (!(d > 0)) throw new RangeError(`invertSpd: pivot ${i} is ${d}: the matrix is not positive definite (raise lambda)`);
    a[oi + i] = Math.sqrt(d);
  }
  // 2. U = L⁻ᵀ, upper triangular, row-major: U[j][j] = 1/L[j][j]; for i > j:
  //    U[j][i] = -(L[i][j..i) · U[j][j..i)) / L[i][i]   (row i of L, row j of U: both contiguous).
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    const lii = a[oi + i];
    for (let j = 0; j < i; j++) {
      const oj = j * n;
      u[oj + i] = -dot(a, oi + j, u, oj + j, i - j) / lii;
    }
    u[oi + i] = 1 / lii;
  }
  // 3. a⁻¹[r][c] = U[r][:]·U[c][:] = U[r][r..n)·U[c][r..n) for c <= r (zeros left of the diagonal).
  for (let r = 0; r < n; r++) {
    const or = r * n;
    for (let c = 0; c <= r; c++) {
      const v = dot(u, or + r, u, c * n + r, n - r);
      a[or + c] = v;
      a[c * n + r] = v;
    }
  }
}

/** The products to fit: every product touched by someone, the most touched first, at most maxItems. */
export function easeItems(users: CsrMatrix, maxItems: number): Int32Array {
  const count = new Int32Array(users.cols);
  for (let p = 0; p < users.indptr[users.rows]; p++) if (users.data[p] > 0) count[users.indices[p]]++;
  const touched: number[] = [];
  for (let i = 0; i < users.cols; i++) if (count[i] > 0) touched.push(i);
  touched.sort((x, y) => count[y] - count[x] || x - y);
  return Int32Array.from(touched.slice(0, Math.max(0, maxItems)).sort((x, y) => x - y));
}

/** The dense m x m weights B = I - P/diag(P) with a zero diagonal (row-major), for `items`. */
export function easeDense(users: CsrMatrix, items: Int32Array, lambda: number): Float64Array {
  const m = items.length;
  const col = new Int32Array(users.cols).fill(-1);
  items.forEach((it, c) => (col[it] = c));
  const g = new Float64Array(m * m);
  const row: number[] = [];
  for (let u = 0; u < users.rows; u++) {
    row.length = 0;
    for (let p = users.indptr[u]; p < users.indptr[u + 1]; p++) {
      const c = col[users.indices[p]];
      if (c >= 0 && users.data[p] > 0) row.push(c);
    }
    // Lower triangle only (invertSpd reads it); indices within a CSR row are sorted.
    for (let x = 0; x < row.length; x++) {
      const o = row[x] * m;
      for (let y = 0; y <= x; y++) g[o + row[y]] += 1;
    }
  }
  for (let i = 0; i < m; i++) g[i * m + i] += lambda;
  invertSpd(g, m);
  const diag = new Float64Array(m);
  for (let j = 0; j < m; j++) diag[j] = g[j * m + j];
  for (let i = 0; i < m; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) g[o + j] = i === j ? 0 : -g[o + j] / diag[j];
  }
  return g;
}

/** Trains EASE on the interaction matrix's customer rows; null when fewer than two products were touched. */
export function trainEase(users: CsrMatrix, partial: Partial<EaseParams> = {}, log: (msg: string) => void = () => {}): EaseModel | null {
  const p = { ...DEFAULT_EASE, ...partial };
  const items = easeItems(users, p.maxItems);
  const m = items.length;
  if (m < 2) return null;
  const b = easeDense(users, items, p.lambda);
  const keep = Math.min(p.neighbours, m - 1);
  const n = users.cols;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(m * keep);
  const scores = new Float32Array(m * keep);
  const abs = new Float64Array(m);
  const sorted = new Float64Array(m);
  let at = 0;
  let r = 0;
  for (let i = 0; i < n; i++) {
    indptr[i] = at;
    if (r < m && items[r] === i) {
      const o = r * m;
      for (let j = 0; j < m; j++) abs[j] = Math.abs(b[o + j]);
      sorted.set(abs);
      sorted.sort();
      const threshold = sorted[m - keep];
      let taken = 0;
      for (let j = 0; j < m && taken < keep; j++) {
        if (j === r || abs[j] < threshold || abs[j] === 0) continue;
        indices[at] = items[j];
        scores[at] = b[o + j];
        at++;
        taken++;
      }
      r++;
    }
  }
  indptr[n] = at;
  if (m < users.cols) log(`train: EASE on the ${m} most touched of ${users.cols} products (maxItems ${p.maxItems}); the others get no EASE score`);
  return { lambda: p.lambda, fittedItems: m, catalogItems: n, weights: { indptr, indices: indices.slice(0, at), scores: scores.slice(0, at) } };
}

/**
 * A customer's EASE scores over the catalogue (`out`, length = products, overwritten): the sum of
 * the kept B rows of the products in `history` (each product once: X is binary).
 */
export function easeScores(model: EaseModel | ItemNeighbours, history: Iterable<number>, out: Float64Array): Float64Array {
  const w = "weights" in model ? model.weights : model;
  out.fill(0);
  const seen = new Set<number>();
  const n = w.indptr.length - 1;
  for (const i of history) {
    if (seen.has(i) || i < 0 || i >= n) continue;
    seen.add(i);
    for (let p = w.indptr[i]; p < w.indptr[i + 1]; p++) out[w.indices[p]] += w.scores[p];
  }
  return out;
}

/** The products of a request's history that form the customer's EASE row: summed strength > 0 (as in the Gram). */
export function easeHistory(entries: readonly { item: number; confidence: number }[]): number[] {
  const sum = new Map<number, number>();
  for (const e of entries) sum.set(e.item, (sum.get(e.item) ?? 0) + e.confidence);
  return [...sum].filter(([, r]) => r > 0).map(([i]) => i);
}

/**
 * The collaborative score of every product (`out`, length = products) for a model with an EASE
 * part: (1 - w) ALS / max ALS + w EASE / max EASE, each part scaled by its own maximum over the
 * catalogue (a part without a positive score contributes nothing). `vec`: the customer's ALS
 * vector (null: no ALS part). The same function serves (sources/collaborative.ts) and tunes
 * (cf/tune.ts), so what the tuner measured is what is served.
 */
export function mixedScores(
  model: { factors: number; itemFactors: Float32Array; ease?: { weights: ItemNeighbours; weight: number } | null },
  vec: Float32Array | null,
  history: Iterable<number>,
  out: Float64Array,
  scratch: Float64Array = new Float64Array(out.length),
): Float64Array {
  const w = Math.min(1, Math.max(0, model.ease?.weight ?? 0));
  out.fill(0);
  const n = out.length;
  const f = model.factors;
  if (vec && w < 1) {
    let max = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * f;
      for (let a = 0; a < f; a++) s += vec[a] * model.itemFactors[o + a];
      scratch[i] = s;
      if (s > max) max = s;
    }
    if (max > 0) for (let i = 0; i < n; i++) out[i] = ((1 - w) * scratch[i]) / max;
  }
  if (model.ease && w > 0) {
    easeScores(model.ease.weights, history, scratch);
    let max = 0;
    for (let i = 0; i < n; i++) if (scratch[i] > max) max = scratch[i];
    if (max > 0) for (let i = 0; i < n; i++) out[i] += (w * scratch[i]) / max;
  }
  return out;
}
