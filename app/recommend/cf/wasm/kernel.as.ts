// @ts-nocheck: AssemblyScript source (v128, f32x4, load<T>), compiled to kernelWasm.ts by
// scripts/build-als-wasm.mts; TypeScript does not read it.
//
// The ALS kernel of kernel.ts in WebAssembly SIMD (f32x4), on a shared linear memory: the same
// conjugate-gradient row solve and Gram accumulation, in Float32 with four-lane vectors. Every
// pointer is a byte offset; f must be a multiple of 4; rows are 16-byte aligned.

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline function dot(a: usize, b: usize, bytes: usize): f32 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let k: usize = 0;
  for (; k + 32 <= bytes; k += 32) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + k), v128.load(b + k)));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a + k + 16), v128.load(b + k + 16)));
  }
  if (k < bytes) s0 = f32x4.add(s0, f32x4.mul(v128.load(a + k), v128.load(b + k)));
  return hsum(f32x4.add(s0, s1));
}

/** acc += a * y */
@inline function axpy(acc: usize, a: f32, y: usize, bytes: usize): void {
  const s = f32x4.splat(a);
  for (let k: usize = 0; k < bytes; k += 16) {
    v128.store(acc + k, f32x4.add(v128.load(acc + k), f32x4.mul(s, v128.load(y + k))));
  }
}

/** out = G v for symmetric G (f x f, row-major): out = sum_k v[k] G[k, :], 16 columns at a time. */
function matvec(g: usize, v: usize, out: usize, bytes: usize): void {
  let j: usize = 0;
  for (; j + 64 <= bytes; j += 64) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let gp = g + j;
    for (let k: usize = 0; k < bytes; k += 4) {
      const s = f32x4.splat(load<f32>(v + k));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(gp)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(gp + 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(gp + 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(gp + 48)));
      gp += bytes;
    }
    v128.store(out + j, a0);
    v128.store(out + j + 16, a1);
    v128.store(out + j + 32, a2);
    v128.store(out + j + 48, a3);
  }
  for (; j < bytes; j += 16) {
    let a0 = f32x4.splat(0);
    let gp = g + j;
    for (let k: usize = 0; k < bytes; k += 4) {
      a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(v + k)), v128.load(gp)));
      gp += bytes;
    }
    v128.store(out + j, a0);
  }
}

/** out = D v for a diagonal D (f floats at d). */
@inline function diagmul(d: usize, v: usize, out: usize, bytes: usize): void {
  for (let k: usize = 0; k < bytes; k += 16) v128.store(out + k, f32x4.mul(v128.load(d + k), v128.load(v + k)));
}

/** Rows start..end-1 of m (f columns) replaced by row x rot (f x f, row-major); scratch: f floats. */
export function rotateRows(m: usize, rot: usize, f: i32, start: i32, end: i32, scratch: usize): void {
  const bytes = <usize>f << 2;
  for (let r = start; r < end; r++) {
    const row = m + <usize>r * bytes;
    matvec(rot, row, scratch, bytes);
    memory.copy(row, scratch, bytes);
  }
}

/**
 * Conjugate-gradient ALS half-step for rows start..end-1 of x given y (see kernel.ts solveRowsCg).
 * scratch: 4 f floats of this thread's own. diagonal != 0: gram holds only the diagonal (f floats)
 * of a diagonal Gram matrix (the factors were rotated into its eigenbasis): f instead of f^2 per step.
 */
export function solveRows(
  x: usize, y: usize, gram: usize, indptr: usize, indices: usize, data: usize,
  f: i32, alpha: f32, cgSteps: i32, start: i32, end: i32, scratch: usize, diagonal: i32,
): void {
  const bytes = <usize>f << 2;
  const xv = scratch;
  const r = scratch + bytes;
  const p = r + bytes;
  const ap = p + bytes;
  const zero = f32x4.splat(0);
  for (let u = start; u < end; u++) {
    const xo = x + <usize>u * bytes;
    const lo = load<i32>(indptr + (<usize>u << 2));
    const hi = load<i32>(indptr + (<usize>(u + 1) << 2));
    if (lo == hi) {
      for (let k: usize = 0; k < bytes; k += 16) v128.store(xo + k, zero);
      continue;
    }
    memory.copy(xv, xo, bytes);
    // r = b - A x
    if (diagonal) diagmul(gram, xv, r, bytes);
    else matvec(gram, xv, r, bytes);
    for (let k: usize = 0; k < bytes; k += 16) v128.store(r + k, f32x4.neg(v128.load(r + k)));
    for (let j = lo; j < hi; j++) {
      const c: f32 = 1 + alpha * load<f32>(data + (<usize>j << 2));
      const yo = y + <usize>load<i32>(indices + (<usize>j << 2)) * bytes;
      axpy(r, c - (c - 1) * dot(yo, xv, bytes), yo, bytes);
    }
    memory.copy(p, r, bytes);
    let rsold = dot(r, r, bytes);
    for (let step = 0; step < cgSteps; step++) {
      if (!(rsold > 1e-20)) break;
      if (diagonal) diagmul(gram, p, ap, bytes);
      else matvec(gram, p, ap, bytes);
      for (let j = lo; j < hi; j++) {
        const yo = y + <usize>load<i32>(indices + (<usize>j << 2)) * bytes;
        axpy(ap, alpha * load<f32>(data + (<usize>j << 2)) * dot(yo, p, bytes), yo, bytes);
      }
      const pAp = dot(p, ap, bytes);
      if (!(pAp > 0)) break;
      const a = f32x4.splat(rsold / pAp);
      for (let k: usize = 0; k < bytes; k += 16) {
        v128.store(xv + k, f32x4.add(v128.load(xv + k), f32x4.mul(a, v128.load(p + k))));
        v128.store(r + k, f32x4.sub(v128.load(r + k), f32x4.mul(a, v128.load(ap + k))));
      }
      const rsnew = dot(r, r, bytes);
      const beta = f32x4.splat(rsnew / rsold);
      for (let k: usize = 0; k < bytes; k += 16) {
        v128.store(p + k, f32x4.add(v128.load(r + k), f32x4.mul(beta, v128.load(p + k))));
      }
      rsold = rsnew;
    }
    memory.copy(xo, xv, bytes);
  }
}

/** out (f x f, f32) += sum of y_r y_r^T over rows start..end-1; four rows per pass over out. */
export function gramRows(y: usize, f: i32, start: i32, end: i32, out: usize): void {
  const bytes = <usize>f << 2;
  let row = start;
  for (; row + 4 <= end; row += 4) {
    const y0 = y + <usize>row * bytes;
    const y1 = y0 + bytes;
    const y2 = y1 + bytes;
    const y3 = y2 + bytes;
    for (let a: usize = 0; a < bytes; a += 4) {
      const s0 = f32x4.splat(load<f32>(y0 + a));
      const s1 = f32x4.splat(load<f32>(y1 + a));
      const s2 = f32x4.splat(load<f32>(y2 + a));
      const s3 = f32x4.splat(load<f32>(y3 + a));
      const o = out + a * <usize>f;
      for (let b: usize = 0; b < bytes; b += 16) {
        const t = f32x4.add(
          f32x4.add(f32x4.mul(s0, v128.load(y0 + b)), f32x4.mul(s1, v128.load(y1 + b))),
          f32x4.add(f32x4.mul(s2, v128.load(y2 + b)), f32x4.mul(s3, v128.load(y3 + b))),
        );
        v128.store(o + b, f32x4.add(v128.load(o + b), t));
      }
    }
  }
  for (; row < end; row++) {
    const y0 = y + <usize>row * bytes;
    for (let a: usize = 0; a < bytes; a += 4) {
      const s0 = f32x4.splat(load<f32>(y0 + a));
      const o = out + a * <usize>f;
      for (let b: usize = 0; b < bytes; b += 16) v128.store(o + b, f32x4.add(v128.load(o + b), f32x4.mul(s0, v128.load(y0 + b))));
    }
  }
}

/**
 * The same half-step as solveRows for rows start..end-1 of `out`, computed column-wise: every
 * row's conjugate gradient advances in lockstep, and the sparse terms are gathered by walking the
 * OTHER side's CSR (`indptr/indices/data`: rows = other side, columns = rows of `out`) in order,
 * so `other` (the big customer matrix, when solving products) streams from memory once per pass
 * instead of being fetched row by random row. Per row, the operations and their order are those of
 * solveRows (contributions in ascending other-row order), so the results are bit-identical.
 * `counts` are the row pointers of out's own CSR (empty rows become 0). State (R, P, AP: nRows x f;
 * rs: nRows f32; active: nRows i32) lives at `state`; a thread touches only its rows' parts.
 */
export function solveRowsStreaming(
  out: usize, other: usize, gram: usize, counts: usize, indptr: usize, indices: usize, data: usize, nOther: i32,
  f: i32, alpha: f32, cgSteps: i32, start: i32, end: i32, state: usize, nRows: i32,
): void {
  const bytes = <usize>f << 2;
  const R = state;
  const P = R + <usize>nRows * bytes;
  const AP = P + <usize>nRows * bytes;
  const RS = AP + <usize>nRows * bytes;
  const ACTIVE = RS + (<usize>nRows << 2);
  const zero = f32x4.splat(0);
  // r = -G x for every row; empty rows are solved (0) and inactive.
  for (let i = start; i < end; i++) {
    const xo = out + <usize>i * bytes;
    const ri = R + <usize>i * bytes;
    const empty = load<i32>(counts + (<usize>i << 2)) == load<i32>(counts + (<usize>(i + 1) << 2));
    store<i32>(ACTIVE + (<usize>i << 2), empty ? 0 : 1);
    if (empty) {
      for (let k: usize = 0; k < bytes; k += 16) v128.store(xo + k, zero);
      continue;
    }
    matvec(gram, xo, ri, bytes);
    for (let k: usize = 0; k < bytes; k += 16) v128.store(ri + k, f32x4.neg(v128.load(ri + k)));
  }
  // r += (c - (c - 1) x.y) y over the other side's rows, in order.
  for (let u = 0; u < nOther; u++) {
    let j = load<i32>(indptr + (<usize>u << 2));
    const hi = load<i32>(indptr + (<usize>(u + 1) << 2));
    while (j < hi && load<i32>(indices + (<usize>j << 2)) < start) j++;
    const yo = other + <usize>u * bytes;
    for (; j < hi; j++) {
      const i = load<i32>(indices + (<usize>j << 2));
      if (i >= end) break;
      const c: f32 = 1 + alpha * load<f32>(data + (<usize>j << 2));
      axpy(R + <usize>i * bytes, c - (c - 1) * dot(yo, out + <usize>i * bytes, bytes), yo, bytes);
    }
  }
  for (let i = start; i < end; i++) {
    if (load<i32>(ACTIVE + (<usize>i << 2)) == 0) continue;
    const ri = R + <usize>i * bytes;
    memory.copy(P + <usize>i * bytes, ri, bytes);
    store<f32>(RS + (<usize>i << 2), dot(ri, ri, bytes));
  }
  for (let step = 0; step < cgSteps; step++) {
    let any = false;
    for (let i = start; i < end; i++) {
      const act = ACTIVE + (<usize>i << 2);
      if (load<i32>(act) == 0) continue;
      if (!(load<f32>(RS + (<usize>i << 2)) > 1e-20)) {
        store<i32>(act, 0);
        continue;
      }
      any = true;
      matvec(gram, P + <usize>i * bytes, AP + <usize>i * bytes, bytes);
    }
    if (!any) break;
    for (let u = 0; u < nOther; u++) {
      let j = load<i32>(indptr + (<usize>u << 2));
      const hi = load<i32>(indptr + (<usize>(u + 1) << 2));
      while (j < hi && load<i32>(indices + (<usize>j << 2)) < start) j++;
      const yo = other + <usize>u * bytes;
      for (; j < hi; j++) {
        const i = load<i32>(indices + (<usize>j << 2));
        if (i >= end) break;
        if (load<i32>(ACTIVE + (<usize>i << 2)) == 0) continue;
        axpy(AP + <usize>i * bytes, alpha * load<f32>(data + (<usize>j << 2)) * dot(yo, P + <usize>i * bytes, bytes), yo, bytes);
      }
    }
    for (let i = start; i < end; i++) {
      const act = ACTIVE + (<usize>i << 2);
      if (load<i32>(act) == 0) continue;
      const xo = out + <usize>i * bytes;
      const ri = R + <usize>i * bytes;
      const pi = P + <usize>i * bytes;
      const api = AP + <usize>i * bytes;
      const pAp = dot(pi, api, bytes);
      if (!(pAp > 0)) {
        store<i32>(act, 0);
        continue;
      }
      const rsold = load<f32>(RS + (<usize>i << 2));
      const a = f32x4.splat(rsold / pAp);
      for (let k: usize = 0; k < bytes; k += 16) {
        v128.store(xo + k, f32x4.add(v128.load(xo + k), f32x4.mul(a, v128.load(pi + k))));
        v128.store(ri + k, f32x4.sub(v128.load(ri + k), f32x4.mul(a, v128.load(api + k))));
      }
      const rsnew = dot(ri, ri, bytes);
      const beta = f32x4.splat(rsnew / rsold);
      for (let k: usize = 0; k < bytes; k += 16) {
        v128.store(pi + k, f32x4.add(v128.load(ri + k), f32x4.mul(beta, v128.load(pi + k))));
      }
      store<f32>(RS + (<usize>i << 2), rsnew);
    }
  }
}
