/**
 * The evaluation page's server side (/app/evaluation and /demo/evaluation): the saved offline
 * evaluation as rows per recommender (with the bootstrap intervals), the headline in numbers the
 * page puts in words, the tuning proposal, what the last training tuned, and the Tune job's state;
 * its actions start tuning as a job and adopt the proposal.
 */
import { latestEvaluation, loadProposal, setProposalStatus } from "../models/evaluation.server";
import { latestJobRun } from "../models/jobRun.server";
import { publishedModelVersion } from "../models/modelVersion.server";
import { loadSettingsOverride, loadShopSettings, saveSettingsOverride } from "../models/settings.server";
import { queue } from "../queues/index.server";
import type { EvaluationResult } from "../recommend/eval/run";
import type { PlacementProposal } from "../recommend/eval/tuning";
import { tunedByYourData } from "../recommend/hybrid/tuneBlend";
import { parseSettingsOverride, placementSettings, type PlacementSettings, type SettingsOverride } from "../recommend/settings";
import type { Placement } from "../recommend/types";
import { refreshSnapshot } from "../serving/snapshot.server";
import type { AdminLocale } from "../i18n/messages";
import type { EvaluationActionResult, EvaluationData, EvaluationRow } from "./types";

const METRIC_ORDER = ["hit_rate", "recall", "precision", "ndcg", "map", "coverage", "diversity", "novelty"];

function rowOf(r: EvaluationResult["results"][number]): EvaluationRow {
  const raw = r as unknown as Record<string, unknown>;
  return {
    name: r.name,
    kind: r.kind,
    metrics: Object.fromEntries(METRIC_ORDER.filter((m) => typeof raw[m] === "number" && Number.isFinite(raw[m])).map((m) => [m, raw[m] as number])),
    ci: Object.fromEntries(Object.entries(r.ci ?? {}).filter(([, v]) => Array.isArray(v) && v.every(Number.isFinite))) as Record<string, [number, number]>,
  };
}

/** The best blend against best-sellers, on "share of future purchases found" (recall@k). */
function headline(result: EvaluationResult, rows: EvaluationRow[]): EvaluationData["headline"] {
  const blend = rows.find((r) => r.name === result.headline?.best_blend) ?? rows.filter((r) => r.kind === "blend").sort((a, b) => (b.metrics.ndcg ?? 0) - (a.metrics.ndcg ?? 0))[0];
  const popular = rows.find((r) => r.name === "popularity");
  if (!blend || !popular || blend.metrics.recall === undefined || popular.metrics.recall === undefined) return null;
  const margin = result.headline?.margins?.popularity;
  return {
    blend: blend.name,
    blendRecall: blend.metrics.recall,
    popularRecall: popular.metrics.recall,
    ratio: popular.metrics.recall > 0 ? blend.metrics.recall / popular.metrics.recall : null,
    significant: margin ? margin.significant : null,
  };
}

export async function evaluationData(shop: string, locale: AdminLocale): Promise<EvaluationData> {
  const [saved, proposal, model, job] = await Promise.all([latestEvaluation<EvaluationResult>(shop), loadProposal(shop), publishedModelVersion(shop), latestJobRun(shop, "evaluate")]);
  const settings = loadShopSettings(shop);
  const rows = (saved?.result.results ?? []).map(rowOf);
  const pending = proposal && proposal.status === "proposed" ? proposal : null;
  let params: unknown = null;
  try {
    params = model?.params ? JSON.parse(model.params) : null;
  } catch {
    params = null;
  }
  return {
    evaluatedAt: saved ? saved.createdAt.toISOString() : null,
    k: saved?.k ?? null,
    users: saved?.result.evaluated_users ?? null,
    cut: saved?.result.cut ?? null,
    rows,
    metricNames: METRIC_ORDER.filter((m) => rows.some((r) => m in r.metrics)),
    headline: saved ? headline(saved.result, rows) : null,
    proposal: pending
      ? Object.entries(pending.placements).map(([placement, p]: [string, PlacementProposal<Partial<PlacementSettings>>]) => {
          const current = (settings.placements[placement as Placement]?.weights ?? {}) as Record<string, number>;
          return {
            placement,
            current,
            proposed: ((p.overrides as Partial<PlacementSettings>).weights ?? current) as Record<string, number>,
            before: p.test.before,
            after: p.test.after,
            relativeGain: p.test.relativeGain,
            warning: p.warning ?? null,
          };
        })
      : null,
    tuned: tunedByYourData(params, locale),
    tunedVersion: model?.version ?? null,
    job: job
      ? { id: job.id, status: job.status, progress: job.progress, message: job.message, error: job.error, createdAt: job.createdAt.toISOString(), finishedAt: job.finishedAt?.toISOString() ?? null }
      : null,
  };
}

/** Starts the evaluation with tuning as a job (the Tune button); a run already waiting or running is reused. */
export async function startTuning(shop: string, nowMs: number): Promise<string> {
  const last = await latestJobRun(shop, "evaluate");
  if (last && (last.status === "queued" || last.status === "running")) return last.id;
  const h = await (await queue()).enqueue("evaluate", { shop, tune: true }, {
    jobId: `evaluate-${shop.replace(/[^\w.-]/g, "_")}-${nowMs}`,
    attempts: 1,
    // A moment's delay: the page shows the queued job before the in-process driver (the demo; no
    // Redis) runs the evaluation on the server's own thread, which answers no request until it is done.
    delayMs: 1_000,
  });
  return h.id;
}

/** Adopts the pending tuning proposal: its per-placement overrides go into the shop's settings. */
export async function acceptProposal(shop: string): Promise<boolean> {
  const proposal = await loadProposal(shop);
  if (!proposal || proposal.status !== "proposed") return false;
  const current: SettingsOverride = structuredClone(loadSettingsOverride(shop) ?? {});
  const settings = loadShopSettings(shop);
  const placements: Record<string, unknown> = { ...(current.placements ?? {}) };
  for (const [placement, p] of Object.entries(proposal.placements)) {
    // Deep: the proposal's knobs over the placement's current settings (its weights replace the weights).
    placements[placement] = placementSettings(settings, placement as Placement, p.overrides as Partial<PlacementSettings>);
  }
  const checked = parseSettingsOverride({ ...current, placements }, "proposal");
  await saveSettingsOverride(shop, checked);
  await refreshSnapshot(shop);
  await setProposalStatus(shop, "accepted");
  return true;
}

export async function evaluationAction(shop: string, form: FormData, nowMs: number): Promise<EvaluationActionResult> {
  if (form.get("intent") === "tune") return { intent: "tune", jobId: await startTuning(shop, nowMs) };
  return { intent: "accept", accepted: await acceptProposal(shop) };
}
