/**
 * What a merchant does with an experiment's outcome: "promote the winner" writes the variant's
 * settings into its placement's settings (merged into the shop's stored override, so the other
 * placements and keys stay as they were), stops the experiment, records the winner and rebuilds
 * the serving snapshot so the next request is answered with the promoted settings.
 */
import { getExperiment, setExperimentStatus, setWinner, type ExperimentRow } from "../models/experiment.server";
import { loadSettingsOverride, saveSettingsOverride } from "../models/settings.server";
import type { SettingsOverride } from "../recommend/settings";
import { refreshSnapshot } from "../serving/snapshot.server";

export interface PromoteResult {
  experiment: ExperimentRow;
  variant: string;
  /** The placement's override as stored after the promotion. */
  placementSettings: Record<string, unknown>;
  /** False when the winner is a holdout or has no settings (the placement keeps its settings). */
  settingsChanged: boolean;
}

/** Merges a variant's placement override into the shop's override (objects key by key; weights replace). */
export function mergeVariantSettings(current: SettingsOverride | null, placement: string, variantSettings: Record<string, unknown>): SettingsOverride {
  const base = structuredClone(current ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  base.placements ??= {};
  const block = (base.placements[placement] ??= {});
  for (const [key, value] of Object.entries(variantSettings)) {
    const old = block[key];
    const mergeable = key !== "weights" && isObject(old) && isObject(value);
    block[key] = mergeable ? { ...(old as object), ...(value as object) } : structuredClone(value);
  }
  return base as SettingsOverride;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export async function promoteWinner(shop: string, experimentId: string, variantId: string): Promise<PromoteResult> {
  const exp = await getExperiment(shop, experimentId);
  if (!exp) throw new Error(`no experiment ${experimentId} in ${shop}`);
  const variant = exp.variants.find((v) => v.id === variantId);
  if (!variant) throw new Error(`experiment ${experimentId} has no variant ${JSON.stringify(variantId)} (variants: ${exp.variants.map((v) => v.id).join(", ")})`);
  if (variant.holdout) throw new Error(`variant ${variantId} is the holdout (no recommendations): it cannot be promoted; stop the experiment instead`);
  const settings = variant.settings ?? {};
  const settingsChanged = Object.keys(settings).length > 0;
  let stored = loadSettingsOverride(shop);
  if (settingsChanged) stored = await saveSettingsOverride(shop, mergeVariantSettings(stored, exp.placement, settings));
  const stopped = exp.status === "stopped" ? exp : await setExperimentStatus(shop, experimentId, "stopped");
  await setWinner(shop, experimentId, variantId);
  await refreshSnapshot(shop, undefined, "experiments");
  return {
    experiment: { ...stopped, winner: variantId },
    variant: variantId,
    placementSettings: ((stored?.placements as Record<string, Record<string, unknown>> | undefined)?.[exp.placement] ?? {}) as Record<string, unknown>,
    settingsChanged,
  };
}
