/**
 * ALS over worker_threads. The backend's one buffer (backend.ts) is shared with every worker;
 * each phase, the main thread writes row (or chunk) ranges into a control array, wakes the
 * workers (Atomics.notify), runs its own range, then blocks (Atomics.wait) until the others are
 * done. No messages per phase, no copies, and trainAls stays synchronous.
 * The only non-numeric code of app/recommend/cf: it starts threads (no I/O).
 */
import { Worker } from "node:worker_threads";
import { openBackend, type Backend, type BackendSpec } from "./backend";
import { splitRows } from "./kernel";

/** What the driver needs from an engine (single- or multi-threaded). */
export interface AlsEngine {
  readonly backend: Backend;
  readonly threads: number;
  /** Fills the backend's Gram partials of `side` (0 customers, 1 products). */
  gram(side: number): void;
  /** Solves every row of `side` given the other side and `gram` (regularized). */
  solve(side: number, gram: Float64Array): void;
  /** Rotates both factor matrices: X <- X V, Y <- Y V (backend.rotates only). */
  rotate(v: Float64Array): void;
  /** Solves the customers given a diagonal Gram matrix (after rotate into its eigenbasis). */
  solveDiagonal(diagonal: Float64Array): void;
  close(): void;
}

/** Control array slots (Int32, shared). */
export const CTRL = { gen: 0, pending: 1, op: 2, side: 3, ready: 4, error: 5, ranges: 8 } as const;
export const OP = { solve: 1, gram: 2, exit: 3, rotate: 4 } as const;

const READY_TIMEOUT_MS = 30_000;

const chunksOf = (spec: BackendSpec, side: number) => Math.max(1, Math.ceil((side === 0 ? spec.nUsers : spec.nItems) / spec.chunk));
const csrOf = (backendRows: BackendSpec, side: number) => (side === 0 ? backendRows.users : backendRows.items);

export function serialEngine(spec: BackendSpec): AlsEngine {
  const backend = openBackend(spec, 0);
  return {
    backend,
    threads: 1,
    gram: (side) => backend.gram(side, 0, chunksOf(spec, side)),
    solve(side, g) {
      backend.setGram(g);
      backend.solve(side, 0, csrOf(spec, side).rows);
    },
    rotate(v) {
      backend.setRotation(v);
      backend.rotate(0, 0, spec.nUsers);
      backend.rotate(1, 0, spec.nItems);
    },
    solveDiagonal(d) {
      backend.setDiagonalGram(d);
      backend.solve(0, 0, spec.nUsers);
    },
    close() {},
  };
}

/** The module each worker runs; .ts sources (tsx, vitest) load through tsx's loader. */
function workerSource(): string {
  const url = new URL("./alsWorker" + (import.meta.url.endsWith(".ts") ? ".ts" : ".js"), import.meta.url).href;
  const load = `import(${JSON.stringify(url)})`;
  const body = url.endsWith(".ts") ? `import("tsx/esm/api").then((m) => { m.register(); return ${load}; })` : load;
  // A worker that cannot load says so through the control array (the main thread is blocked in
  // Atomics.wait and would not see an "error" event): error flag set, counted as ready.
  const fail = `const c = new Int32Array(require("node:worker_threads").workerData.ctrl); Atomics.store(c, ${CTRL.error}, 1); Atomics.add(c, ${CTRL.ready}, 1); Atomics.notify(c, ${CTRL.ready});`;
  return `${body}.catch((e) => { console.error("alsWorker:", e); ${fail} });`;
}

/** Starts spec.threads - 1 workers; null (the caller falls back to one thread) when they do not come up. */
export function startPool(spec: BackendSpec, log: (msg: string) => void): AlsEngine | null {
  const nWorkers = spec.threads - 1;
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * (CTRL.ranges + 2 * nWorkers)));
  const workers: Worker[] = [];
  const source = workerSource();
  for (let w = 0; w < nWorkers; w++) {
    const worker = new Worker(source, { eval: true, workerData: { ctrl: ctrl.buffer, spec, id: w } });
    worker.unref();
    workers.push(worker);
  }
  const terminate = () => workers.forEach((w) => void w.terminate());
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (let ready; (ready = Atomics.load(ctrl, CTRL.ready)) < nWorkers; ) {
    const left = deadline - performance.now();
    if (left <= 0) {
      log(`als: ${nWorkers} worker thread(s) did not start within ${READY_TIMEOUT_MS / 1000} s: training single-threaded`);
      terminate();
      return null;
    }
    Atomics.wait(ctrl, CTRL.ready, ready, Math.min(left, 1000));
  }
  if (Atomics.load(ctrl, CTRL.error) !== 0) {
    log(`als: a worker thread could not load the kernel (see stderr): training single-threaded`);
    terminate();
    return null;
  }
  const backend = openBackend(spec, 0);

  /** Runs one phase: bounds[0..1] on this thread, bounds[w+1..w+2] on worker w. */
  function dispatch(op: number, side: number, bounds: number[], mine: () => void): void {
    for (let w = 0; w < nWorkers; w++) {
      ctrl[CTRL.ranges + 2 * w] = bounds[w + 1];
      ctrl[CTRL.ranges + 2 * w + 1] = bounds[w + 2];
    }
    ctrl[CTRL.op] = op;
    ctrl[CTRL.side] = side;
    Atomics.store(ctrl, CTRL.pending, nWorkers);
    Atomics.add(ctrl, CTRL.gen, 1);
    Atomics.notify(ctrl, CTRL.gen);
    mine();
    for (let left; (left = Atomics.load(ctrl, CTRL.pending)) !== 0; ) Atomics.wait(ctrl, CTRL.pending, left);
    if (Atomics.load(ctrl, CTRL.error) !== 0) {
      terminate();
      throw new Error("als: a worker thread failed (see its message on stderr)");
    }
  }

  return {
    backend,
    threads: spec.threads,
    gram(side) {
      const bounds = evenSplit(chunksOf(spec, side), spec.threads);
      dispatch(OP.gram, side, bounds, () => backend.gram(side, bounds[0], bounds[1]));
    },
    solve(side, g) {
      backend.setGram(g);
      const m = csrOf(spec, side);
      const bounds = splitRows(backend.indptr(side), m.rows, spec.threads, spec.f);
      dispatch(OP.solve, side, bounds, () => backend.solve(side, bounds[0], bounds[1]));
    },
    rotate(v) {
      backend.setRotation(v);
      for (const side of [0, 1]) {
        const bounds = evenSplit(side === 0 ? spec.nUsers : spec.nItems, spec.threads);
        dispatch(OP.rotate, side, bounds, () => backend.rotate(side, bounds[0], bounds[1]));
      }
    },
    solveDiagonal(d) {
      backend.setDiagonalGram(d);
      const bounds = splitRows(backend.indptr(0), spec.nUsers, spec.threads, 1);
      dispatch(OP.solve, 0, bounds, () => backend.solve(0, bounds[0], bounds[1]));
    },
    close() {
      ctrl[CTRL.op] = OP.exit;
      Atomics.add(ctrl, CTRL.gen, 1);
      Atomics.notify(ctrl, CTRL.gen);
      terminate();
    },
  };
}

function evenSplit(n: number, parts: number): number[] {
  const b: number[] = [];
  for (let p = 0; p <= parts; p++) b.push(Math.round((n * p) / parts));
  return b;
}
