/**
 * The pipeline of one request over a World:
 *   sources -> per-source normalisation -> weighted blend -> business rules -> diversity -> explanations.
 */
import type { CandidateSet } from "./blend";
import { blendCandidates, sourceList } from "./blend";
import { applyGuard } from "./blendGuard";
import { applyDiversity } from "./diversity";
import { applyRules, hardFilter } from "./rules";
import { placementSettings, type PlacementSettings } from "./settings";
import type { Candidate, RecContext, Recommendation, SourceName } from "./types";
import type { World } from "./world";

/** The full pipeline for one request; `overrides` change this placement's settings (evaluation, tests). */
export function recommend(world: World, ctx: RecContext, k: number, overrides?: Partial<PlacementSettings>): Recommendation[] {
  return recommendTraced(world, ctx, k, overrides).items;
}

export interface RecommendTrace {
  items: Recommendation[];
  /** Which sources ran with which weight (after fallbacks), and how many candidates each gave. */
  sources: { name: SourceName; weight: number; candidates: number; fallbackFor?: SourceName }[];
}

export function recommendTraced(world: World, ctx: RecContext, k: number, overrides?: Partial<PlacementSettings>): RecommendTrace {
  // The guard replaces the served weights; a caller's own weights (evaluation, experiments) win over it.
  const base = placementSettings(world.settings, ctx.placement, overrides);
  const ps = overrides?.weights ? base : applyGuard(base, world.guards[ctx.placement]);
  if (k <= 0) return { items: [], sources: [] };
  const pool = Math.max(world.settings.global.minPool, k * world.settings.global.poolFactor);
  const sets: CandidateSet[] = sourceList(world, ctx, ps, pool);
  let blended = blendCandidates(sets);
  blended = applyRules(world, ctx, ps, blended);
  if (blended.length < k) blended = fill(world, ctx, ps, blended, k, pool);
  const items = applyDiversity(world, ctx, ps, blended, k);
  return { items, sources: sets.map((s) => ({ name: s.name, weight: s.weight, candidates: s.candidates.length, fallbackFor: s.fallbackFor })) };
}

/** Rules left too few: fill from global.fill sources (after the same rules), scores below every blended one. */
function fill(world: World, ctx: RecContext, ps: PlacementSettings, list: Recommendation[], k: number, pool: number): Recommendation[] {
  const have = new Set(list.map((r) => r.item));
  const out = [...list];
  let floor = list.length ? Math.min(...list.map((r) => r.score)) : 1;
  for (const name of world.settings.global.fill) {
    if (out.length >= k) break;
    const cands = world.sources[name].candidates(ctx, pool + have.size);
    const fresh = cands.filter((c) => !have.has(c.item));
    const recs = applyRules(
      world,
      ctx,
      ps,
      fresh.map((c, j) => ({ item: c.item, score: floor * 0.5 * (1 - j / (fresh.length + 1)), reasons: c.reasons.map((r) => ({ ...r, weight: 0 })), contributions: {} })),
    );
    for (const r of recs) {
      if (out.length >= k + pool) break;
      have.add(r.item);
      out.push(r);
    }
    floor = out.length ? Math.min(...out.map((r) => r.score)) : floor;
  }
  return out;
}

/**
 * One source alone, with the hard exclusions (current product, cart, out of stock, hidden) applied:
 * for single-source evaluation.
 */
export function sourceCandidates(world: World, source: SourceName, ctx: RecContext, k: number): Candidate[] {
  const extra = ctx.cart.length + (ctx.item !== null ? 1 : 0) + 10;
  const cands = world.sources[source].candidates(ctx, k + extra);
  const ps = world.settingsFor(ctx.placement);
  return cands.filter((c) => hardFilter(world, ctx, ps, c.item, { purchased: false, seasonal: false })).slice(0, k);
}
