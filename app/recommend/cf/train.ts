/**
 * Everything the train job computes, as one pure function of (catalogue, events, parameters, now):
 * the ALS model, bought-together and viewed-together neighbours, and training metrics. The train
 * job saves what it returns; offline evaluation calls it on a training split.
 */
import type { Catalog, CfModel, EventTable, InteractionType, ItemNeighbours } from "../types";
import { trainAls, type AlsParams } from "./als";
import { referenceTime } from "../dataTime";
import type { ConfidenceSettings } from "../types";
import { buildInteractionMatrix, confidenceSettings } from "./confidence";
import { nnz } from "./csr";
import { trainEase, type EaseParams } from "./ease";
import { DEFAULT_EARLY_STOP, trainAlsWithEarlyStop, type EarlyStopSettings } from "./earlyStop";
import type { TuneSettings } from "./tune";
import { buildBoughtTogether, buildViewedTogether, type ItemItemOptions } from "./itemItem";

/** The "cf" settings of a shop (Setting key "cf", JSON): every part optional, defaults in code. */
export interface TrainParams {
  als?: Partial<AlsParams>;
  confidence?: Partial<ConfidenceSettings>;
  boughtTogether?: Partial<ItemItemOptions>;
  viewedTogether?: Partial<ItemItemOptions & { types: InteractionType[] }>;
  /** Below this many non-zeros ALS is not trained (cf = null): too little to learn from. */
  minNonZeros?: number;
  /** Early stopping on a held-out validation slice (off unless set; defaults in earlyStop.ts). */
  earlyStop?: Partial<EarlyStopSettings> | false;
  /**
   * The item-based part of the collaborative source (cf/ease.ts): trained when weight > 0 (its
   * share of the collaborative score; 0 by default, so `--no-tune` keeps ALS alone). The tuner
   * chooses the weight (and lambda) per shop on validation.
   */
  ease?: Partial<EaseParams> & { weight?: number };
  /** Train-time tuning of the collaborative settings on a validation slice (cf/tune.ts; on unless enabled: false). */
  tune?: Partial<TuneSettings>;
}

export const DEFAULT_MIN_NON_ZEROS = 10;

export interface TrainArtifacts {
  cf: CfModel | null;
  boughtTogether: ItemNeighbours | null;
  viewedTogether: ItemNeighbours | null;
  metrics: Record<string, number>;
}

export function trainArtifacts(
  catalog: Catalog,
  events: EventTable,
  params: TrainParams = {},
  now: number,
  log: (msg: string) => void = () => {},
): TrainArtifacts {
  const nItems = catalog.ids.length;
  const metrics: Record<string, number> = { events: events.length, products: nItems };
  const phase = <T>(name: string, fn: () => T): T => {
    const t = performance.now();
    const out = fn();
    const s = (performance.now() - t) / 1000;
    metrics[`${name}Seconds`] = s;
    log(`train: ${name} ${s.toFixed(3)} s`);
    return out;
  };

  const settings = confidenceSettings(params.confidence);
  // Decay is measured from the shop's latest event (at or before `now`), not from the wall clock.
  const reference = referenceTime(events, now);
  metrics.referenceTime = reference;
  log(`train: reference time ${Number.isFinite(reference) ? new Date(reference).toISOString() : "none"} (the latest event at or before ${new Date(now).toISOString()}); half-life ${settings.halfLifeDays} days, ${settings.scale} scale`);
  const matrix = phase("matrix", () => buildInteractionMatrix(events, nItems, settings, reference));
  const total = nnz(matrix.users);
  metrics.nonZeros = total;
  metrics.customers = matrix.users.rows;

  let cf: CfModel | null = null;
  if (total >= (params.minNonZeros ?? DEFAULT_MIN_NON_ZEROS) && nItems > 0) {
    const core = phase("als", () => {
      if (!params.earlyStop) return trainAls(matrix, params.als, log);
      const stopped = trainAlsWithEarlyStop(matrix, params.als, { ...DEFAULT_EARLY_STOP, ...params.earlyStop }, log);
      metrics["als.earlyStopIterations"] = stopped.bestIteration;
      metrics["als.earlyStopValidationAuc"] = stopped.validationAuc;
      return stopped.core;
    });
    for (const [k, v] of Object.entries(core.metrics)) metrics[`als.${k}`] = v;
    const userIndex = new Map<string, number>();
    events.customers.forEach((id, i) => userIndex.set(id, i));
    cf = {
      factors: core.factors,
      userIds: events.customers.slice(),
      userIndex,
      userFactors: core.userFactors,
      itemFactors: core.itemFactors,
      regularization: core.regularization,
      alpha: core.alpha,
      confidence: settings,
    };
    const easeWeight = params.ease?.weight ?? 0;
    if (easeWeight > 0) {
      const ease = phase("ease", () => trainEase(matrix.users, params.ease, log));
      if (ease) {
        cf.ease = { weights: ease.weights, weight: Math.min(1, easeWeight), lambda: ease.lambda };
        metrics["ease.fittedItems"] = ease.fittedItems;
        metrics["ease.weight"] = cf.ease.weight;
        metrics["ease.lambda"] = ease.lambda;
        metrics["ease.pairs"] = ease.weights.indptr[nItems];
      }
    }
  } else {
    log(`train: ${total} non-zeros: too few for ALS, collaborative model skipped`);
  }

  const boughtTogether = phase("boughtTogether", () => buildBoughtTogether(events, nItems, params.boughtTogether));
  const viewedTogether = phase("viewedTogether", () => buildViewedTogether(events, nItems, params.viewedTogether));
  metrics.boughtTogetherPairs = boughtTogether.indptr[nItems];
  metrics.viewedTogetherPairs = viewedTogether.indptr[nItems];
  return {
    cf,
    boughtTogether: metrics.boughtTogetherPairs > 0 ? boughtTogether : null,
    viewedTogether: metrics.viewedTogetherPairs > 0 ? viewedTogether : null,
    metrics,
  };
}
