/**
 * Binds the evaluation pipeline (run.ts) to the real trainer (cf/train.ts) and the real hybrid
 * (world.ts). Kept apart from run.ts so that the pipeline's tests can swap in recording fakes.
 */
import { trainArtifacts, type TrainParams } from "../cf/train";
import { tuneAndTrain } from "../cf/tune";
import { blendGuardsOf, tuneBlendOnSlice, tunedSettings } from "../hybrid/tuneBlend";
import { buildWorld } from "../buildWorld";
import { contextFor } from "../context";
import { recommend, sourceCandidates } from "../pipeline";
import { type World } from "../world";
import type { HybridDeps } from "./run";

export function hybridDeps(params: TrainParams = {}, opts: { clock?: () => number; log?: (message: string) => void } = {}): HybridDeps<World> {
  return {
    // Trained at the split's clock on the split's training events only: the same functions the train job
    // runs, tuning included (its validation slice is carved from these events; `notAfter` guards the test period).
    // With the shop (`shop`), the blend weights, window and guards are tuned on the same slice as
    // the train job tunes them (hybrid/tuneBlend.ts tuneBlendOnSlice) and served in the evaluation's
    // world, so `facet evaluate` measures what `facet train` + `facet batch` serve.
    train: (catalog, events, now, shop) => {
      if (params.tune?.enabled === false || !opts.clock) return trainArtifacts(catalog, events, params, now);
      const tuned = tuneAndTrain(catalog, events, params, now, { clock: opts.clock, log: opts.log, notAfter: now });
      if (!shop || !tuned.inner || params.tune?.blend === false) return tuned.artifacts;
      const blend = tuneBlendOnSlice(tuned.inner, { catalog, ...shop }, { clock: opts.clock, budgetSeconds: tuned.report.budgetSeconds, log: opts.log });
      return { ...tuned.artifacts, served: { settings: tunedSettings(shop.settings, { blend }), guards: blendGuardsOf({ blend }) } };
    },
    buildWorld,
    contextFor,
    recommend,
    sourceCandidates,
    clock: opts.clock,
    log: opts.log,
  };
}
