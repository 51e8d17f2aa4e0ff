/**
 * Implicit-feedback ALS (Hu, Koren, Volinsky 2008) solved by conjugate gradient (Takacs et al.
 * 2011, as the `implicit` library does): the driver. The numbers live in one buffer and the loops
 * run in a kernel (backend.ts): WebAssembly SIMD (wasm/kernel.as.ts, Float32, the default) or
 * JavaScript (kernel.ts, Float64, the fallback). For large data the row solves and Gram matrices
 * are shared out over worker_threads (pool.ts), the main thread working too and blocking on
 * Atomics between phases, so trainAls stays synchronous.
 *
 * Each iteration solves the product factors given the customer factors, then the customer factors
 * given the product factors: the customer vectors that come out are consistent with the final
 * product factors, which is what fold-in (foldin.ts) reproduces at request time (cosine > 0.9999
 * at 64 factors, 3 CG steps, 15 iterations on the bench matrix).
 *
 * Determinism: the initial factors come from a seeded generator; every row solve depends only on
 * the other side's factors and one Gram matrix, which is summed over fixed 4096-row chunks in a
 * fixed order. So a seed gives bit-identical factors with 1 or N threads (for a given kernel).
 */
import { createBackendSpec, wasmKernelModule, type KernelKind } from "./backend";
import type { CsrMatrix } from "./csr";
import { nnz, valueAt } from "./csr";
import { gramRows, symmetrize } from "./kernel";
import { symmetricEigen } from "./eigen";
import { serialEngine, startPool, type AlsEngine } from "./pool";
import { mulberry32 } from "../random";

export interface AlsParams {
  /** Latent dimensions. */
  factors: number;
  /** lambda, added to the diagonal of every normal equation. */
  regularization: number;
  /** Confidence c = 1 + alpha * r for a strength r (confidence.ts). */
  alpha: number;
  iterations: number;
  /** Conjugate-gradient steps per row per half-step (implicit's default: 3). */
  cgSteps: number;
  seed: number;
  /** Threads including the main one; 1 = no workers. */
  threads: number;
  /** Below this many non-zeros workers are not worth their start-up (~0.2 s): run single-threaded. */
  parallelMinNnz: number;
  /** Held-out positives (rows = the same customers, columns = products) for early stopping. */
  validation?: CsrMatrix;
  /** Random products each held-out positive is compared with (sampled AUC). */
  validationNegatives: number;
  /** Stop when the validation AUC has not improved by minDelta for this many iterations. */
  patience: number;
  minDelta: number;
  /**
   * "wasm": the WebAssembly SIMD kernel (Float32, about 4x the JavaScript one); "js": Float64
   * JavaScript; "auto": wasm when the runtime supports it and factors is a multiple of 4.
   */
  kernel: "auto" | KernelKind;
  /**
   * Before each customers' half-step, rotate both factor matrices into the eigenbasis of
   * Y^T Y + lambda I, where it is diagonal (eigen.ts): the dense part of each CG step costs f
   * instead of f^2. Same iterates up to rounding; wasm kernel only. "auto": when the saving
   * (customers x cgSteps products of f^2) outweighs the rotation of the products and the
   * eigendecomposition (about 64 f^3): not for small shops, where it would only add milliseconds.
   */
  diagonalize: boolean | "auto";
}

/** Documented defaults (a shop's Setting "cf" overrides any of them). */
export const DEFAULT_ALS: AlsParams = {
  factors: 64,
  regularization: 1, // small shops overfit below ~1 at 64 factors (test/cf: planted worlds); tune with `facet evaluate`
  alpha: 2, // strengths run 0.5..30 (confidence.ts): a purchase gives c = 21, a click c = 3
  iterations: 15,
  cgSteps: 3,
  seed: 42,
  threads: 1,
  parallelMinNnz: 200_000,
  validationNegatives: 100,
  patience: 2,
  minDelta: 1e-4,
  kernel: "auto",
  diagonalize: "auto",
};

export function alsParams(partial?: Partial<AlsParams> | null): AlsParams {
  const p = { ...DEFAULT_ALS, ...(partial ?? {}) };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`ALS parameter ${what} (got ${JSON.stringify(partial)})`);
  };
  check(Number.isInteger(p.factors) && p.factors >= 1 && p.factors <= 1024, "factors must be an integer in 1..1024");
  check(p.regularization >= 0, "regularization must be >= 0");
  check(p.alpha >= 0, "alpha must be >= 0");
  check(Number.isInteger(p.iterations) && p.iterations >= 0, "iterations must be an integer >= 0");
  check(Number.isInteger(p.cgSteps) && p.cgSteps >= 1, "cgSteps must be an integer >= 1");
  check(Number.isInteger(p.threads) && p.threads >= 1, "threads must be an integer >= 1");
  return p;
}

/** The trained factors, customers and products addressed by the matrix's dense indices. */
export interface CfModelCore {
  factors: number;
  nUsers: number;
  nItems: number;
  userFactors: Float32Array; // nUsers x factors, row-major
  itemFactors: Float32Array; // nItems x factors, row-major
  regularization: number;
  alpha: number;
  iterationsRun: number;
  /** seconds per iteration, validation AUC per iteration (when a validation slice was given), ... */
  metrics: Record<string, number>;
}

/** A chunk of rows whose Gram contribution is summed as one partial (fixed: results do not depend on threads). */
export const GRAM_CHUNK = 4096;

export function trainAls(
  matrix: { users: CsrMatrix; items: CsrMatrix },
  partial?: Partial<AlsParams>,
  log: (msg: string) => void = () => {},
): CfModelCore {
  const p = alsParams(partial);
  const f = p.factors;
  const { users, items } = matrix;
  const nUsers = users.rows;
  const nItems = users.cols;
  if (items.rows !== nItems || items.cols !== nUsers) throw new RangeError("trainAls: `items` must be the transpose of `users`");
  const total = nnz(users);
  const t0 = performance.now();
  const { engine, kernel, diagonalize } = openEngine(p, users, items, total, log);
  log(`als: ${nUsers} customers x ${nItems} products, ${total} non-zeros, ${f} factors, ${kernel} kernel${diagonalize ? " (eigenbasis)" : ""}, ${engine.threads} thread(s), setup ${secs(t0)} s`);
  const metrics: Record<string, number> = { nnz: total, users: nUsers, items: nItems, threads: engine.threads, wasm: kernel === "wasm" ? 1 : 0, eigenbasis: diagonalize ? 1 : 0 };
  let run: { iterations: number; solveSeconds: number };
  try {
    run = iterate(engine, p, users, diagonalize, metrics, log);
  } catch (e) {
    engine.close();
    throw e;
  }
  const it = run.iterations;
  metrics.iterations = it;
  metrics.secondsPerIteration = it > 0 ? run.solveSeconds / it : 0;
  metrics.nnzIterationsPerSecondPerThread = run.solveSeconds > 0 ? (total * it) / run.solveSeconds / engine.threads : 0;
  metrics.trainSeconds = (performance.now() - t0) / 1000;
  const { x, y } = engine.backend;
  engine.close();
  log(`als: ${it} iterations in ${metrics.trainSeconds.toFixed(2)} s (${metrics.secondsPerIteration.toFixed(3)} s/iteration)`);
  return {
    factors: f,
    nUsers,
    nItems,
    userFactors: Float32Array.from(x),
    itemFactors: Float32Array.from(y),
    regularization: p.regularization,
    alpha: p.alpha,
    iterationsRun: it,
    metrics,
  };
}

/**
 * The kernel (wasm SIMD when factors allow, else JS), serial or a thread pool (large matrices),
 * seeded zero-mean initial factors, and whether customers are solved in the eigenbasis.
 */
function openEngine(p: AlsParams, users: CsrMatrix, items: CsrMatrix, total: number, log: (msg: string) => void): { engine: AlsEngine; kernel: KernelKind; diagonalize: boolean } {
  const f = p.factors;
  const nUsers = users.rows;
  const nItems = users.cols;
  // Zero-mean initial factors: `implicit`'s rand() * 0.01 (all positive) makes the first Gram
  // matrices nearly rank one, and 3-step CG on those amplified rounding into 10 % differences
  // between kernels; centred, the kernels agree to 1e-4 (test/cf/units.test.ts).
  const rng = mulberry32(p.seed);
  const x0 = new Float32Array(nUsers * f);
  const y0 = new Float32Array(nItems * f);
  for (let k = 0; k < x0.length; k++) x0[k] = (rng() - 0.5) * 0.02;
  for (let k = 0; k < y0.length; k++) y0[k] = (rng() - 0.5) * 0.02;

  const kernel: KernelKind = p.kernel !== "auto" ? p.kernel : f % 4 === 0 && wasmKernelModule() ? "wasm" : "js";
  if (kernel === "wasm" && (f % 4 !== 0 || !wasmKernelModule())) throw new RangeError("ALS kernel \"wasm\" needs factors divisible by 4 and WebAssembly SIMD");
  const parallel = p.threads > 1 && total >= p.parallelMinNnz;
  const threads = parallel ? p.threads : 1;
  const spec = createBackendSpec({ kind: kernel, shared: parallel, users, items, x: x0, y: y0, f, alpha: p.alpha, cgSteps: p.cgSteps, chunk: GRAM_CHUNK, threads });
  let engine: AlsEngine | null = parallel ? startPool(spec, log) : null;
  engine ??= serialEngine(spec);
  const worthIt = nUsers * p.cgSteps > nItems + 64 * f;
  const diagonalize = engine.backend.rotates && (p.diagonalize === "auto" ? worthIt : p.diagonalize);
  return { engine, kernel, diagonalize };
}

/** The alternating sweeps, with early stopping on the validation AUC when a validation slice is given. */
function iterate(engine: AlsEngine, p: AlsParams, users: CsrMatrix, diagonalize: boolean, metrics: Record<string, number>, log: (msg: string) => void): { iterations: number; solveSeconds: number } {
  const f = p.factors;
  const { x, y } = engine.backend;
  const gramOfSide = (side: number) => {
    engine.gram(side);
    return sumGram(engine.backend.parts(side), f, p.regularization);
  };
  let best = -Infinity;
  let stale = 0;
  let it = 0;
  let solveSeconds = 0;
  for (; it < p.iterations; it++) {
    const ti = performance.now();
    engine.solve(1, gramOfSide(0)); // products given customers
    const th = performance.now();
    const g = gramOfSide(1);
    if (diagonalize) {
      const { values, vectors } = symmetricEigen(g, f);
      engine.rotate(vectors);
      engine.solveDiagonal(values); // customers given products, in the eigenbasis
    } else engine.solve(0, g); // customers given products
    const seconds = (performance.now() - ti) / 1000;
    solveSeconds += seconds;
    let msg = `als: iteration ${it + 1}/${p.iterations} ${seconds.toFixed(3)} s (products ${((th - ti) / 1000).toFixed(3)} s, customers ${((performance.now() - th) / 1000).toFixed(3)} s)`;
    if (p.validation) {
      const auc = sampledAuc(x, y, f, users, p.validation, p.validationNegatives, p.seed);
      metrics[`validationAuc${it + 1}`] = auc;
      metrics.validationAuc = auc;
      msg += `, validation AUC ${auc.toFixed(4)}`;
      if (auc > best + p.minDelta) {
        best = auc;
        stale = 0;
      } else if (++stale >= p.patience) {
        log(msg + " (no improvement: early stop)");
        it++;
        break;
      }
    }
    log(msg);
  }
  return { iterations: it, solveSeconds };
}

function secs(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(3);
}

/** Sums the chunk partials in chunk order, mirrors, and adds lambda to the diagonal. */
export function sumGram(parts: Float32Array | Float64Array, f: number, regularization: number): Float64Array {
  const ff = f * f;
  const g = new Float64Array(ff);
  for (let off = 0; off < parts.length; off += ff) for (let k = 0; k < ff; k++) g[k] += parts[off + k];
  symmetrize(g, f);
  for (let a = 0; a < f; a++) g[a * f + a] += regularization;
  return g;
}

/** Y^T Y (without regularization) of a row-major factor matrix, chunked like training. */
export function gramOf(factors: Float32Array, f: number): Float64Array {
  const rows = factors.length / f;
  const parts = new Float64Array(Math.ceil(rows / GRAM_CHUNK) * f * f);
  for (let c = 0; c * GRAM_CHUNK < rows; c++) gramRows(factors, f, c * GRAM_CHUNK, Math.min(rows, (c + 1) * GRAM_CHUNK), parts, c * f * f);
  return sumGram(parts, f, 0);
}

/**
 * Sampled AUC on held-out positives: the share of (held-out product, random product the customer
 * has not interacted with) pairs the model orders correctly. The same negatives every call (seeded).
 */
export function sampledAuc(x: Float32Array, y: Float32Array, f: number, train: CsrMatrix, heldOut: CsrMatrix, negatives: number, seed: number): number {
  const rng = mulberry32(seed ^ 0x5bd1e995);
  const nItems = y.length / f;
  let good = 0;
  let pairs = 0;
  for (let u = 0; u < heldOut.rows && u < train.rows; u++) {
    for (let k = heldOut.indptr[u]; k < heldOut.indptr[u + 1]; k++) {
      const pos = score(x, u, y, heldOut.indices[k], f);
      for (let n = 0; n < negatives; n++) {
        const j = Math.floor(rng() * nItems);
        if (valueAt(train, u, j) > 0 || valueAt(heldOut, u, j) > 0) continue;
        const neg = score(x, u, y, j, f);
        good += pos > neg ? 1 : pos === neg ? 0.5 : 0;
        pairs++;
      }
    }
  }
  return pairs > 0 ? good / pairs : 0;
}

function score(x: Float32Array, u: number, y: Float32Array, i: number, f: number): number {
  let s = 0;
  for (let k = 0; k < f; k++) s += x[u * f + k] * y[i * f + k];
  return s;
}
