/**
 * The blend: each weighted source of the placement gives up to `pool` candidates; each list is
 * normalised on its own (normalise.ts); the final score is the weighted sum
 *   score(i) = sum_s w_s * norm_s(i)       (0 when s did not propose i)
 * and every source's reasons travel along with their contribution as weight, strongest first.
 *
 * Fallback chain: a source with no candidates, or none it can tell apart (no model yet, no history, no
 * vector, only ties: normalise.ts maps those to 0), hands its weight
 * to the first source of global.fallbacks[source] that has some: added to that source's weight when it
 * is already in the blend, else that source joins with the weight.
 */
import { informative, normalise } from "./normalise";
import type { PlacementSettings } from "./settings";
import type { Candidate, RecContext, Recommendation, SourceName } from "./types";
import type { World } from "./world";

export interface CandidateSet {
  name: SourceName;
  weight: number;
  /** Normalised to 0..1. */
  candidates: Candidate[];
  /** Set when this source stands in for an empty one. */
  fallbackFor?: SourceName;
}

export function sourceList(world: World, ctx: RecContext, ps: PlacementSettings, pool: number): CandidateSet[] {
  const g = world.settings.global;
  const results = new Map<SourceName, Candidate[]>();
  const run = (name: SourceName) => {
    let r = results.get(name);
    if (!r) {
      // Asked for `pool`, or the whole catalogue when it is smaller: equal scores over all of it say nothing either.
      r = normalise(world.sources[name].candidates(ctx, pool), g.normalisation[name] ?? g.normalisation.default, Math.min(pool, world.catalog.ids.length));
      // A list without information is no list: it contributes nothing, its weight falls back.
      if (!informative(r)) r = [];
      results.set(name, r);
    }
    return r;
  };
  const sets: CandidateSet[] = [];
  const weighted = (Object.entries(ps.weights) as [SourceName, number][]).filter(([, w]) => w > 0);
  for (const [name] of weighted) run(name);
  for (const [name, w] of weighted) {
    if (run(name).length > 0) sets.push({ name, weight: w, candidates: run(name) });
  }
  for (const [name, w] of weighted) {
    if (run(name).length > 0) continue;
    const target = resolveFallback(name, g.fallbacks, run);
    if (!target) continue;
    const existing = sets.find((s) => s.name === target);
    if (existing) existing.weight += w;
    else sets.push({ name: target, weight: w, candidates: run(target), fallbackFor: name });
  }
  return sets;
}

/** Walks the chain breadth-first (a fallback's own fallbacks come after the chain), skipping cycles. */
function resolveFallback(start: SourceName, chains: Partial<Record<SourceName, SourceName[]>>, run: (n: SourceName) => Candidate[]): SourceName | null {
  const seen = new Set<SourceName>([start]);
  const queue: SourceName[] = [...(chains[start] ?? [])];
  while (queue.length) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    if (run(next).length > 0) return next;
    queue.push(...(chains[next] ?? []));
  }
  return null;
}

export function blendCandidates(sets: CandidateSet[]): Recommendation[] {
  const byItem = new Map<number, Recommendation>();
  for (const set of sets) {
    for (const c of set.candidates) {
      const contribution = set.weight * c.score;
      let rec = byItem.get(c.item);
      if (!rec) byItem.set(c.item, (rec = { item: c.item, score: 0, reasons: [], contributions: {} }));
      rec.score += contribution;
      rec.contributions[set.name] = (rec.contributions[set.name] ?? 0) + contribution;
      for (const r of c.reasons) rec.reasons.push({ ...r, weight: contribution });
    }
  }
  const out = [...byItem.values()];
  for (const r of out) r.reasons.sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
  out.sort(byScore);
  return out;
}

export function byScore(a: Recommendation, b: Recommendation): number {
  return b.score - a.score || a.item - b.item;
}
