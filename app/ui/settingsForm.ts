/**
 * The settings page's form, read back into a placement's settings. Every control has a plain
 * name (weights.visual, rules.seasonal, diversity.mmrLambda, ...), so the form also works before
 * the page is hydrated or without JavaScript. Keys the form does not show keep their current value.
 */
import { SOURCE_NAMES, type PlacementSettings } from "../recommend/settings";

export const CHECKBOX_FIELDS = [
  "rules.excludeOutOfStock",
  "rules.excludeCurrentAndCart",
  "rules.excludePurchased.enabled",
  "rules.seasonal",
  "rules.priceBand.enabled",
  "rules.brandAffinity.enabled",
  "rules.gender.enabled",
] as const;

export const NUMBER_FIELDS = [
  "rules.priceBand.margin",
  "rules.brandAffinity.factor",
  "rules.gender.factor",
  "diversity.mmrLambda",
  "diversity.maxPriceTierShare",
  "diversity.explorationSlots",
] as const;

/** Empty means "no cap". */
export const NULLABLE_NUMBER_FIELDS = ["diversity.maxPerCategory", "diversity.maxPerCollection"] as const;

/** Reads a dotted path of a settings object (undefined when absent). */
export function getPath(target: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((node, k) => (node as Record<string, unknown> | null)?.[k], target);
}

export class SettingsFormError extends Error {}

/** Sets a dotted path ("rules.priceBand.enabled") of a settings object. */
export function setPath(target: object, dotted: string, value: unknown): void {
  const parts = dotted.split(".");
  let node = target as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
}

function number(form: FormData, field: string, nullable: boolean): number | null {
  const raw = String(form.get(field) ?? "").trim().replace(",", ".");
  if (raw === "" && nullable) return null;
  const n = Number(raw);
  if (raw === "" || !Number.isFinite(n)) throw new SettingsFormError(`${field}: "${raw}" is not a number; enter a number${nullable ? " or leave it empty for no cap" : ""}.`);
  return n;
}

export function placementFromForm(current: PlacementSettings, form: FormData): PlacementSettings {
  const next = structuredClone(current) as unknown as Record<string, unknown>;
  const weights: Record<string, number> = {};
  for (const src of SOURCE_NAMES) {
    const w = number(form, `weights.${src}`, true);
    if (w !== null && w > 0) weights[src] = w; // 0 leaves the source out
  }
  next.weights = weights;
  for (const f of CHECKBOX_FIELDS) setPath(next, f, form.get(f) !== null);
  for (const f of NUMBER_FIELDS) setPath(next, f, number(form, f, false));
  for (const f of NULLABLE_NUMBER_FIELDS) setPath(next, f, number(form, f, true));
  const pinned = String(form.get("rules.pinned") ?? "");
  setPath(next, "rules.pinned", pinned.split(",").map((t) => t.trim()).filter(Boolean));
  return next as unknown as PlacementSettings;
}
