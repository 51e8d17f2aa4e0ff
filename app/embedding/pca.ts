/**
 * Dimension reduction for large catalogs: the top-k subspace of the vectors' second-moment matrix
 * (uncentred PCA, i.e. a truncated SVD). Uncentred because the index compares dot products of
 * L2-normalised vectors: projecting onto the subspace that holds most of their energy preserves
 * those dot products best. Only the subspace matters for dot products (any orthonormal basis of it
 * gives the same ones), so a few rounds of block subspace iteration suffice; no eigen-solver.
 */
import { mulberry32 } from "../recommend/random";

export interface Projection {
  inputDim: number;
  dim: number;
  /** dim x inputDim, row-major, orthonormal rows. */
  basis: Float32Array;
  /** Share of the sample's energy kept (0..1). */
  energy: number;
}

/** Orthonormalises the k columns of Q (d x k, column-major) in place (modified Gram-Schmidt). */
function orthonormalise(Q: Float64Array, d: number, k: number): void {
  for (let j = 0; j < k; j++) {
    const cj = j * d;
    for (let i = 0; i < j; i++) {
      const ci = i * d;
      let s = 0;
      for (let r = 0; r < d; r++) s += Q[ci + r] * Q[cj + r];
      for (let r = 0; r < d; r++) Q[cj + r] -= s * Q[ci + r];
    }
    let n = 0;
    for (let r = 0; r < d; r++) n += Q[cj + r] * Q[cj + r];
    n = Math.sqrt(n) || 1;
    for (let r = 0; r < d; r++) Q[cj + r] /= n;
  }
}

/** Z = C Q for symmetric C (d x d) and Q (d x k, column-major); four accumulators per dot product. */
function multiply(C: Float64Array, Q: Float64Array, Z: Float64Array, d: number, k: number): void {
  const d4 = d - (d % 4);
  for (let j = 0; j < k; j++) {
    const qj = j * d;
    for (let r = 0; r < d; r++) {
      const row = r * d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let c = 0;
      for (; c < d4; c += 4) {
        s0 += C[row + c] * Q[qj + c];
        s1 += C[row + c + 1] * Q[qj + c + 1];
        s2 += C[row + c + 2] * Q[qj + c + 2];
        s3 += C[row + c + 3] * Q[qj + c + 3];
      }
      for (; c < d; c++) s0 += C[row + c] * Q[qj + c];
      Z[qj + r] = s0 + s1 + s2 + s3;
    }
  }
}

/**
 * Fits a projection to `dim` dimensions from up to `sample` of the vectors.
 * Cost: sample*d^2/2 for the moment matrix plus iterations*d^2*dim multiply-adds (2,000 x 1,392-d to
 * 256-d: about 4 G, a few seconds on one core).
 */
export function fitProjection(vectors: Float32Array[], dim: number, opts: { sample?: number; iterations?: number } = {}): Projection {
  const d = vectors[0].length;
  const sampleSize = Math.min(vectors.length, opts.sample ?? 2000);
  const stride = vectors.length / sampleSize;
  // Second-moment matrix, upper triangle accumulated then mirrored.
  const C = new Float64Array(d * d);
  for (let s = 0; s < sampleSize; s++) {
    const x = vectors[Math.floor(s * stride)];
    for (let i = 0; i < d; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      const row = i * d;
      for (let j = i; j < d; j++) C[row + j] += xi * x[j];
    }
  }
  let trace = 0;
  for (let i = 0; i < d; i++) {
    trace += C[i * d + i];
    for (let j = 0; j < i; j++) C[i * d + j] = C[j * d + i];
  }
  const k = Math.min(dim, d);
  const rand = mulberry32(12345);
  let Q = new Float64Array(d * k);
  for (let i = 0; i < Q.length; i++) Q[i] = rand() - 0.5;
  orthonormalise(Q, d, k);
  const iterations = opts.iterations ?? 4;
  let Z = new Float64Array(d * k);
  let kept = 0;
  for (let it = 0; it < iterations; it++) {
    multiply(C, Q, Z, d, k);
    // Energy kept by the current basis, trace(Q^T C Q), from the product just computed.
    kept = 0;
    for (let i = 0; i < d * k; i++) kept += Q[i] * Z[i];
    orthonormalise(Z, d, k);
    [Q, Z] = [Z, Q];
  }
  return { inputDim: d, dim: k, basis: Float32Array.from(Q), energy: trace > 0 ? kept / trace : 1 };
}

/** Projects and L2-normalises one vector. */
export function project(p: Projection, v: Float32Array): Float32Array {
  if (v.length !== p.inputDim) throw new Error(`vector has ${v.length} dimensions, the projection expects ${p.inputDim}`);
  const out = new Float32Array(p.dim);
  const d = p.inputDim, d4 = d - (d % 4), b = p.basis;
  let n = 0;
  for (let j = 0; j < p.dim; j++) {
    const o = j * d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i < d4; i += 4) {
      s0 += b[o + i] * v[i];
      s1 += b[o + i + 1] * v[i + 1];
      s2 += b[o + i + 2] * v[i + 2];
      s3 += b[o + i + 3] * v[i + 3];
    }
    for (; i < d; i++) s0 += b[o + i] * v[i];
    const s = s0 + s1 + s2 + s3;
    out[j] = s;
    n += s * s;
  }
  n = Math.sqrt(n);
  if (n > 0) for (let j = 0; j < p.dim; j++) out[j] /= n;
  return out;
}
