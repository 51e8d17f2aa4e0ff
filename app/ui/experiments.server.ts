/**
 * The experiments pages' loaders and actions (shared by /app and /demo): read the form, call the
 * experiment backend (app/models/experiment.server.ts, app/experiments/), return serialisable data.
 * Bad input comes back as a message naming the field and what to enter, never as a 500.
 */
import { promoteWinner } from "../experiments/actions.server";
import { experimentResults } from "../experiments/results.server";
import { announceServingChange } from "../queues/broadcast.server";
import { createExperiment, getExperiment, listExperiments, setExperimentStatus, type ExperimentRow, type ExperimentVariant } from "../models/experiment.server";
import { loadShopSettings } from "../models/settings.server";
import { shopLocale } from "../models/storefrontShop.server";
import { parseSettingsOverride, SOURCE_NAMES } from "../recommend/settings";
import type { Placement } from "../recommend/types";
import type { ExperimentActionResult, ExperimentsData, ExperimentSummary, VariantKind } from "./ExperimentsPage";
import type { ResultsData } from "./ExperimentResults";

/** The placements an experiment can run on (the product | home | cart | email). */
export const EXPERIMENT_PLACEMENTS = ["product", "home", "cart", "email"] as const;

export class ExperimentFormError extends Error {}

type ActionResult = ExperimentActionResult;

function summary(e: ExperimentRow): ExperimentSummary {
  const total = e.variants.reduce((s, v) => s + v.weight, 0) || 1;
  return {
    id: e.id,
    name: e.name,
    placement: e.placement,
    status: e.status,
    variants: e.variants.map((v) => ({
      id: v.id,
      name: v.name,
      share: v.weight / total,
      holdout: Boolean(v.holdout),
      weights: ((v.settings as { weights?: Record<string, number> } | undefined)?.weights ?? null) as Record<string, number> | null,
    })),
    startAt: e.startAt ? new Date(e.startAt).toISOString() : null,
    endAt: e.endAt ? new Date(e.endAt).toISOString() : null,
    winner: e.winner,
    createdAt: new Date(e.createdAt).toISOString(),
  };
}

export async function experimentsData(shop: string): Promise<ExperimentsData> {
  const settings = loadShopSettings(shop);
  const experiments = await listExperiments(shop);
  return {
    experiments: experiments.map(summary),
    placements: [...EXPERIMENT_PLACEMENTS],
    sources: [...SOURCE_NAMES],
    currentWeights: Object.fromEntries(EXPERIMENT_PLACEMENTS.map((p) => [p, settings.placements[p].weights as Record<string, number>])),
    currentDiversity: Object.fromEntries(
      EXPERIMENT_PLACEMENTS.map((p) => [p, { mmrLambda: settings.placements[p].diversity.mmrLambda, explorationSlots: settings.placements[p].diversity.explorationSlots }]),
    ),
  };
}

function text(form: FormData, field: string): string {
  return String(form.get(field) ?? "").trim();
}

function numberField(form: FormData, field: string, label: string): number | null {
  const raw = text(form, field).replace(",", ".");
  if (raw === "") return null;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ExperimentFormError(`${label}: "${raw}" is not a number; enter a number.`);
  return n;
}

/** "2026-12-01" (the date field) as midnight UTC; empty is "not set". */
function dateField(form: FormData, field: string, label: string): Date | undefined {
  const raw = text(form, field);
  if (!raw) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(d.getTime())) throw new ExperimentFormError(`${label}: "${raw}" is not a date; use YYYY-MM-DD.`);
  return d;
}

function slug(name: string): string {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
}

/**
 * The create form, read into the backend's input. Variants are `variant.<i>.name`, `.share`
 * (traffic %, the shares must add up to 100), `.kind` (current | custom | holdout) and, for
 * custom, `.weights.<source>` (0 leaves a source out, as on the settings page) and optionally
 * `.diversity.mmrLambda` / `.diversity.explorationSlots` (empty: the placement's current value).
 */
export function experimentFromForm(form: FormData) {
  const name = text(form, "name");
  if (!name) throw new ExperimentFormError("Name: enter a name for the experiment.");
  const placement = text(form, "placement");
  if (!(EXPERIMENT_PLACEMENTS as readonly string[]).includes(placement)) throw new ExperimentFormError(`Placement: choose one of ${EXPERIMENT_PLACEMENTS.join(", ")}.`);
  const count = Number(text(form, "variantCount") || "0");
  if (!Number.isInteger(count) || count < 2) throw new ExperimentFormError("Variants: an experiment needs at least two variants.");
  const variants: ExperimentVariant[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < count; i++) {
    const label = `Variant ${i + 1}`;
    const vName = text(form, `variant.${i}.name`);
    if (!vName) throw new ExperimentFormError(`${label}: enter a name.`);
    const share = numberField(form, `variant.${i}.share`, `${label} (${vName}) traffic share`);
    if (share === null || share <= 0) throw new ExperimentFormError(`${label} (${vName}) traffic share: enter a percentage above 0.`);
    let id = slug(vName) || `v${i + 1}`;
    while (ids.has(id)) id = `${id.slice(0, 36)}-${i + 1}`;
    ids.add(id);
    const kind = text(form, `variant.${i}.kind`) as VariantKind;
    const variant: ExperimentVariant = { id, name: vName, weight: share };
    if (kind === "holdout") variant.holdout = true;
    else if (kind === "custom") {
      const weights: Record<string, number> = {};
      for (const src of SOURCE_NAMES) {
        const w = numberField(form, `variant.${i}.weights.${src}`, `${label} (${vName}) ${src} weight`);
        if (w !== null && w < 0) throw new ExperimentFormError(`${label} (${vName}) ${src} weight: enter 0 or more.`);
        if (w) weights[src] = w;
      }
      if (!Object.keys(weights).length) throw new ExperimentFormError(`${label} (${vName}): give at least one source a weight above 0, or choose "Current settings".`);
      // Diversity knobs left empty keep the placement's current values.
      const diversity: Record<string, number> = {};
      const mmrLambda = numberField(form, `variant.${i}.diversity.mmrLambda`, `${label} (${vName}) relevance vs. variety`);
      const explorationSlots = numberField(form, `variant.${i}.diversity.explorationSlots`, `${label} (${vName}) exploration slots`);
      if (mmrLambda !== null) diversity.mmrLambda = mmrLambda;
      if (explorationSlots !== null) diversity.explorationSlots = explorationSlots;
      const settings = Object.keys(diversity).length ? { weights, diversity } : { weights };
      try {
        parseSettingsOverride({ placements: { [placement]: settings } }, `${label} (${vName})`);
      } catch (e) {
        throw new ExperimentFormError((e as Error).message);
      }
      variant.settings = settings;
    } else if (kind !== "current") throw new ExperimentFormError(`${label} (${vName}): choose current settings, custom weights or holdout.`);
    variants.push(variant);
  }
  const sum = variants.reduce((s, v) => s + v.weight, 0);
  if (Math.abs(sum - 100) > 0.5) throw new ExperimentFormError(`Traffic shares add up to ${+sum.toFixed(2)} %; make them add up to 100 %.`);
  if (variants.every((v) => v.holdout)) throw new ExperimentFormError("Variants: at least one variant must show recommendations (not every variant can be a holdout).");
  const startAt = dateField(form, "startAt", "Start");
  const endAt = dateField(form, "endAt", "End");
  if (startAt && endAt && endAt <= startAt) throw new ExperimentFormError("End: choose a date after the start.");
  return { name, placement: placement as Placement, variants, startAt, endAt };
}

const STATUS_VERB: Record<string, string> = { running: "started", paused: "paused", stopped: "stopped" };

async function changeStatus(shop: string, form: FormData): Promise<ActionResult> {
  const id = text(form, "id");
  const status = text(form, "status");
  if (status !== "running" && status !== "paused" && status !== "stopped") return { ok: false, message: `Unknown status "${status}".` };
  try {
    const row = await setExperimentStatus(shop, id, status);
    await announceServingChange(shop, "experiments"); // every web machine serves the new status at once
    return { ok: true, message: `"${row.name}" ${STATUS_VERB[status]}.` };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** The list page's form posts: intent=create (the create form) or intent=status (start, pause, stop). */
export async function experimentsAction(shop: string, form: FormData): Promise<ActionResult> {
  const intent = text(form, "intent");
  if (intent === "status") return changeStatus(shop, form);
  if (intent !== "create") return { ok: false, message: `Unknown action "${intent}".` };
  try {
    const created = await createExperiment(shop, experimentFromForm(form));
    return { ok: true, message: `"${created.name}" created as a draft: start it when you are ready.`, createdId: created.id };
  } catch (e) {
    if (e instanceof ExperimentFormError) return { ok: false, message: e.message };
    throw e;
  }
}

export async function resultsData(shop: string, id: string): Promise<ResultsData> {
  const experiment = await getExperiment(shop, id);
  if (!experiment) throw new Response(`No experiment ${id} in this shop.`, { status: 404 });
  const r = await experimentResults(shop, id);
  const loc = shopLocale(shop);
  return {
    experiment: summary(r.experiment),
    windowDays: r.windowDays,
    currency: loc.currency,
    variants: r.variants,
    comparisons: r.comparisons,
  };
}

/** The results page's form posts: intent=status, or intent=promote with the winning variant. */
export async function resultsAction(shop: string, id: string, form: FormData): Promise<ActionResult> {
  const intent = text(form, "intent");
  if (intent === "status") return changeStatus(shop, form);
  if (intent !== "promote") return { ok: false, message: `Unknown action "${intent}".` };
  const variant = text(form, "variant");
  const experiment = await getExperiment(shop, id);
  const v = experiment?.variants.find((x) => x.id === variant);
  if (!experiment || !v) return { ok: false, message: `No variant "${variant}" in this experiment.` };
  try {
    await promoteWinner(shop, id, variant);
    return { ok: true, message: `"${v.name}" promoted: its settings are now the ${experiment.placement} placement's settings.` };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}
