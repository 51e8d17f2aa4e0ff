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
 * Defaults. maxItems 4000: the whole UCI Online Retail catalogue (3,659 products, 3,618 of them
 * bought before the evaluation's cut) is fitted, with no long tail left to ALS. Cost: 16 m² bytes
 * (256 MB at 4,000: the Gram matrix and U, float64) and m³/2 multiply-adds; measured on the shared
 * 2-core machine under a load average of 12-17 (other jobs), the fit on 3,618 products took 171 s
 * and 256 s with the row-at-a-time inverse, and the blocked inverse below runs about 2x faster
 * (scripts/eval/ease-bench.mts; docs/decisions/0141). The tuner fits it once on the validation
 * slice and once on all events. A larger catalogue is approximated on its 4,000 most touched
 * products (set "cf".ease.maxItems to move the limit). neighbours 500: with 200 kept weights per
 * row, UCI's NDCG@10 of pure EASE fell from 0.0976 (dense B) to 0.0940; 500 gives 0.0977.
 * lambda 200: the reference's value on UCI Online Retail (issue 14).
 */
export const DEFAULT_EASE: EaseParams = { lambda: 200, maxItems: 4000, neighbours: 500 };

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
 * Four dot products sharing one operand: out[r] = a[o[r] .. o[r]+len) · b[bo .. bo+len), r < 4.
 * The shared row is read once for four rows (the dense phases below are memory bound: one pass over
 * the matrix per row otherwise).
 */
function dot4(a: Float64Array, o0: number, o1: number, o2: number, o3: number, b: Float64Array, bo: number, len: number, out: Float64Array): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let k = 0; k < len; k++) {
    const x = b[bo + k];
    s0 += a[o0 + k] * x;
    s1 += a[o1 + k] * x;
    s2 += a[o2 + k] * x;
    s3 += a[o3 + k] * x;
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/**
 * Inverse of a symmetric positive definite n x n matrix (row-major, only its lower triangle is
 * read), returned full and symmetric in `a` (overwritten). Cholesky a = L Lᵀ; U = L⁻ᵀ (upper);
 * a⁻¹ = L⁻ᵀ L⁻¹ = U Uᵀ. Throws where a pivot is not positive (not positive definite).
 *
 * Each phase walks rows four at a time (dot4): the earlier rows they all need are read once per
 * block instead of once per row. Measured (scripts/eval/ease-bench.mts, docs/decisions/0141).
 */
export function invertSpd(a: Float64Array, n: number): void {
  const acc = new Float64Array(4);
  const full = n - (n % 4);
  // 1. Cholesky, L in the lower triangle of a: L[i][j] = (a[i][j] - L[i][:j]·L[j][:j]) / L[j][j].
  for (let i0 = 0; i0 < n; i0 += 4) {
    const rows = Math.min(4, n - i0);
    if (i0 < full) {
      const o = i0 * n;
      for (let j = 0; j < i0; j++) {
        const oj = j * n;
        dot4(a, o, o + n, o + 2 * n, o + 3 * n, a, oj, j, acc);
        const ljj = a[oj + j];
        for (let r = 0; r < 4; r++) a[o + r * n + j] = (a[o + r * n + j] - acc[r]) / ljj;
      }
    }
    for (let i = i0; i < i0 + rows; i++) {
      const oi = i * n;
      for (let j = i0 < full ? i0 : 0; j < i; j++) {
        const oj = j * n;
        a[oi + j] = (a[oi + j] - dot(a, oi, a, oj, j)) / a[oj + j];
      }
      const d = a[oi + i] - dot(a, oi, a, oi, i);
      if (!(d > 0)) throw new RangeError(`invertSpd: pivot ${i} is ${d}: the matrix is not positive definite (raise lambda)`);
      a[oi + i] = Math.sqrt(d);
    }
  }
  // 2. U = L⁻ᵀ, upper triangular, row-major: U[j][j] = 1/L[j][j]; for i > j:
  //    U[j][i] = -(L[i][j..i) · U[j][j..i)) / L[i][i]   (row i of L, row j of U: both contiguous).
  //    Four rows i share the part of the sum left of their block; the rest is added per row.
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) u[i * n + i] = 1 / a[i * n + i];
  for (let i0 = 0; i0 < n; i0 += 4) {
    const rows = Math.min(4, n - i0);
    const o = i0 * n;
    for (let j = 0; j < i0 + rows - 1; j++) {
      const oj = j * n;
      if (j < i0 && rows === 4) dot4(a, o + j, o + n + j, o + 2 * n + j, o + 3 * n + j, u, oj + j, i0 - j, acc);
      else if (j < i0) for (let r = 0; r < rows; r++) acc[r] = dot(a, o + r * n + j, u, oj + j, i0 - j);
      else acc.fill(0);
      for (let r = 0; r < rows; r++) {
        const i = i0 + r;
        if (j >= i) continue;
        const oi = i * n;
        let s = acc[r];
        for (let k = Math.max(j, i0); k < i; k++) s += a[oi + k] * u[oj + k];
        u[oj + i] = -s / a[oi + i];
      }
    }
  }
  // 3. a⁻¹[r][c] = U[r][:]·U[c][:] = U[r][r0..n)·U[c][r0..n) for c <= r, r0 <= r the block's
  //    first row (U is zero left of its diagonal, so the shared start adds only zeros).
  for (let r0 = 0; r0 < n; r0 += 4) {
    const rows = Math.min(4, n - r0);
    const o = r0 * n;
    for (let c = 0; c < r0 + rows; c++) {
      const oc = c * n;
      if (rows === 4) dot4(u, o + r0, o + n + r0, o + 2 * n + r0, o + 3 * n + r0, u, oc + r0, n - r0, acc);
      else for (let r = 0; r < rows; r++) acc[r] = dot(u, o + r * n + r0, u, oc + r0, n - r0);
      for (let q = 0; q < rows; q++) {
        const r = r0 + q;
        if (c > r) continue;
        a[r * n + c] = acc[q];
        a[c * n + r] = acc[q];
      }
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
  if (m < users.cols) {
    log(
      m >= p.maxItems
        ? `train: EASE on the ${m} most touched of ${users.cols} products (maxItems ${p.maxItems}); the others get no EASE score`
        : `train: EASE on all ${m} products that customers touched (of ${users.cols}; maxItems ${p.maxItems} not reached)`,
    );
  }
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
