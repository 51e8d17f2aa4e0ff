/**
 * Plain reference recommenders for `npm run eval:real` (never used by the product): popularity
 * (all time / a recent window), implicit ALS (Hu, Koren & Volinsky 2008, exact Cholesky solves)
 * and EASE (Steck 2019, dense inverse). Written for clarity over speed; Float64 throughout.
 *
 * Input: a train matrix of customers x items with per-cell counts (number of purchase lines or
 * quantity, as the caller chooses) and the last purchase time per cell.
 */
import { choleskySolveLower } from "../../app/recommend/cf/foldin";
import { mulberry32 } from "../../app/recommend/random";

export interface TrainMatrix {
  users: number;
  items: number;
  /** CSR rows per user: item indices (sorted) and counts. */
  rowPtr: Int32Array;
  colIdx: Int32Array;
  counts: Float64Array;
  /** Latest purchase time (ms) of each cell. */
  lastAt: Float64Array;
}

/** A score for every item for one user (higher is better). */
export type Scorer = (user: number, out: Float64Array) => void;

export function popularityScorer(m: TrainMatrix, since = -Infinity): Scorer {
  // Distinct buyers per item (since a time): a wholesaler's 500 lines count once.
  const pop = new Float64Array(m.items);
  for (let u = 0; u < m.users; u++) for (let p = m.rowPtr[u]; p < m.rowPtr[u + 1]; p++) if (m.lastAt[p] >= since) pop[m.colIdx[p]] += 1;
  // Ties broken by all-time popularity so that the recent list is a full list.
  const all = new Float64Array(m.items);
  for (let p = 0; p < m.colIdx.length; p++) all[m.colIdx[p]] += 1;
  return (_u, out) => {
    for (let i = 0; i < m.items; i++) out[i] = pop[i] + all[i] * 1e-7;
  };
}

/** Transposed CSR (items x users) with the same values. */
function transpose(m: TrainMatrix, values: Float64Array): { ptr: Int32Array; idx: Int32Array; val: Float64Array } {
  const ptr = new Int32Array(m.items + 1);
  for (let p = 0; p < m.colIdx.length; p++) ptr[m.colIdx[p] + 1]++;
  for (let i = 0; i < m.items; i++) ptr[i + 1] += ptr[i];
  const fill = ptr.slice(0, m.items);
  const idx = new Int32Array(m.colIdx.length);
  const val = new Float64Array(m.colIdx.length);
  for (let u = 0; u < m.users; u++)
    for (let p = m.rowPtr[u]; p < m.rowPtr[u + 1]; p++) {
      const q = fill[m.colIdx[p]]++;
      idx[q] = u;
      val[q] = values[p];
    }
  return { ptr, idx, val };
}

export interface AlsParams {
  factors: number;
  regularization: number;
  alpha: number;
  iterations: number;
  /** Confidence from the count: "linear" 1 + alpha*count, "log" 1 + alpha*log(1 + count). */
  confidence: "linear" | "log";
  seed: number;
}

/** One half-sweep: solve every row of X given the fixed factors Y (implicit ALS normal equations). */
function alsSweep(rows: number, ptr: Int32Array, idx: Int32Array, conf: Float64Array, Y: Float64Array, X: Float64Array, f: number, lambda: number): void {
  const nY = Y.length / f;
  const YtY = new Float64Array(f * f);
  for (let i = 0; i < nY; i++) {
    const o = i * f;
    for (let a = 0; a < f; a++) {
      const ya = Y[o + a];
      if (ya === 0) continue;
      for (let b = a; b < f; b++) YtY[a * f + b] += ya * Y[o + b];
    }
  }
  for (let a = 0; a < f; a++) for (let b = 0; b < a; b++) YtY[a * f + b] = YtY[b * f + a];
  const A = new Float64Array(f * f);
  const rhs = new Float64Array(f);
  for (let r = 0; r < rows; r++) {
    A.set(YtY);
    rhs.fill(0);
    for (let a = 0; a < f; a++) A[a * f + a] += lambda;
    for (let p = ptr[r]; p < ptr[r + 1]; p++) {
      const c = conf[p];
      const o = idx[p] * f;
      for (let a = 0; a < f; a++) {
        const w = (c - 1) * Y[o + a];
        rhs[a] += c * Y[o + a];
        if (w === 0) continue;
        for (let b = a; b < f; b++) A[a * f + b] += w * Y[o + b];
      }
    }
    for (let a = 0; a < f; a++) for (let b = 0; b < a; b++) A[a * f + b] = A[b * f + a];
    choleskySolveLower(A, rhs, f);
    X.set(rhs, r * f);
  }
}

export function alsScorer(m: TrainMatrix, params: AlsParams): Scorer {
  const f = params.factors;
  const conf = new Float64Array(m.counts.length);
  for (let p = 0; p < conf.length; p++) conf[p] = params.confidence === "log" ? 1 + params.alpha * Math.log1p(m.counts[p]) : 1 + params.alpha * m.counts[p];
  const t = transpose(m, conf);
  const rand = mulberry32(params.seed);
  const U = new Float64Array(m.users * f);
  const V = new Float64Array(m.items * f);
  for (let i = 0; i < V.length; i++) V[i] = (rand() - 0.5) * 0.1;
  for (let it = 0; it < params.iterations; it++) {
    alsSweep(m.users, m.rowPtr, m.colIdx, conf, V, U, f, params.regularization);
    alsSweep(m.items, t.ptr, t.idx, t.val, U, V, f, params.regularization);
  }
  return (u, out) => {
    const o = u * f;
    for (let i = 0; i < m.items; i++) {
      let s = 0;
      const q = i * f;
      for (let a = 0; a < f; a++) s += U[o + a] * V[q + a];
      out[i] = s;
    }
  };
}

/**
 * Inverse of a dense SPD n x n matrix (row-major), in place, by Gauss-Jordan elimination without
 * pivoting (safe for SPD matrices: every pivot is a positive Schur complement).
 */
export function invertSpd(a: Float64Array, n: number): void {
  const row = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ok = k * n;
    const piv = a[ok + k];
    if (!(piv > 0)) throw new RangeError(`pivot ${k} is ${piv}: the matrix is not positive definite`);
    const inv = 1 / piv;
    // Row k of the result: row k / pivot, with column k replaced by 1/pivot.
    for (let j = 0; j < n; j++) row[j] = a[ok + j] * inv;
    row[k] = inv;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const oi = i * n;
      const factor = a[oi + k];
      if (factor === 0) continue;
      for (let j = 0; j < n; j++) a[oi + j] -= factor * row[j];
      a[oi + k] = -factor * inv;
    }
    a.set(row, ok);
  }
}

/** EASE: B = I - P diag(1/diag(P)), P = (XᵀX + λI)⁻¹, X binary (bought or not); score = x_u B. */
export function easeScorer(m: TrainMatrix, lambda: number): Scorer {
  const n = m.items;
  const G = new Float64Array(n * n);
  for (let u = 0; u < m.users; u++) {
    const s = m.rowPtr[u];
    const e = m.rowPtr[u + 1];
    for (let p = s; p < e; p++) {
      const oi = m.colIdx[p] * n;
      for (let q = s; q < e; q++) G[oi + m.colIdx[q]] += 1;
    }
  }
  for (let i = 0; i < n; i++) G[i * n + i] += lambda;
  invertSpd(G, n);
  // B[i][j] = -P[i][j] / P[j][j] for i != j, 0 on the diagonal.
  const diag = new Float64Array(n);
  for (let j = 0; j < n; j++) diag[j] = G[j * n + j];
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let j = 0; j < n; j++) G[oi + j] = i === j ? 0 : -G[oi + j] / diag[j];
  }
  return (u, out) => {
    out.fill(0);
    for (let p = m.rowPtr[u]; p < m.rowPtr[u + 1]; p++) {
      const oi = m.colIdx[p] * n;
      for (let j = 0; j < n; j++) out[j] += G[oi + j];
    }
  };
}
