/**
 * The settings page's plain controls over a placement's raw settings (pure; shared by the page and
 * its server side): named presets of source weights, one slider per source a merchant recognises
 * (labels and one-line effects in app/i18n, keys `settings.src.<source>`), each source's share of
 * the mix, and the "variety" slider over MMR's lambda (variety = 1 - lambda).
 */
import type { PlacementSettings } from "../recommend/settings";
import type { SourceName } from "../recommend/types";

/** Sources with a plain slider, in the order the page shows them ("random" is only under Advanced). */
export const SLIDER_SOURCES: SourceName[] = [
  "visual",
  "collaborative",
  "bought-together",
  "cross-sell",
  "recency",
  "demographic",
  "recent-popularity",
  "popularity",
  "new-arrivals",
];

export const PRESET_IDS = ["looks-alike", "personal", "popular", "balanced"] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** Each preset's weights (a source not listed is off). */
export const PRESETS: Record<PresetId, Partial<Record<SourceName, number>>> = {
  // Similar photos first, with what is bought alongside as a tiebreaker.
  "looks-alike": { visual: 1, "bought-together": 0.2, recency: 0.1 },
  // What this customer's history says: collaborative filtering and their latest views.
  personal: { collaborative: 0.7, recency: 0.4, demographic: 0.2 },
  // The shop's bestsellers of the last weeks, some all-time favourites and new arrivals.
  popular: { "recent-popularity": 0.7, popularity: 0.2, "new-arrivals": 0.1 },
  // A bit of everything: the seed's general hybrid with popularity for customers without history.
  balanced: { visual: 0.35, collaborative: 0.3, demographic: 0.15, recency: 0.1, "recent-popularity": 0.1 },
};

function positive(w: Partial<Record<SourceName, number>>): [SourceName, number][] {
  return (Object.entries(w) as [SourceName, number][]).filter(([, v]) => v > 0);
}

/** The preset whose weights these are (same sources, same values to 0.001), or null. */
export function presetOf(weights: Partial<Record<SourceName, number>>): PresetId | null {
  const mine = positive(weights);
  for (const id of PRESET_IDS) {
    const p = positive(PRESETS[id]);
    if (p.length === mine.length && p.every(([s, v]) => Math.abs((weights[s] ?? 0) - v) < 1e-3)) return id;
  }
  return null;
}

/** A source's share of the mix (0..1; 0 when nothing is on). */
export function shareOf(weights: Partial<Record<SourceName, number>>, source: SourceName): number {
  const total = positive(weights).reduce((a, [, v]) => a + v, 0);
  return total > 0 ? (weights[source] ?? 0) / total : 0;
}

/** Variety as the page shows it: 0 = the closest matches only, 1 = as varied as MMR goes. */
export function varietyOf(ps: PlacementSettings): number {
  return Math.round((1 - ps.diversity.mmrLambda) * 100) / 100;
}

export function withVariety(ps: PlacementSettings, variety: number): PlacementSettings {
  return { ...ps, diversity: { ...ps.diversity, mmrLambda: Math.round((1 - variety) * 100) / 100 } };
}

/** The weights with only the positive ones kept (what is saved and compared). */
export function cleanWeights(w: Partial<Record<SourceName, number>>): Partial<Record<SourceName, number>> {
  return Object.fromEntries(positive(w)) as Partial<Record<SourceName, number>>;
}
