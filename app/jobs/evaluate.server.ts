/**
 * Offline evaluation of a shop: load the catalogue, events, customer profiles, visual vectors and
 * settings; split; train on the training part only (the train job's own trainArtifacts); build the
 * hybrid's world on it; evaluate baselines, sources and blends; add fairness and (with `tune`) a
 * tuning proposal; save the result under the shop's current model version.
 * The CLI (`facet evaluate`), the demo and the admin call `evaluateShop`.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
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

export type EvaluationSummary = Pick<EvaluateShopResult, "id" | "modelVersionId" | "seconds" | "cpuSeconds"> & { headline: EvaluationResult["headline"] };

export function evaluationSummary(out: EvaluateShopResult): EvaluationSummary {
  return { id: out.id, modelVersionId: out.modelVersionId, seconds: out.seconds, cpuSeconds: out.cpuSeconds, headline: out.result.headline };
}

/** What the evaluation thread (evaluateWorker.ts) is given. */
export interface EvaluateThreadData {
  shop: string;
  options: Pick<EvaluateShopOptions, "k" | "tune">;
}

/**
 * The worker's source file, found from this module (app/jobs in a clone, build/server/assets in the
 * built server: both below the project root, which holds app/jobs/evaluateWorker.ts and runs it
 * through tsx, a runtime dependency). Null where there is none (then the job runs on this thread).
 */
export function evaluateWorkerFile(from: string = import.meta.url): string | null {
  if (!from.startsWith("file:")) return null;
  let dir = path.dirname(fileURLToPath(from));
  for (let up = 0; up < 5; up++) {
    const f = path.join(dir, "app", "jobs", "evaluateWorker.ts");
    if (fs.existsSync(f)) return f;
    if (path.basename(dir) === "jobs" && fs.existsSync(path.join(dir, "evaluateWorker.ts"))) return path.join(dir, "evaluateWorker.ts");
    dir = path.dirname(dir);
  }
  return null;
}

/** tsx's ESM register API (its "import" export: the "require" one does not load in a worker). */
function tsxEsmApi(from: string): string {
  const pkgFile = createRequire(from).resolve("tsx/package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { exports: Record<string, { import: { default: string } }> };
  return path.join(path.dirname(pkgFile), pkg.exports["./esm/api"].import.default);
}

/**
 * evaluateShop on a worker thread (docs/decisions/0210): the evaluation is seconds to minutes of
 * synchronous CPU work, and on the embedded default (in-process jobs) it would otherwise hold the
 * server's event loop, so that the admin and /healthz stop answering until it ends. Log and
 * progress come back as messages. Without the worker's source (a bundle shipped alone) it runs here.
 */
export async function evaluateInThread(data: EvaluateThreadData, ctx: Pick<JobContext, "log" | "progress">): Promise<EvaluationSummary> {
  const file = evaluateWorkerFile();
  if (!file) {
    ctx.log("the evaluation worker's source (app/jobs/evaluateWorker.ts) is absent: evaluating on the server's thread");
    return evaluationSummary(await evaluateShop(data.shop, { ...data.options, log: ctx.log, progress: (f, m) => ctx.progress(f, m) }));
  }
  const tsx = pathToFileURL(tsxEsmApi(file)).href;
  const source = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })` +
    `.catch((e) => { require("node:worker_threads").parentPort.postMessage({ type: "error", message: "the evaluation worker did not load: " + (e && e.stack || e) }); });`;
  const worker = new Worker(source, { eval: true, workerData: data });
  try {
    // Progress is recorded in order, and all of it before the job's result.
    let recorded: Promise<void> = Promise.resolve();
    return await new Promise<EvaluationSummary>((resolve, reject) => {
      worker.on("message", (m: { type: "log"; message: string } | { type: "progress"; fraction: number; message?: string } | { type: "done"; summary: EvaluationSummary } | { type: "error"; message: string }) => {
        if (m.type === "log") ctx.log(m.message);
        else if (m.type === "progress") recorded = recorded.then(() => ctx.progress(m.fraction, m.message)).catch((e: Error) => ctx.log(`progress not recorded: ${e.message}`));
        else if (m.type === "done") void recorded.then(() => resolve(m.summary));
        else reject(new Error(`evaluation of ${data.shop}: ${m.message}`));
      });
      worker.on("error", (e) => reject(new Error(`evaluation of ${data.shop}: the worker failed: ${e.message}`)));
      worker.on("exit", (code) => reject(new Error(`evaluation of ${data.shop}: the worker exited (code ${code}) before it finished`)));
    });
  } finally {
    await worker.terminate();
  }
}

/** As a queue job (payload {shop, k?, tune?}: the admin's Evaluate and Tune buttons), on a worker thread. */
export default async function evaluateJob(payload: JobPayloads["evaluate"], ctx: JobContext): Promise<unknown> {
  const { shop, tune, k } = payload;
  return evaluateInThread({ shop, options: { tune, k } }, ctx);
}

export { formatHeadline, renderReport } from "../recommend/eval/report";
