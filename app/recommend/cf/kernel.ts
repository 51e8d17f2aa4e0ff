/**
 * The JavaScript ALS kernel: the fallback of the WebAssembly SIMD kernel (wasm/kernel.as.ts, about
 * 4-7x faster), used when factors is not a multiple of 4 or the runtime lacks wasm SIMD.
 *
 * The tight loops of implicit ALS, on raw typed arrays only (no objects, no allocation per row),
 * so that the same functions run on the main thread and inside worker_threads over
 * SharedArrayBuffers. Factors are row-major Float32; arithmetic is Float64 with four accumulators
 * (V8 keeps them in registers; that doubled the speed of the matrix-vector products here).
 *
 * The solver is conjugate gradient on the normal equations of one row (Takacs et al. 2011, the
 * approach of the `implicit` library): for customer u with strengths r_ui,
 *   (G + sum_i (c_ui - 1) y_i y_i^T) x_u = sum_i c_ui y_i,   G = Y^T Y + lambda I,  c = 1 + alpha r,
 * warm-started from the previous x_u, a few steps per sweep. G is precomputed once per half-step,
 * so one step costs f^2 + 2 f nnz(u) multiply-adds.
 */

/** Per-thread scratch vectors (length f each). */
export interface CgScratch {
  x: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
}

export function cgScratch(f: number): CgScratch {
  return { x: new Float64Array(f), r: new Float64Array(f), p: new Float64Array(f), ap: new Float64Array(f) };
}

/** out = G v for a dense symmetric f x f matrix G (Float64, row-major). */
export function symMatVec(g: Float64Array, v: Float64Array, out: Float64Array, f: number): void {
  const f4 = f & ~3;
  for (let j = 0; j < f; j++) {
    const o = j * f;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let k = 0;
    for (; k < f4; k += 4) {
      s0 += g[o + k] * v[k];
      s1 += g[o + k + 1] * v[k + 1];
      s2 += g[o + k + 2] * v[k + 2];
      s3 += g[o + k + 3] * v[k + 3];
    }
    for (; k < f; k++) s0 += g[o + k] * v[k];
    out[j] = s0 + s1 + s2 + s3;
  }
}

/** y_row . v where y_row starts at `off` in a Float32 factor matrix. */
export function dotRow(y: Float32Array, off: number, v: Float64Array, f: number): number {
  const f4 = f & ~3;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k < f4; k += 4) {
    s0 += y[off + k] * v[k];
    s1 += y[off + k + 1] * v[k + 1];
    s2 += y[off + k + 2] * v[k + 2];
    s3 += y[off + k + 3] * v[k + 3];
  }
  for (; k < f; k++) s0 += y[off + k] * v[k];
  return s0 + s1 + s2 + s3;
}

/** acc += a * y_row. */
export function axpyRow(acc: Float64Array, a: number, y: Float32Array, off: number, f: number): void {
  const f4 = f & ~3;
  let k = 0;
  for (; k < f4; k += 4) {
    acc[k] += a * y[off + k];
    acc[k + 1] += a * y[off + k + 1];
    acc[k + 2] += a * y[off + k + 2];
    acc[k + 3] += a * y[off + k + 3];
  }
  for (; k < f; k++) acc[k] += a * y[off + k];
}

function dot64(a: Float64Array, b: Float64Array, f: number): number {
  let s = 0;
  for (let k = 0; k < f; k++) s += a[k] * b[k];
  return s;
}

/**
 * Accumulates the upper triangle of sum_{rows start..end-1} y y^T into out[outOff .. outOff+f*f)
 * (row-major; the lower triangle is left untouched: see symmetrize). Four rows at a time, so each
 * load and store of the accumulator serves four multiply-adds.
 */
export function gramRows(y: Float32Array, f: number, start: number, end: number, out: Float64Array, outOff: number): void {
  let r = start;
  for (; r + 4 <= end; r += 4) {
    const o0 = r * f, o1 = o0 + f, o2 = o1 + f, o3 = o2 + f;
    for (let a = 0; a < f; a++) {
      const a0 = y[o0 + a], a1 = y[o1 + a], a2 = y[o2 + a], a3 = y[o3 + a];
      const row = outOff + a * f;
      for (let b = a; b < f; b++) {
        out[row + b] += a0 * y[o0 + b] + a1 * y[o1 + b] + a2 * y[o2 + b] + a3 * y[o3 + b];
      }
    }
  }
  for (; r < end; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const av = y[o + a];
      const row = outOff + a * f;
      for (let b = a; b < f; b++) out[row + b] += av * y[o + b];
    }
  }
}

/** Copies the upper triangle onto the lower one. */
export function symmetrize(g: Float64Array, f: number): void {
  for (let a = 0; a < f; a++) for (let b = a + 1; b < f; b++) g[b * f + a] = g[a * f + b];
}

/**
 * One ALS half-step for rows start..end-1 of X (in place): each row x_u is moved `cgSteps`
 * conjugate-gradient steps towards the exact solution given Y. Rows without entries become 0
 * (their exact solution). `gram` is Y^T Y + lambda I.
 */
export function solveRowsCg(
  x: Float32Array,
  y: Float32Array,
  gram: Float64Array,
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array,
  f: number,
  alpha: number,
  cgSteps: number,
  start: number,
  end: number,
  s: CgScratch,
): void {
  const xv = s.x, r = s.r, p = s.p, ap = s.ap;
  for (let u = start; u < end; u++) {
    const xo = u * f;
    const lo = indptr[u], hi = indptr[u + 1];
    if (lo === hi) {
      x.fill(0, xo, xo + f);
      continue;
    }
    for (let k = 0; k < f; k++) xv[k] = x[xo + k];
    // r = b - A x
    symMatVec(gram, xv, r, f);
    for (let k = 0; k < f; k++) r[k] = -r[k];
    for (let j = lo; j < hi; j++) {
      const c = 1 + alpha * data[j];
      const yo = indices[j] * f;
      axpyRow(r, c - (c - 1) * dotRow(y, yo, xv, f), y, yo, f);
    }
    for (let k = 0; k < f; k++) p[k] = r[k];
    let rsold = dot64(r, r, f);
    for (let step = 0; step < cgSteps && rsold > 1e-20; step++) {
      symMatVec(gram, p, ap, f);
      for (let j = lo; j < hi; j++) {
        const yo = indices[j] * f;
        axpyRow(ap, alpha * data[j] * dotRow(y, yo, p, f), y, yo, f);
      }
      const pAp = dot64(p, ap, f);
      if (!(pAp > 0)) break;
      const a = rsold / pAp;
      let rsnew = 0;
      for (let k = 0; k < f; k++) {
        xv[k] += a * p[k];
        const rk = r[k] - a * ap[k];
        r[k] = rk;
        rsnew += rk * rk;
      }
      const beta = rsnew / rsold;
      for (let k = 0; k < f; k++) p[k] = r[k] + beta * p[k];
      rsold = rsnew;
    }
    for (let k = 0; k < f; k++) x[xo + k] = xv[k];
  }
}

/** Balanced contiguous ranges of rows with roughly equal work (f^2 per row + 2f per entry). */
export function splitRows(indptr: Int32Array, rows: number, parts: number, f: number): number[] {
  const cost = (r: number) => f + 2 * (indptr[r + 1] - indptr[r]);
  let total = 0;
  for (let r = 0; r < rows; r++) total += cost(r);
  const bounds = [0];
  let acc = 0;
  let next = total / parts;
  for (let r = 0; r < rows && bounds.length < parts; r++) {
    acc += cost(r);
    if (acc >= next) {
      bounds.push(r + 1);
      next += total / parts;
    }
  }
  while (bounds.length < parts) bounds.push(rows);
  bounds.push(rows);
  return bounds;
}
