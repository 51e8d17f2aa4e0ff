/**
 * One ALS worker thread (started by pool.ts): opens the shared backend, then waits on the control
 * array, runs the kernel on its range, signals completion. Pure computation, no messages.
 */
import { workerData } from "node:worker_threads";
import { openBackend, type BackendSpec } from "./backend";
import { CTRL, OP } from "./pool";

const d = workerData as { ctrl: SharedArrayBuffer; spec: BackendSpec; id: number };
const ctrl = new Int32Array(d.ctrl);
const backend = openBackend(d.spec, d.id + 1);

Atomics.add(ctrl, CTRL.ready, 1);
Atomics.notify(ctrl, CTRL.ready);
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.gen, gen);
  gen = Atomics.load(ctrl, CTRL.gen);
  const op = ctrl[CTRL.op];
  if (op === OP.exit) break;
  const start = ctrl[CTRL.ranges + 2 * d.id];
  const end = ctrl[CTRL.ranges + 2 * d.id + 1];
  try {
    if (op === OP.solve) backend.solve(ctrl[CTRL.side], start, end);
    else if (op === OP.gram) backend.gram(ctrl[CTRL.side], start, end);
    else if (op === OP.rotate) backend.rotate(ctrl[CTRL.side], start, end);
  } catch (e) {
    console.error(`alsWorker ${d.id}:`, e);
    Atomics.store(ctrl, CTRL.error, 1);
  }
  if (Atomics.sub(ctrl, CTRL.pending, 1) === 1) Atomics.notify(ctrl, CTRL.pending);
}
