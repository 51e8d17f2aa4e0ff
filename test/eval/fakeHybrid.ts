/**
 * A recording stand-in for the trainer and the hybrid (app/recommend/world.ts): it ranks by
 * weighted popularity in the events it was built on, and records every call, so tests can check
 * what training saw and what the tuner evaluated.
 */
import type { PlacementSettings } from "../../app/recommend/settings";
import type { Catalog, EventTable, RecContext, SourceName } from "../../app/recommend/types";
import type { HybridDeps, WorldInputLike } from "../../app/recommend/eval/run";

export interface FakeWorld {
  id: number;
  input: WorldInputLike;
  popularity: Float64Array;
}

export interface Recording {
  trained: EventTable[];
  worlds: FakeWorld[];
  /** Every request context built: which world, which customer, at what time. */
  contexts: { world: number; customerId?: string; now?: number; placement: string }[];
  /** Every blend call: which world, the request time, the overrides (tuning). */
  calls: { world: number; now: number; overrides?: Partial<PlacementSettings> }[];
}

export function fakeHybrid(catalog: Catalog): { deps: HybridDeps<FakeWorld>; rec: Recording } {
  const rec: Recording = { trained: [], worlds: [], contexts: [], calls: [] };
  const score = (w: FakeWorld, ctx: RecContext, weights: Partial<Record<SourceName, number>>) => {
    // collaborative = popularity in the training events; visual = prefers low indices; demographic = high indices.
    const n = catalog.ids.length;
    return Array.from({ length: n }, (_, item) => ({
      item,
      score: (weights.collaborative ?? 0) * w.popularity[item] + (weights.visual ?? 0) * (1 - item / n) + (weights.demographic ?? 0) * (item / n),
      reasons: [],
    })).filter((c) => !ctx.purchased.has(c.item));
  };
  const deps: HybridDeps<FakeWorld> = {
    train(_catalog, events) {
      rec.trained.push(events);
      return { cf: null, boughtTogether: null, viewedTogether: null };
    },
    buildWorld(input) {
      const popularity = new Float64Array(catalog.ids.length);
      for (let i = 0; i < input.events.length; i++) popularity[input.events.item[i]] += input.events.type[i] === 5 ? 1 : 0.01;
      const max = Math.max(1e-9, ...popularity);
      for (let i = 0; i < popularity.length; i++) popularity[i] /= max;
      const w = { id: rec.worlds.length, input, popularity };
      rec.worlds.push(w);
      return w;
    },
    contextFor(world, req) {
      rec.contexts.push({ world: world.id, customerId: req.customerId, now: req.now, placement: req.placement });
      const c = world.input.events.customers.indexOf(req.customerId ?? "");
      const purchased = new Set<number>();
      for (let i = 0; i < world.input.events.length; i++) if (world.input.events.customer[i] === c && world.input.events.type[i] === 5) purchased.add(world.input.events.item[i]);
      return { placement: req.placement, now: req.now ?? world.input.now, customer: null, history: [], purchased, item: req.productId ? catalog.index.get(req.productId)! : null, cart: [], gift: false, locale: "de" };
    },
    recommend(world, ctx, k, overrides) {
      rec.calls.push({ world: world.id, now: ctx.now, overrides });
      const weights = overrides?.weights ?? world.input.settings.placements[ctx.placement].weights;
      return score(world, ctx, weights)
        .sort((a, b) => b.score - a.score || a.item - b.item)
        .slice(0, k)
        .map((c) => ({ ...c, contributions: {} }));
    },
    sourceCandidates(world, source, ctx, k) {
      return score(world, ctx, { [source]: 1 }).sort((a, b) => b.score - a.score || a.item - b.item).slice(0, k);
    },
  };
  return { deps, rec };
}
