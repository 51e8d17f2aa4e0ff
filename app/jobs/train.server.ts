/**
 * The train job: catalogue -> events -> matrices and models (app/recommend/cf/train.ts, pure) ->
 * a new model version folder, published when complete (app/artifacts/modelVersion.server.ts). The
 * previous version keeps serving until then. Safe to run twice: each run writes a new version.
 *
 * Parameters: the shop's Setting "cf" (readCfSettings), overridden by `overrides` (the CLI's
 * flags). ALS threads default to the machine's cores (at most 4) unless the settings name them.
 */
import os from "node:os";
import { loadCatalog } from "../models/catalog.server";
import { loadEventTable } from "../models/events.server";
import { readCfSettings, recordFailedModelVersion } from "../models/modelVersion.server";
import { BadJobInput, jobNow, type JobContext, type JobPayloads } from "../queues/jobs";
import { trainArtifacts, type TrainParams } from "../recommend/cf/train";
import { tuneAndTrain, type CfTuningReport } from "../recommend/cf/tune";
import { writeModelVersion } from "../artifacts/modelVersion.server";
import { writeVisualBundle } from "../serving/bundle.server";
import { monotonicMs, systemClock } from "../clock";
import { loadCustomerProfiles } from "../models/customerProfile.server";
import { loadShopSettings } from "../models/settings.server";
import { describeVisualFusion, loadVisualSearch, visualFusionRecord } from "../embedding/search.server";
import { tuneBlendOnSlice, type BlendTuning } from "../recommend/hybrid/tuneBlend";
import type { InnerModel } from "../recommend/cf/tune";

export interface TrainResult {
  shop: string;
  version: string;
  path: string;
  products: number;
  customers: number;
  events: number;
  /** Seconds per phase: catalog, events, matrix, als, boughtTogether, viewedTogether, write. */
  phases: Record<string, number>;
  metrics: Record<string, number>;
  params: TrainParams;
  /** ISO time decay was measured from: the shop's latest event at or before the job's `now`. */
  referenceTime: string | null;
  /** What train-time tuning chose (null with tune.enabled false, `facet train --no-tune`). */
  tuning: CfTuningReport | null;
  /** The placements' blend weights and guards chosen on the same validation slice (null without tuning). */
  blend: BlendTuning | null;
}

/** Settings over defaults, then overrides over settings (one level deep per section). */
export function mergeTrainParams(base: TrainParams, over: TrainParams = {}): TrainParams {
  return {
    ...base,
    ...over,
    als: { ...(base.als ?? {}), ...(over.als ?? {}) },
    confidence: { ...(base.confidence ?? {}), ...(over.confidence ?? {}) },
    boughtTogether: { ...(base.boughtTogether ?? {}), ...(over.boughtTogether ?? {}) },
    viewedTogether: { ...(base.viewedTogether ?? {}), ...(over.viewedTogether ?? {}) },
    tune: { ...(base.tune ?? {}), ...(over.tune ?? {}) },
  };
}

export async function runTrain(
  shop: string,
  overrides: TrainParams,
  ctx: Pick<JobContext, "progress" | "log">,
  at: Date = systemClock.now(),
): Promise<TrainResult> {
  const phases: Record<string, number> = {};
  const timed = async <T>(name: string, fraction: number, message: string, fn: () => T | Promise<T>): Promise<T> => {
    await ctx.progress(fraction, message);
    const t = performance.now();
    const out = await fn();
    phases[name] = (performance.now() - t) / 1000;
    ctx.log(`${name}: ${phases[name].toFixed(3)} s`);
    return out;
  };
  const catalog = await timed("catalog", 0.02, "loading the catalogue", () => loadCatalog(shop));
  if (catalog.ids.length === 0) throw new BadJobInput(`shop ${shop} has no products: import or sync products first (facet import <dir>)`);
  const events = await timed("events", 0.05, "loading interactions and orders", () => loadEventTable(shop, catalog));
  const params = mergeTrainParams(await readCfSettings(shop), overrides);
  params.als = { threads: Math.min(4, os.availableParallelism()), ...params.als };
  const now = at.getTime();
  let tuning: CfTuningReport | null = null;
  let used: TrainParams = params;
  let inner: InnerModel | null = null;
  const artifacts = await timed("train", 0.15, "training", () => {
    if (params.tune?.enabled === false) return trainArtifacts(catalog, events, params, now, ctx.log);
    const tuned = tuneAndTrain(catalog, events, params, now, {
      clock: monotonicMs,
      log: ctx.log,
      // The search is synchronous: progress is recorded without waiting (a failed write only loses a progress line).
      progress: (f, m) => void Promise.resolve(ctx.progress(0.15 + 0.7 * f, m)).catch(() => undefined),
    });
    tuning = tuned.report;
    inner = tuned.inner;
    used = { ...tuned.params, tune: params.tune };
    return tuned.artifacts;
  });
  for (const k of ["matrix", "als", "boughtTogether", "viewedTogether"]) {
    if (artifacts.metrics[`${k}Seconds`] !== undefined) phases[k] = artifacts.metrics[`${k}Seconds`];
  }
  // Each placement's blend weights and its guard, on the CF tuner's validation slice (world built
  // from the slice's inner training part and the chosen model on it: no test period, no retraining).
  let blend: BlendTuning | null = null;
  const innerModel = inner as InnerModel | null;
  if (innerModel && params.tune?.blend !== false) {
    const ready = innerModel;
    blend = await timed("tuneBlend", 0.86, "tuning the blend weights", async () => {
      const visual = await loadVisualSearch(shop, catalog).catch(() => null);
      const budgetSeconds = (tuning as CfTuningReport | null)?.budgetSeconds ?? 60;
      return tuneBlendOnSlice(ready, { catalog, customers: loadCustomerProfiles(shop), visual, settings: loadShopSettings(shop) }, { clock: monotonicMs, budgetSeconds, log: ctx.log });
    });
  }
  const reference = artifacts.metrics.referenceTime;
  const referenceTime = Number.isFinite(reference) ? new Date(reference).toISOString() : null;
  ctx.log(`reference time: ${referenceTime ?? "none"} (decay and half-life measured from the shop's latest event)`);
  // The visual space's colour weight, chosen per shop by the embed job on its catalogue (app/embedding/fusion.ts).
  const visualLine = describeVisualFusion(shop);
  if (visualLine) ctx.log(visualLine);
  const visual = visualFusionRecord(shop);
  // The manifest's parameters: what was trained (tuned values in place), plus the tuning report, reference time and visual space.
  const stored = { ...used, referenceTime, ...(tuning ? { tuning } : {}), ...(blend ? { blend } : {}), ...(visual ? { visual } : {}) };
  const written = await timed("write", 0.9, "writing the model version", () => writeModelVersion(shop, catalog, artifacts, stored));
  // The serving bundle of the shop's current vectors, unless current already (the embed job writes it too).
  await timed("bundle", 0.95, "writing the serving bundle", () => writeVisualBundle(shop));
  await ctx.progress(1, `published ${written.version}`);
  return {
    shop,
    version: written.version,
    path: written.path,
    products: catalog.ids.length,
    customers: events.customers.length,
    events: events.length,
    phases,
    metrics: artifacts.metrics,
    params: used,
    referenceTime,
    tuning,
    blend,
  };
}

export default async function trainJob(payload: JobPayloads["train"], ctx: JobContext): Promise<TrainResult> {
  if (!payload?.shop) throw new BadJobInput("the train job needs {shop}");
  try {
    return await runTrain(payload.shop, {}, ctx, jobNow(payload));
  } catch (e) {
    // Visible in the admin's model history; the published version is untouched.
    await recordFailedModelVersion(payload.shop, `failed-${systemClock.now().toISOString()}-${ctx.jobId}-${ctx.attempt}`, (e as Error).message).catch(() => undefined);
    throw e;
  }
}
