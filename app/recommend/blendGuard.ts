/**
 * The blend guard (issue 14, point 5): a placement's served blend must not be worse on validation
 * than its best single source. `guardPlacement` compares the validation metric of the served
 * configuration with each single source's; when a source alone beats it, that placement is served
 * by that source alone (`applyGuard`) until the next training measures again. The decision is
 * stored with the model version (the trainer writes it; the serving bundle carries it into
 * WorldInput.guards) and `guardNote` says it in plain words for the admin.
 *
 * Pure: the metrics come in as numbers (computed on a validation slice carved from the training
 * period, never the test period).
 */
import type { PlacementSettings } from "./settings";
import type { Placement, SourceName } from "./types";

export interface PlacementGuard {
  placement: Placement;
  /** The source served alone instead of the blend. */
  source: SourceName;
  /** The validation metric's name, e.g. "ndcg@10". */
  metric: string;
  blendScore: number;
  sourceScore: number;
}

/**
 * The guard for one placement, or null when the blend is at least as good as every single source.
 * `margin`: how much better a source must be to take over (0 = any strict improvement; pass the
 * validation's noise level, e.g. a bootstrap standard error, to avoid flapping on ties).
 */
export function guardPlacement(
  placement: Placement,
  metric: string,
  blendScore: number,
  sourceScores: Partial<Record<SourceName, number>>,
  margin = 0,
): PlacementGuard | null {
  let best: SourceName | null = null;
  let bestScore = -Infinity;
  for (const [name, score] of Object.entries(sourceScores) as [SourceName, number][]) {
    if (!Number.isFinite(score)) continue;
    if (score > bestScore || (score === bestScore && best !== null && name < best)) {
      best = name;
      bestScore = score;
    }
  }
  if (best === null) return null;
  const blend = Number.isFinite(blendScore) ? blendScore : -Infinity;
  if (!(bestScore > blend + margin)) return null;
  return { placement, source: best, metric, blendScore: Number.isFinite(blendScore) ? blendScore : 0, sourceScore: bestScore };
}

/** The placement's settings with the guard applied: the guarded source alone (rules and diversity unchanged). */
export function applyGuard(ps: PlacementSettings, guard: PlacementGuard | null | undefined): PlacementSettings {
  if (!guard) return ps;
  return { ...ps, weights: { [guard.source]: 1 } };
}

const fmt = (x: number) => x.toFixed(3);

/** One plain sentence for the admin (f18ux shows it next to the placement); null when no guard. */
export function guardNote(guard: PlacementGuard | null | undefined, locale: "de" | "en" = "en"): string | null {
  if (!guard) return null;
  if (locale === "de") {
    return `Platzierung „${guard.placement}“: Die Mischung war auf den Validierungsdaten schlechter (${guard.metric} ${fmt(guard.blendScore)}) als die Quelle „${guard.source}“ allein (${fmt(guard.sourceScore)}). Bis zum nächsten Training wird deshalb nur „${guard.source}“ ausgespielt.`;
  }
  return `Placement "${guard.placement}": the blend scored worse on validation (${guard.metric} ${fmt(guard.blendScore)}) than the source "${guard.source}" alone (${fmt(guard.sourceScore)}), so this placement is served by "${guard.source}" alone until the next training.`;
}
