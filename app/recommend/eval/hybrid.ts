/**
 * Binds the evaluation pipeline (run.ts) to the real trainer (cf/train.ts) and the real hybrid
 * (world.ts). Kept apart from run.ts so that the pipeline's tests can swap in recording fakes.
 */
import { trainArtifacts, type TrainParams } from "../cf/train";
import { tuneAndTrain } from "../cf/tune";
import { buildWorld, contextFor, recommend, sourceCandidates, type World } from "../world";
import type { HybridDeps } from "./run";

export function hybridDeps(params: TrainParams = {}, opts: { clock?: () => number; log?: (message: string) => void } = {}): HybridDeps<World> {
  return {
    // Trained at the split's clock on the split's training events only: the same functions the train job
    // runs, tuning included (its validation slice is carved from these events; `notAfter` guards the test period).
    train: (catalog, events, now) =>
      params.tune?.enabled === false || !opts.clock
        ? trainArtifacts(catalog, events, params, now)
        : tuneAndTrain(catalog, events, params, now, { clock: opts.clock, log: opts.log, notAfter: now }).artifacts,
    buildWorld,
    contextFor,
    recommend,
    sourceCandidates,
    clock: opts.clock,
    log: opts.log,
  };
}
