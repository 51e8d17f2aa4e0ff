/**
 * Where ALS's numbers live and which kernel runs on them. Everything (both factor matrices, both
 * CSR matrices, the Gram matrix and its per-chunk partials) sits in one buffer at fixed offsets:
 * a WebAssembly.Memory for the SIMD kernel (wasm/kernel.as.ts), a SharedArrayBuffer (or plain
 * ArrayBuffer) for the JavaScript kernel (kernel.ts). A "spec" (buffer + offsets) can be handed
 * to worker threads, which open the same backend on the same memory: no copies between phases.
 */
import type { CsrMatrix } from "./csr";
import { cgScratch, gramRows, solveRowsCg, type CgScratch } from "./kernel";
import { KERNEL_WASM_BASE64 } from "./wasm/kernelWasm";

export type KernelKind = "wasm" | "js";

interface CsrOffsets { rows: number; cols: number; nnz: number; indptr: number; indices: number; data: number }

export interface BackendSpec {
  kind: KernelKind;
  /** The WebAssembly.Memory (wasm) or the buffer (js) holding everything. */
  memory: WebAssembly.Memory | null;
  buffer: SharedArrayBuffer | ArrayBuffer | null;
  module: WebAssembly.Module | null;
  f: number;
  alpha: number;
  cgSteps: number;
  chunk: number;
  nUsers: number;
  nItems: number;
  x: number;
  y: number;
  users: CsrOffsets;
  items: CsrOffsets;
  gram: number;
  userParts: number;
  itemParts: number;
  scratch: number;
  /** f x f f32 rotation; an i32 flag (1: the Gram matrix is diagonal). */
  rot: number;
  flags: number;
  threads: number;
  /** Products solved by solveRowsStreaming (wasm): the offset of its state, or -1 (row by row). */
  streamState: number;
}

export interface Backend {
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Rows start..end-1 of side 0 (customers, given products) or 1 (products, given customers). */
  solve(side: number, start: number, end: number): void;
  /** Partial Gram matrices of side 0 (customer factors) or 1 (product factors), chunks c0..c1-1. */
  gram(side: number, c0: number, c1: number): void;
  /** The partials of a side, chunk c at [c f^2, (c + 1) f^2). */
  parts(side: number): Float32Array | Float64Array;
  /** Sets the (regularized) Gram matrix the next solve uses. */
  setGram(g: Float64Array): void;
  /** Row pointers of side 0 (customers) or 1 (products), for balancing work. */
  indptr(side: number): Int32Array;
  /** Whether rotate / setDiagonalGram exist (the wasm kernel). */
  readonly rotates: boolean;
  /** Sets the f x f rotation (row-major; column j = j-th basis vector) that rotate applies. */
  setRotation(v: Float64Array): void;
  /** Rows start..end-1 of side 0 or 1 replaced by row x rotation. */
  rotate(side: number, start: number, end: number): void;
  /** Sets a diagonal Gram matrix (its f diagonal values) for the next solve of side 0. */
  setDiagonalGram(d: Float64Array): void;
}

let cachedModule: WebAssembly.Module | null | undefined;

/** The compiled SIMD kernel, or null where this runtime lacks WebAssembly SIMD or shared memory. */
export function wasmKernelModule(): WebAssembly.Module | null {
  if (cachedModule !== undefined) return cachedModule;
  try {
    const bytes = Uint8Array.from(atob(KERNEL_WASM_BASE64), (c) => c.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    new WebAssembly.Instance(module, { env: { memory } });
    cachedModule = module;
  } catch {
    cachedModule = null;
  }
  return cachedModule;
}

const align16 = (n: number) => (n + 15) & ~15;

/** Lays out and fills the buffer for one training run. */
export function createBackendSpec(o: {
  kind: KernelKind;
  shared: boolean;
  users: CsrMatrix;
  items: CsrMatrix;
  x: Float32Array;
  y: Float32Array;
  f: number;
  alpha: number;
  cgSteps: number;
  chunk: number;
  threads: number;
  /**
   * Solve the products column-wise, streaming the customer factors (wasm only). "auto": when the
   * customer matrix is large (> 4 MiB) and at least 4x the product matrix, where fetching
   * customer rows at random dominated the product half-step (cache misses, not arithmetic).
   */
  stream?: boolean | "auto";
}): BackendSpec {
  const { f, users, items } = o;
  const partBytes = o.kind === "wasm" ? 4 : 8;
  let at = 64;
  const take = (bytes: number) => {
    const off = at;
    at = align16(at + bytes);
    return off;
  };
  const csr = (m: CsrMatrix): CsrOffsets => {
    const n = m.indptr[m.rows];
    return { rows: m.rows, cols: m.cols, nnz: n, indptr: take(4 * (m.rows + 1)), indices: take(4 * n), data: take(4 * n) };
  };
  const nUsers = users.rows;
  const nItems = items.rows;
  const layout = {
    x: take(4 * nUsers * f),
    y: take(4 * nItems * f),
    users: csr(users),
    items: csr(items),
    gram: take(8 * f * f),
    userParts: take(partBytes * Math.max(1, Math.ceil(nUsers / o.chunk)) * f * f),
    itemParts: take(partBytes * Math.max(1, Math.ceil(nItems / o.chunk)) * f * f),
    scratch: take(16 * f * o.threads),
    rot: take(4 * f * f),
    flags: take(16),
    streamState: -1,
  };
  const stream = o.kind === "wasm" && (o.stream === "auto" || o.stream === undefined ? 4 * nUsers * f > 4 << 20 && nUsers >= 4 * nItems : o.stream === true);
  if (stream) layout.streamState = take(3 * 4 * nItems * f + 8 * nItems);
  let memory: WebAssembly.Memory | null = null;
  let buffer: SharedArrayBuffer | ArrayBuffer;
  if (o.kind === "wasm") {
    const pages = Math.ceil(at / 65536);
    if (pages > 65536) throw new RangeError(`ALS needs ${at} bytes: more than WebAssembly's 4 GiB; use kernel "js"`);
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    buffer = memory.buffer;
  } else {
    buffer = o.shared ? new SharedArrayBuffer(at) : new ArrayBuffer(at);
  }
  new Float32Array(buffer, layout.x, nUsers * f).set(o.x);
  new Float32Array(buffer, layout.y, nItems * f).set(o.y);
  for (const [m, off] of [[users, layout.users], [items, layout.items]] as const) {
    new Int32Array(buffer, off.indptr, m.rows + 1).set(m.indptr);
    new Int32Array(buffer, off.indices, off.nnz).set(m.indices.subarray(0, off.nnz));
    new Float32Array(buffer, off.data, off.nnz).set(m.data.subarray(0, off.nnz));
  }
  return {
    kind: o.kind,
    memory,
    buffer: memory ? null : buffer,
    module: o.kind === "wasm" ? wasmKernelModule() : null,
    f,
    alpha: o.alpha,
    cgSteps: o.cgSteps,
    chunk: o.chunk,
    nUsers,
    nItems,
    threads: o.threads,
    ...layout,
  };
}

/** The views over a spec's memory that both kernels use. */
interface BackendViews {
  x: Float32Array;
  y: Float32Array;
  users: CsrMatrix;
  items: CsrMatrix;
  chunksU: number;
  chunksI: number;
  rowsOf: (side: number) => number;
}

/** Opens the backend of a spec for one thread (thread 0 is the main thread). */
export function openBackend(spec: BackendSpec, thread: number): Backend {
  const buffer = spec.memory ? spec.memory.buffer : spec.buffer!;
  const f = spec.f;
  const csr = (o: CsrOffsets): CsrMatrix => ({
    rows: o.rows, cols: o.cols,
    indptr: new Int32Array(buffer, o.indptr, o.rows + 1),
    indices: new Int32Array(buffer, o.indices, o.nnz),
    data: new Float32Array(buffer, o.data, o.nnz),
  });
  const views: BackendViews = {
    x: new Float32Array(buffer, spec.x, spec.nUsers * f),
    y: new Float32Array(buffer, spec.y, spec.nItems * f),
    users: csr(spec.users),
    items: csr(spec.items),
    chunksU: Math.max(1, Math.ceil(spec.nUsers / spec.chunk)),
    chunksI: Math.max(1, Math.ceil(spec.nItems / spec.chunk)),
    rowsOf: (side: number) => (side === 0 ? spec.nUsers : spec.nItems),
  };
  return spec.kind === "wasm" ? wasmBackend(spec, thread, buffer, views) : jsBackend(spec, buffer, views);
}

/** The AssemblyScript SIMD kernel (cf/wasm/kernel.as.ts) over shared WebAssembly memory. */
function wasmBackend(spec: BackendSpec, thread: number, buffer: ArrayBufferLike, v: BackendViews): Backend {
  const f = spec.f;
  const { x, y, users, items, chunksU, chunksI, rowsOf } = v;
  const instance = new WebAssembly.Instance(spec.module!, { env: { memory: spec.memory! } });
  const k = instance.exports as unknown as {
    solveRows(x: number, y: number, gram: number, indptr: number, indices: number, data: number, f: number, alpha: number, cgSteps: number, start: number, end: number, scratch: number, diagonal: number): void;
    rotateRows(m: number, rot: number, f: number, start: number, end: number, scratch: number): void;
    gramRows(y: number, f: number, start: number, end: number, out: number): void;
    solveRowsStreaming(out: number, other: number, gram: number, counts: number, indptr: number, indices: number, data: number, nOther: number, f: number, alpha: number, cgSteps: number, start: number, end: number, state: number, nRows: number): void;
  };
  const gram32 = new Float32Array(buffer, spec.gram, f * f);
  const rot32 = new Float32Array(buffer, spec.rot, f * f);
  const flags = new Int32Array(buffer, spec.flags, 4);
  const parts = [new Float32Array(buffer, spec.userParts, chunksU * f * f), new Float32Array(buffer, spec.itemParts, chunksI * f * f)];
  const scratch = spec.scratch + thread * 16 * f;
  return {
    x,
    y,
    solve(side, start, end) {
      if (side === 1 && spec.streamState >= 0) {
        const u = spec.users;
        k.solveRowsStreaming(spec.y, spec.x, spec.gram, spec.items.indptr, u.indptr, u.indices, u.data, spec.nUsers, f, spec.alpha, spec.cgSteps, start, end, spec.streamState, spec.nItems);
        return;
      }
      const [out, other, m] = side === 0 ? [spec.x, spec.y, spec.users] : [spec.y, spec.x, spec.items];
      k.solveRows(out, other, spec.gram, m.indptr, m.indices, m.data, f, spec.alpha, spec.cgSteps, start, end, scratch, side === 0 ? Atomics.load(flags, 0) : 0);
    },
    gram(side, c0, c1) {
      const rows = rowsOf(side);
      const base = side === 0 ? spec.userParts : spec.itemParts;
      const ptr = side === 0 ? spec.x : spec.y;
      parts[side].fill(0, c0 * f * f, c1 * f * f);
      for (let c = c0; c < c1; c++) k.gramRows(ptr, f, c * spec.chunk, Math.min(rows, (c + 1) * spec.chunk), base + 4 * c * f * f);
    },
    parts: (side) => parts[side],
    setGram(g) {
      gram32.set(g);
      Atomics.store(flags, 0, 0);
    },
    indptr: (side) => (side === 0 ? users : items).indptr,
    rotates: true,
    setRotation(r) {
      rot32.set(r);
    },
    rotate(side, start, end) {
      k.rotateRows(side === 0 ? spec.x : spec.y, spec.rot, f, start, end, scratch);
    },
    setDiagonalGram(d) {
      gram32.set(d);
      Atomics.store(flags, 0, 1);
    },
  };
}

/** The plain JavaScript kernel (cf/kernel.ts): CG in float64 Gram matrices, no rotation. */
function jsBackend(spec: BackendSpec, buffer: ArrayBufferLike, v: BackendViews): Backend {
  const f = spec.f;
  const { x, y, users, items, chunksU, chunksI, rowsOf } = v;
  const factorsOf = (side: number) => (side === 0 ? x : y);
  const gram64 = new Float64Array(buffer, spec.gram, f * f);
  const parts = [new Float64Array(buffer, spec.userParts, chunksU * f * f), new Float64Array(buffer, spec.itemParts, chunksI * f * f)];
  const scratch: CgScratch = cgScratch(f);
  return {
    x,
    y,
    solve(side, start, end) {
      const [out, other, m] = side === 0 ? [x, y, users] : [y, x, items];
      solveRowsCg(out, other, gram64, m.indptr, m.indices, m.data, f, spec.alpha, spec.cgSteps, start, end, scratch);
    },
    gram(side, c0, c1) {
      const rows = rowsOf(side);
      const m = factorsOf(side);
      parts[side].fill(0, c0 * f * f, c1 * f * f);
      for (let c = c0; c < c1; c++) gramRows(m, f, c * spec.chunk, Math.min(rows, (c + 1) * spec.chunk), parts[side], c * f * f);
    },
    parts: (side) => parts[side],
    setGram(g) {
      gram64.set(g);
    },
    indptr: (side) => (side === 0 ? users : items).indptr,
    rotates: false,
    setRotation() {
      throw new Error("the JavaScript ALS kernel does not rotate");
    },
    rotate() {
      throw new Error("the JavaScript ALS kernel does not rotate");
    },
    setDiagonalGram() {
      throw new Error("the JavaScript ALS kernel has no diagonal solve");
    },
  };
}
