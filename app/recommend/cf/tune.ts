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
import { INTERACTION_TYPES, type Catalog, type Event, type EventTable } from "../types";
import { ndcgAtK, meanOf } from "../eval/metrics";
import { validationSlice } from "../eval/splits";
import { searchSettings, type Knob } from "../eval/tuning";
import { DEFAULT_ALS } from "./als";
import { referenceTime } from "../dataTime";
import { buildInteractionMatrix, confidenceSettings, DEFAULT_CONFIDENCE } from "./confidence";
import { DEFAULT_EASE, easeHistory, mixedScores, trainEase, type EaseModel } from "./ease";
import { entriesFromEvents } from "./foldin";
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
  /** Tune each placement's blend weights and guard on the same slice (the train job; hybrid/tuneBlend.ts). Default true. */
  blend: boolean;
  /** Try the item-based model (cf/ease.ts) and its mix with ALS. Default true. */
  ease: boolean;
  /** EASE lambdas tried after the first (DEFAULT_EASE.lambda or the shop's), while the budget lasts. */
  easeLambdas: number[];
  /** Shares of the EASE score tried (0 = ALS alone, 1 = EASE alone). */
  easeWeights: number[];
}

/** EASE alone this many times the best ALS trial: the ALS search stops after one pass over its knobs. */
export const EASE_LEAD = 1.25;

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
  blend: true,
  ease: true,
  easeLambdas: [60, 600],
  easeWeights: [0, 0.25, 0.5, 0.75, 1],
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
  /** Share of the item-based (EASE) score in the collaborative source; 0: ALS alone. */
  easeWeight?: number;
  easeLambda?: number;
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
  /**
   * The item-based model's part of the search: each EASE lambda alone and each mix weight with the
   * best ALS trial, on the same validation customers; `limit` says where the catalogue was cut.
   */
  ease?: { trials: { lambda: number; weight: number; score: number }[]; fittedItems: number; catalogItems: number; fitSeconds: number; note?: string };
  /** Set when tuning did not run (too few validation customers, no purchases): why. */
  skipped?: string;
  /** Set when the ALS search stopped after one pass because EASE alone led it by far (EASE_LEAD): why. */
  alsSearchCut?: string;
}

const LOG = 1;

function valuesOf(p: TrainParams): TunedValues {
  return {
    factors: p.als?.factors ?? DEFAULT_ALS.factors,
    regularization: p.als?.regularization ?? DEFAULT_ALS.regularization,
    alpha: p.als?.alpha ?? DEFAULT_ALS.alpha,
    halfLifeDays: p.confidence?.halfLifeDays ?? DEFAULT_CONFIDENCE.halfLifeDays,
    scale: p.confidence?.scale ?? DEFAULT_CONFIDENCE.scale,
    easeWeight: p.ease?.weight ?? 0,
    easeLambda: p.ease?.lambda ?? DEFAULT_EASE.lambda,
  };
}

/** Validation customer as the tuner scores them. */
export interface ValidationUser {
  id: string;
  index?: number;
  relevant: ReadonlySet<number>;
  bought: ReadonlySet<number>;
}

/**
 * Each validation customer's EASE row as serving builds it (sources/collaborative.ts): every product
 * they bought plus the products of their newest `cap` events (world.ts HISTORY_CAP = 100) with a
 * positive strength.
 */
export function validationHistories(events: EventTable, users: readonly ValidationUser[], cap = 100): number[][] {
  const want = new Map<number, number>();
  users.forEach((u, j) => want.set(u.index ?? events.customers.indexOf(u.id), j));
  const rows: number[][] = users.map(() => []);
  for (let i = 0; i < events.length; i++) {
    const j = want.get(events.customer[i]);
    if (j !== undefined) rows[j].push(i);
  }
  const purchase = INTERACTION_TYPES.indexOf("purchase");
  return users.map((u, j) => {
    const r = rows[j].sort((a, b) => events.at[a] - events.at[b] || a - b).slice(-cap);
    const last = r.length ? events.at[r[r.length - 1]] : 0;
    const hist: Event[] = r.map((i) => ({ item: events.item[i], type: INTERACTION_TYPES[events.fromOrder[i] ? purchase : events.type[i]], at: events.at[i], weight: events.quantity[i] || 1 }));
    return [...new Set([...u.bought, ...easeHistory(entriesFromEvents(hist, DEFAULT_CONFIDENCE, last))])];
  });
}

/** NDCG@k of the collaborative source's mixed score (cf/ease.ts mixedScores) on validation customers. */
export function mixedValidationNdcg(
  model: { factors: number; itemFactors: Float32Array; userIndex: Map<string, number>; userFactors: Float32Array; ease?: { weights: import("../types").ItemNeighbours; weight: number } | null },
  catalog: Catalog,
  users: readonly ValidationUser[],
  histories: readonly number[][],
  k: number,
): number {
  const n = catalog.ids.length;
  const out = new Float64Array(n);
  const scratch = new Float64Array(n);
  const f = model.factors;
  const scores: number[] = [];
  users.forEach((u, j) => {
    const row = model.userIndex.get(u.id);
    const vec = row === undefined ? null : model.userFactors.subarray(row * f, (row + 1) * f);
    mixedScores(model, vec, histories[j], out, scratch);
    const top: { item: number; score: number }[] = [];
    for (let i = 0; i < n; i++) {
      if (!(out[i] > 0) || u.bought.has(i) || (catalog.inStock && catalog.inStock[i] === 0)) continue;
      if (top.length < k) {
        top.push({ item: i, score: out[i] });
        top.sort((a, b) => b.score - a.score || a.item - b.item);
      } else if (out[i] > top[k - 1].score) {
        top[k - 1] = { item: i, score: out[i] };
        top.sort((a, b) => b.score - a.score || a.item - b.item);
      }
    }
    scores.push(ndcgAtK(top.map((t) => t.item), u.relevant, k));
  });
  return meanOf(scores);
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

/**
 * What the chosen configuration looks like on the validation slice's inner training part (the best
 * ALS trial with the chosen EASE mix), for the blend tuner (hybrid/tuneBlend.ts) to build its
 * validation world from: no second training.
 */
export interface InnerModel {
  artifacts: TrainArtifacts;
  /** The slice: its inner training events, its cut (request time) and its customers. */
  slice: ReturnType<typeof validationSlice>;
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
// eslint-disable-next-line max-lines-per-function -- one search over a shared time budget, memo of the best trial and EASE fits; its phases (EASE, ALS knobs, mix) share that state: split planned with the tuner's noise test (docs/decisions/0190)
export function tuneAndTrain(
  catalog: Catalog,
  events: EventTable,
  params: TrainParams,
  now: number,
  opts: TuneOptions,
): { artifacts: TrainArtifacts; params: TrainParams; report: CfTuningReport; inner: InnerModel | null } {
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
  let inner: InnerModel | null = null;
  if (slice.users.length < t.minUsers) {
    report.skipped = `${slice.users.length} validation customers (fewer than ${t.minUsers}): too few to choose settings; the shop's settings are kept`;
    log(`tune: ${report.skipped}`);
  } else {
    log(`tune: validation slice from ${report.validationCut}: ${slice.users.length} customers, inner training ${slice.train.length} events; budget ${budgetSeconds.toFixed(0)} s`);
    let trials = 0;
    const bestTrial: { score: number; art: TrainArtifacts | null } = { score: -Infinity, art: null };
    const useEase = t.ease && !t.fixed.includes("ease");
    // The item-based model first (one closed-form fit; the strongest single model on UCI Online
    // Retail), so that a budget spent on ALS trials cannot leave it out.
    const easeInner: { lambda: number; model: EaseModel; score: number }[] = [];
    let histories: number[][] = [];
    let innerUsers: ReturnType<typeof buildInteractionMatrix>["users"] | null = null;
    let easeFitSeconds = 0;
    const easeBase = { ...DEFAULT_EASE, ...(params.ease ?? {}) };
    const fitEase = (lambda: number) => {
      const t0 = opts.clock();
      const model = trainEase(innerUsers!, { ...easeBase, lambda }, log);
      easeFitSeconds = (opts.clock() - t0) / 1000;
      if (!model) return;
      const v = mixedValidationNdcg({ factors: 1, itemFactors: new Float32Array(catalog.ids.length), userIndex: new Map(), userFactors: new Float32Array(0), ease: { weights: model.weights, weight: 1 } }, catalog, slice.users, histories, t.k);
      easeInner.push({ lambda, model, score: v });
      log(`tune: EASE lambda ${lambda} on ${model.fittedItems} products -> NDCG@${t.k} ${v.toFixed(4)} (${easeFitSeconds.toFixed(1)} s fit)`);
    };
    if (useEase) {
      histories = validationHistories(slice.train, slice.users);
      const settings = confidenceSettings(base.confidence);
      innerUsers = buildInteractionMatrix(slice.train, catalog.ids.length, settings, referenceTime(slice.train, slice.cut)).users;
      fitEase(easeBase.lambda);
    }
    // The first EASE fit is a fixed cost of its own (one closed form): the ALS search keeps its whole budget.
    const easeFirstSeconds = easeFitSeconds;
    const knobs = CF_KNOBS.filter((k) => !t.fixed.includes(k.name));
    const totalGuess = knobs.reduce((s, k) => s + k.values.length, 0);
    let easeLeadLogged = false;
    // Trials of one coordinate pass: the start, then every other value of each knob.
    const onePass = 1 + knobs.reduce((s, k) => s + k.values.filter((v) => v !== k.get(base)).length, 0);
    const score = (p: TrainParams): number => {
      const trial: TrainParams = { ...p, als: { ...(p.als ?? {}), iterations: Math.min(p.als?.iterations ?? DEFAULT_ALS.iterations, t.trialIterations) }, earlyStop: false };
      const art = trainArtifacts(catalog, slice.train, trial, slice.cut, () => {});
      const v = validationNdcg(art, catalog, slice.users, t.k);
      if (v > bestTrial.score) {
        bestTrial.score = v;
        bestTrial.art = art;
      }
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
        // EASE far ahead of every ALS trial after one pass over the knobs: a second pass would
        // only polish the minor part of the mix, so the time goes to the EASE lambdas instead.
        if (!easeLeadLogged && trials >= onePass && easeInner.length && easeInner[0].score > EASE_LEAD * Math.max(0, bestTrial.score)) {
          easeLeadLogged = true;
          report.alsSearchCut = `EASE alone (${easeInner[0].score.toFixed(4)}) leads the best ALS trial (${bestTrial.score.toFixed(4)}) by more than ${Math.round((EASE_LEAD - 1) * 100)} %: one pass over the ALS knobs`;
          log(`tune: ${report.alsSearchCut}`);
        }
        if (easeLeadLogged) return true;
        if (spent() - easeFirstSeconds < budgetSeconds) return false;
        report.stoppedByBudget = true;
        return true;
      },
    });
    // EASE: more lambdas while the budget lasts, then the mix with the best ALS trial.
    let easeChoice: { lambda: number; weight: number; score: number } | null = null;
    if (useEase && easeInner.length) {
      for (const lambda of t.easeLambdas) {
        if (spent() - easeFirstSeconds + easeFitSeconds > budgetSeconds) {
          report.stoppedByBudget = true;
          break;
        }
        if (!easeInner.some((e) => e.lambda === lambda)) fitEase(lambda);
      }
      const bestEase = easeInner.reduce((a, b) => (b.score > a.score + t.minGain ? b : a));
      const trialsE: { lambda: number; weight: number; score: number }[] = easeInner.map((e) => ({ lambda: e.lambda, weight: 1, score: e.score }));
      const alsCf = bestTrial.art?.cf ?? null;
      let best: { lambda: number; weight: number; score: number } | null = null;
      for (const w of t.easeWeights) {
        let v: number;
        if (w === 1) v = bestEase.score;
        else if (!alsCf) continue;
        else v = mixedValidationNdcg({ ...alsCf, ease: { weights: bestEase.model.weights, weight: w } }, catalog, slice.users, histories, t.k);
        if (w !== 1) trialsE.push({ lambda: bestEase.lambda, weight: w, score: v });
        log(`tune: collaborative = ${(1 - w).toFixed(2)} ALS + ${w.toFixed(2)} EASE (lambda ${bestEase.lambda}) -> NDCG@${t.k} ${v.toFixed(4)}`);
        // ALS alone is the status quo: a share of EASE must beat it by minGain to replace it.
        if (!best || v > best.score + (best.weight === 0 ? t.minGain : 0)) best = { lambda: bestEase.lambda, weight: w, score: v };
      }
      if (!best) best = { lambda: bestEase.lambda, weight: 0, score: NaN };
      easeChoice = best;
      if (bestTrial.art?.cf && best.weight > 0) {
        bestTrial.art = { ...bestTrial.art, cf: { ...bestTrial.art.cf, ease: { weights: bestEase.model.weights, weight: best.weight, lambda: best.lambda } } };
      }
      report.ease = {
        trials: trialsE,
        fittedItems: bestEase.model.fittedItems,
        catalogItems: bestEase.model.catalogItems,
        fitSeconds: easeFitSeconds,
        ...(bestEase.model.fittedItems >= easeBase.maxItems && bestEase.model.fittedItems < catalog.ids.length
          ? { note: `EASE fitted on the ${bestEase.model.fittedItems} products touched by the most customers of ${catalog.ids.length} (limit ${easeBase.maxItems}); the rest is scored by ALS alone` }
          : {}),
      };
      log(`tune: collaborative source: ${best.weight === 0 ? "ALS alone" : best.weight === 1 ? `EASE alone (lambda ${best.lambda})` : `${1 - best.weight} ALS + ${best.weight} EASE (lambda ${best.lambda})`}, validation NDCG@${t.k} ${best.score.toFixed(4)}`);
    }
    // The chosen values written out, so the stored parameters name them even where they equal a default.
    const v = valuesOf(result.best);
    chosen = {
      ...result.best,
      ...(easeChoice ? { ease: { ...(result.best.ease ?? {}), lambda: easeChoice.lambda, weight: easeChoice.weight, maxItems: easeBase.maxItems, neighbours: easeBase.neighbours } } : {}),
      als: { ...(result.best.als ?? {}), factors: v.factors, regularization: v.regularization, alpha: v.alpha },
      confidence: { ...(result.best.confidence ?? {}), halfLifeDays: v.halfLifeDays, scale: v.scale },
    };
    report.trialsRun = trials;
    if (bestTrial.art) inner = { artifacts: bestTrial.art, slice };
    report.defaultScore = result.startScore;
    report.chosenScore = easeChoice && easeChoice.weight > 0 ? easeChoice.score : result.bestScore;
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
  return { artifacts, params: chosen, report, inner };
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
