/**
 * Early stopping for the production model: hold out a seeded share of each customer's entries
 * (customers with at least two, so everyone keeps something to learn from), train with the
 * held-out slice as validation until its sampled AUC stops improving, then train again on ALL
 * the data for the best iteration count. The second run costs as much as the first, but the
 * published model has seen every interaction, and its iteration count was chosen on data it
 * was not trained on.
 */
import { trainAls, type AlsParams, type CfModelCore } from "./als";
import { csrFromTriplets, nnz, transpose, type CsrMatrix } from "./csr";
import { mulberry32 } from "../random";

export interface EarlyStopSettings {
  /** Share of each customer's entries held out for validation (0 < share < 1). */
  validationShare: number;
  /** Upper bound on iterations for the validation run. */
  maxIterations: number;
}

/** Documented defaults (Setting "cf".earlyStop turns early stopping on with these). */
export const DEFAULT_EARLY_STOP: EarlyStopSettings = { validationShare: 0.1, maxIterations: 30 };

/** Splits a customers x products matrix into a training part and a validation part. */
export function holdOutEntries(users: CsrMatrix, share: number, seed: number): { train: CsrMatrix; validation: CsrMatrix } {
  if (!(share > 0 && share < 1)) throw new RangeError(`earlyStop.validationShare must be between 0 and 1 (got ${share})`);
  const rnd = mulberry32(seed ^ 0x5eed);
  const n = nnz(users);
  const tr = { r: new Int32Array(n), c: new Int32Array(n), v: new Float32Array(n), k: 0 };
  const va = { r: new Int32Array(n), c: new Int32Array(n), v: new Float32Array(n), k: 0 };
  for (let u = 0; u < users.rows; u++) {
    const start = users.indptr[u];
    const end = users.indptr[u + 1];
    let kept = 0;
    for (let j = start; j < end; j++) {
      const last = j === end - 1;
      const hold = end - start >= 2 && rnd() < share && !(last && kept === 0);
      const t = hold ? va : tr;
      t.r[t.k] = u;
      t.c[t.k] = users.indices[j];
      t.v[t.k] = users.data[j];
      t.k++;
      if (!hold) kept++;
    }
  }
  return {
    train: csrFromTriplets(users.rows, users.cols, tr.r, tr.c, tr.v, tr.k),
    validation: csrFromTriplets(users.rows, users.cols, va.r, va.c, va.v, va.k),
  };
}

/** The iteration (1-based) with the best validation AUC, from trainAls' metrics. */
export function bestIteration(metrics: Record<string, number>): number {
  let best = 0;
  let bestAuc = -Infinity;
  for (let i = 1; metrics[`validationAuc${i}`] !== undefined; i++) {
    if (metrics[`validationAuc${i}`] > bestAuc) {
      bestAuc = metrics[`validationAuc${i}`];
      best = i;
    }
  }
  return best;
}

export function trainAlsWithEarlyStop(
  matrix: { users: CsrMatrix; items: CsrMatrix },
  als: Partial<AlsParams> | undefined,
  settings: EarlyStopSettings,
  log: (msg: string) => void = () => {},
): { core: CfModelCore; bestIteration: number; validationAuc: number } {
  const { train, validation } = holdOutEntries(matrix.users, settings.validationShare, als?.seed ?? 42);
  log(`als: early stop: ${nnz(validation)} of ${nnz(matrix.users)} entries held out for validation`);
  const probe = trainAls({ users: train, items: transpose(train) }, { ...als, iterations: settings.maxIterations, validation }, log);
  const best = Math.max(1, bestIteration(probe.metrics));
  const validationAuc = probe.metrics[`validationAuc${best}`] ?? NaN;
  log(`als: early stop: best iteration ${best} (validation AUC ${validationAuc.toFixed(4)}); retraining on all data`);
  const core = trainAls(matrix, { ...als, iterations: best, validation: undefined }, log);
  return { core, bestIteration: best, validationAuc };
}
