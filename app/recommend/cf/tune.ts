/**
 * Self-tuning at train time: the collaborative model's hyper-parameters (ALS factors, lambda,
 * alpha; the confidence half-life and scale) are chosen on a VALIDATION slice carved from the
 * events this function is given (eval/splits.ts validationSlice: the last share of their purchases),
 * then the chosen configuration is trained on all of them. The caller decides what "all" is: the
 * train job gives the shop's whole history, offline evaluation gives the training part of its split
 * only, so the test period can never reach the choice.
 *
 * Objective: NDCG@k of the model's own top k (bought products and products out of stock left out)
 * on each validation customer's first purchases of products they had not bought before.
 *
 * Search: coordinate search (eval/tuning.ts) from the shop's current settings over the knobs
 * below, the most influential first, each trial a model trained on the inner training slice with
 * fewer sweeps; a change is kept only when it beats the best so far by `minGain` (noise otherwise).
 * Time budget: the caller's clock (no clock in the core: `clock` is injected) stops the search
 * between trials; the default budget scales with the shop (tuneBudgetSeconds).
 */
import type { Catalog, EventTable } from "../types";
import { ndcgAtK, meanOf } from "../eval/metrics";
import { validationSlice } from "../eval/splits";
import { searchSettings, type Knob } from "../eval/tuning";
import { DEFAULT_ALS } from "./als";
import { DEFAULT_CONFIDENCE } from "./confidence";
import { topKForUser } from "./score";
import { trainArtifacts, type TrainArtifacts, type TrainParams } from "./train";

export interface TuneSettings {
  /** false: train with the settings as given (`facet train --no-tune`). Default true. */
  enabled: boolean;
  /** Wall-clock budget of the search; 0 or absent: tuneBudgetSeconds(customers). */
  budgetSeconds: number;
  /** Share of the purchases (the latest ones) that form the validation slice. */
  validationShare: number;
  /** Validation customers scored per trial (seeded sample above this). */
  maxUsers: number;
  /** Cut-off of the objective, NDCG@k. */
  k: number;
  /** ALS sweeps per trial (the final model gets the configured number). */
  trialIterations: number;
  /** A change must beat the best so far by this much NDCG to be kept. */
  minGain: number;
  /** Fewer validation customers than this: tuning is skipped (too noisy to choose anything). */
  minUsers: number;
  /** Knobs (CF_KNOBS names) kept at their given value: the CLI's explicit --factors/--alpha/--regularization. */
  fixed: string[];
}

export const DEFAULT_TUNE: TuneSettings = {
  enabled: true,
  budgetSeconds: 0,
  validationShare: 0.15,
  maxUsers: 1500,
  k: 10,
  trialIterations: 8,
  minGain: 0.001,
  minUsers: 30,
  fixed: [],
};

/**
 * The default search budget: one minute plus 0.6 ms per customer (3 minutes at 200,000 customers),
 * at most 10 minutes. A shop's "cf".tune.budgetSeconds replaces it.
 */
export function tuneBudgetSeconds(customers: number): number {
  return Math.min(600, 60 + 0.0006 * Math.max(0, customers));
}

/** The tuned values, flat: what the report stores for the defaults and for the choice. */
export interface TunedValues {
  factors: number;
  regularization: number;
  alpha: number;
  halfLifeDays: number;
  scale: "linear" | "log";
}

/** What tuning did, stored with the model version (manifest parameters.tuning) and shown by the admin. */
export interface CfTuningReport {
  objective: string;
  /** ISO time of the validation cut (the slice's first purchase); training for trials stops before it. */
  validationCut: string | null;
  validationUsers: number;
  innerTrainEvents: number;
  budgetSeconds: number;
  spentSeconds: number;
  stoppedByBudget: boolean;
  trialsRun: number;
  /** The settings before tuning (the shop's "cf" setting over the code defaults) and their score. */
  defaults: TunedValues;
  defaultScore: number;
  chosen: TunedValues;
  chosenScore: number;
  trials: { values: TunedValues; score: number }[];
  /** Set when tuning did not run (too few validation customers, no purchases): why. */
  skipped?: string;
}

const LOG = 1;

function valuesOf(p: TrainParams): TunedValues {
  return {
    factors: p.als?.factors ?? DEFAULT_ALS.factors,
    regularization: p.als?.regularization ?? DEFAULT_ALS.regularization,
    alpha: p.als?.alpha ?? DEFAULT_ALS.alpha,
    halfLifeDays: p.confidence?.halfLifeDays ?? DEFAULT_CONFIDENCE.halfLifeDays,
    scale: p.confidence?.scale ?? DEFAULT_CONFIDENCE.scale,
  };
}

const als = (name: "factors" | "regularization" | "alpha", values: number[]): Knob<TrainParams> => ({
  name,
  values,
  get: (p) => valuesOf(p)[name],
  set: (p, v) => ({ ...p, als: { ...(p.als ?? {}), [name]: v } }),
});

/** The knobs, most influential first (measured on UCI Online Retail: the half-life and scale). */
export const CF_KNOBS: readonly Knob<TrainParams>[] = [
  {
    name: "halfLifeDays",
    values: [0, 365, 120, 45],
    get: (p) => valuesOf(p).halfLifeDays,
    set: (p, v) => ({ ...p, confidence: { ...(p.confidence ?? {}), halfLifeDays: v } }),
  },
  {
    name: "scale",
    values: [0, LOG],
    get: (p) => (valuesOf(p).scale === "log" ? LOG : 0),
    set: (p, v) => ({ ...p, confidence: { ...(p.confidence ?? {}), scale: v === LOG ? "log" : "linear" } }),
  },
  als("alpha", [0.5, 2, 8, 32]),
  als("regularization", [0.5, 2, 10, 50]),
  als("factors", [32, 64, 128]),
];

/** NDCG@k of a trained model on validation customers (their first new purchases after the cut). */
export function validationNdcg(
  art: TrainArtifacts,
  catalog: Catalog,
  users: readonly { id: string; relevant: ReadonlySet<number>; bought: ReadonlySet<number> }[],
  k: number,
): number {
  const cf = art.cf;
  if (!cf) return 0;
  const out: number[] = [];
  const f = cf.factors;
  for (const u of users) {
    const row = cf.userIndex.get(u.id);
    if (row === undefined) {
      out.push(0);
      continue;
    }
    const exclude = new Set(u.bought);
    for (let i = 0; i < catalog.ids.length; i++) if (catalog.inStock && catalog.inStock[i] === 0) exclude.add(i);
    const top = topKForUser(cf.userFactors.subarray(row * f, (row + 1) * f), cf.itemFactors, f, k, exclude);
    out.push(ndcgAtK(top.map((t) => t.item), u.relevant, k));
  }
  return meanOf(out);
}

export interface TuneOptions {
  /** Milliseconds from any origin (the job passes monotonicMs): only differences are used. */
  clock: () => number;
  /** Called between trials: fraction of the budget spent (0..1), message. */
  progress?: (fraction: number, message: string) => void;
  log?: (message: string) => void;
  seed?: number;
  /**
   * Offline evaluation: the start of the test period. An event at or after it means the caller
   * handed the tuner test data, and tuning refuses (RangeError) instead of choosing on it.
   */
  notAfter?: number;
}

/**
 * Chooses the collaborative settings on a validation slice of `events`, then trains them on all
 * of `events` (at `now`, anchored at the latest event like every training). Returns the final
 * artefacts with `tuning` (the report) and the chosen parameters.
 */
export function tuneAndTrain(
  catalog: Catalog,
  events: EventTable,
  params: TrainParams,
  now: number,
  opts: TuneOptions,
): { artifacts: TrainArtifacts; params: TrainParams; report: CfTuningReport } {
  const t = { ...DEFAULT_TUNE, ...(params.tune ?? {}) };
  if (opts.notAfter !== undefined) {
    for (let i = 0; i < events.length; i++) {
      if (events.at[i] >= opts.notAfter) throw new RangeError(`tuneAndTrain: event ${i} at ${new Date(events.at[i]).toISOString()} is in the test period (from ${new Date(opts.notAfter).toISOString()}): tune on the training period only`);
    }
  }
  const log = opts.log ?? (() => {});
  const budgetSeconds = t.budgetSeconds > 0 ? t.budgetSeconds : tuneBudgetSeconds(events.customers.length);
  const start = opts.clock();
  const spent = () => (opts.clock() - start) / 1000;
  const slice = validationSlice(events, { share: t.validationShare, maxUsers: t.maxUsers, seed: opts.seed ?? 42 });
  const base: TrainParams = { ...params, tune: undefined };
  const defaults = valuesOf(base);
  const report: CfTuningReport = {
    objective: `ndcg@${t.k}`,
    validationCut: Number.isFinite(slice.cut) ? new Date(slice.cut).toISOString() : null,
    validationUsers: slice.users.length,
    innerTrainEvents: slice.train.length,
    budgetSeconds,
    spentSeconds: 0,
    stoppedByBudget: false,
    trialsRun: 0,
    defaults,
    defaultScore: NaN,
    chosen: defaults,
    chosenScore: NaN,
    trials: [],
  };
  let chosen = base;
  if (slice.users.length < t.minUsers) {
    report.skipped = `${slice.users.length} validation customers (fewer than ${t.minUsers}): too few to choose settings; the shop's settings are kept`;
    log(`tune: ${report.skipped}`);
  } else {
    log(`tune: validation slice from ${report.validationCut}: ${slice.users.length} customers, inner training ${slice.train.length} events; budget ${budgetSeconds.toFixed(0)} s`);
    let trials = 0;
    const knobs = CF_KNOBS.filter((k) => !t.fixed.includes(k.name));
    const totalGuess = knobs.reduce((s, k) => s + k.values.length, 0);
    const score = (p: TrainParams): number => {
      const trial: TrainParams = { ...p, als: { ...(p.als ?? {}), iterations: Math.min(p.als?.iterations ?? DEFAULT_ALS.iterations, t.trialIterations) }, earlyStop: false };
      const art = trainArtifacts(catalog, slice.train, trial, slice.cut, () => {});
      const v = validationNdcg(art, catalog, slice.users, t.k);
      trials++;
      const values = valuesOf(p);
      report.trials.push({ values, score: v });
      const msg = `tune: trial ${trials} ${JSON.stringify(values)} -> NDCG@${t.k} ${v.toFixed(4)} (${spent().toFixed(1)} s)`;
      log(msg);
      opts.progress?.(Math.min(1, Math.max(spent() / budgetSeconds, trials / totalGuess)), msg);
      return v;
    };
    const result = searchSettings(base, knobs, score, {
      strategy: "coordinate",
      rounds: 2,
      minGain: t.minGain,
      shouldStop: () => {
        if (spent() < budgetSeconds) return false;
        report.stoppedByBudget = true;
        return true;
      },
    });
    // The chosen values written out, so the stored parameters name them even where they equal a default.
    const v = valuesOf(result.best);
    chosen = {
      ...result.best,
      als: { ...(result.best.als ?? {}), factors: v.factors, regularization: v.regularization, alpha: v.alpha },
      confidence: { ...(result.best.confidence ?? {}), halfLifeDays: v.halfLifeDays, scale: v.scale },
    };
    report.trialsRun = trials;
    report.defaultScore = result.startScore;
    report.chosenScore = result.bestScore;
    report.chosen = valuesOf(chosen);
    log(`tune: chose ${JSON.stringify(report.chosen)} (validation NDCG@${t.k} ${result.bestScore.toFixed(4)}, settings before ${result.startScore.toFixed(4)}) after ${trials} trials${report.stoppedByBudget ? " (budget reached)" : ""}`);
  }
  const artifacts = trainArtifacts(catalog, events, chosen, now, log);
  report.spentSeconds = spent();
  artifacts.metrics["tune.trials"] = report.trialsRun;
  artifacts.metrics["tune.seconds"] = report.spentSeconds;
  artifacts.metrics["tune.validationUsers"] = report.validationUsers;
  if (Number.isFinite(report.chosenScore)) {
    artifacts.metrics["tune.validationNdcg"] = report.chosenScore;
    artifacts.metrics["tune.defaultValidationNdcg"] = report.defaultScore;
  }
  return { artifacts, params: chosen, report };
}

/**
 * The tuning report stored with a model version (its parameters' `tuning`), or null when the
 * version was trained without tuning: for the admin's evaluation page.
 */
export function tuningReportOf(parameters: unknown): CfTuningReport | null {
  if (!parameters || typeof parameters !== "object") return null;
  const r = (parameters as { tuning?: unknown }).tuning;
  if (!r || typeof r !== "object" || !("chosen" in r) || !("defaults" in r)) return null;
  return r as CfTuningReport;
}
