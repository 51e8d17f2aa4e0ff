/**
 * Offline evaluation of a shop: load the catalogue, events, customer profiles, visual vectors and
 * settings; split; train on the training part only (the train job's own trainArtifacts); build the
 * hybrid's world on it; evaluate baselines, sources and blends; add fairness and (with `tune`) a
 * tuning proposal; save the result under the shop's current model version.
 * The CLI (`facet evaluate`), the demo and the admin call `evaluateShop`.
 */
import fs from "node:fs";
import { loadCatalog } from "../models/catalog.server";
import { loadCustomerProfiles } from "../models/customerProfile.server";
import { currentModelVersionId, saveEvaluation, saveProposal } from "../models/evaluation.server";
import { loadEventTable } from "../models/events.server";
import { readCfSettings } from "../models/modelVersion.server";
import { loadShopSettings } from "../models/settings.server";
import { loadVisualSearch } from "../embedding/search.server";
import { hybridDeps } from "../recommend/eval/hybrid";
import { runEvaluation, type EvaluationResult } from "../recommend/eval/run";
import { parseHoldoutCsv, type SplitKind } from "../recommend/eval/splits";
import type { Placement } from "../recommend/types";
import type { JobContext, JobPayloads } from "../queues/jobs";
import { systemClock } from "../clock";

export interface EvaluateShopOptions {
  k?: number;
  split?: SplitKind;
  /** The holdout file (customer_id,product_id) for split "holdout". */
  holdoutFile?: string;
  /** Share of purchases held out (temporal, per-customer). Default 0.2. */
  testShare?: number;
  /** Explicit temporal cut (epoch ms). */
  cut?: number;
  seed?: number;
  /** Evaluate at most this many test customers (seeded sample). Default 2,000. */
  maxUsers?: number;
  bootstrapSamples?: number;
  placements?: Placement[];
  tune?: boolean;
  /** Save the result (Evaluation row) and the tuning proposal. Default true. */
  save?: boolean;
  log?: (message: string) => void;
  progress?: (fraction: number, message?: string) => void;
}

export interface EvaluateShopResult {
  id: number | null;
  modelVersionId: number | null;
  /** Wall-clock seconds, and CPU seconds of this process (the machine may be shared: both are reported). */
  seconds: number;
  cpuSeconds: number;
  result: EvaluationResult;
}

export async function evaluateShop(shop: string, opts: EvaluateShopOptions = {}): Promise<EvaluateShopResult> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const log = opts.log ?? (() => {});
  const split = opts.split ?? "temporal";
  const holdout = split === "holdout" ? readHoldout(opts.holdoutFile) : undefined;
  const catalog = loadCatalog(shop);
  if (catalog.ids.length === 0) throw new Error(`shop ${shop} has no products: import or sync a catalogue first (facet import <dir> --shop ${shop})`);
  const events = loadEventTable(shop, catalog);
  const customers = loadCustomerProfiles(shop);
  const visual = await loadVisualSearch(shop, catalog);
  const settings = loadShopSettings(shop);
  const trainParams = await readCfSettings(shop);
  log(`loaded ${catalog.ids.length} products, ${events.length} events, ${customers.length} customers${visual ? "" : " (no visual vectors: visual scores and diversity are empty)"}`);
  opts.progress?.(0.1, "data loaded");

  const recommenders = 7 + (opts.placements?.length ?? 5);
  let done = 0;
  const result = runEvaluation(
    { catalog, events, customers, visual, settings },
    {
      k: opts.k ?? 10,
      split,
      holdout,
      testShare: opts.testShare,
      cut: opts.cut,
      seed: opts.seed,
      maxUsers: opts.maxUsers,
      bootstrapSamples: opts.bootstrapSamples,
      placements: opts.placements,
      tune: opts.tune,
      createdAt: systemClock.now().toISOString(),
    },
    hybridDeps(
      trainParams,
      {
        clock: () => performance.now(),
        log: (m) => {
          log(m);
          if (m.startsWith("evaluated ")) opts.progress?.(0.1 + (0.8 * ++done) / recommenders, m);
        },
      },
    ),
  );

  const modelVersionId = await currentModelVersionId(shop);
  let id: number | null = null;
  if (opts.save ?? true) {
    id = await saveEvaluation(shop, { modelVersionId, split, k: result.k, result });
    // A proposal is stored only when the tuner found something to change.
    if (result.tuning && Object.keys(result.tuning.placements).length > 0) await saveProposal(shop, result.tuning);
  }
  opts.progress?.(1, "evaluation saved");
  const cpu = process.cpuUsage(cpu0);
  return { id, modelVersionId, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, result };
}

function readHoldout(file: string | undefined) {
  if (!file) throw new Error("the holdout split needs a file: --split holdout <file> (lines customer_id,product_id)");
  if (!fs.existsSync(file)) throw new Error(`${file}: no such holdout file; give a CSV with lines customer_id,product_id`);
  return parseHoldoutCsv(fs.readFileSync(file, "utf8"), file);
}

/** As a queue job (payload {shop, k?, tune?}: the admin's Tune button). */
export default async function evaluateJob(payload: JobPayloads["evaluate"], ctx: JobContext): Promise<unknown> {
  const { shop, tune, k } = payload;
  const opts: EvaluateShopOptions = { tune, k };
  const out = await evaluateShop(shop, { ...opts, log: ctx.log, progress: (f, m) => ctx.progress(f, m) });
  return { id: out.id, modelVersionId: out.modelVersionId, seconds: out.seconds, cpuSeconds: out.cpuSeconds, headline: out.result.headline };
}

export { formatHeadline, renderReport } from "../recommend/eval/report";
