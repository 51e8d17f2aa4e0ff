/**
 * Diversity and exploration, on the rule-filtered blended list:
 * - maximal marginal relevance on the visual vectors: pick, one at a time, the candidate maximising
 *   lambda * relevance - (1 - lambda) * (max cosine to what is already picked); relevance = score / best;
 * - caps: at most maxPerCategory of a category, maxPerCollection of a collection, and a share
 *   maxPriceTierShare of one price tier (catalogue terciles). Caps bend rather than break: when no
 *   candidate respects them the best one is taken anyway (a short list is worse than a capped one);
 * - the price band's order is kept: products outside the customer's band only after those inside;
 * - exploration: the last `explorationSlots` go to new or rarely seen products (new within
 *   newArrivalDays, or at most rareMaxEvents interactions), preferring ones the blend proposed,
 *   chosen with a per-request seed (customer, product, day) so lists vary across shoppers but the
 *   same request gives the same list (API = batch).
 * Cost: O(k x pool x dim) dot products, pool bounded to max(4k, 40), on the compact vectors
 * (World.similarityVector) when the index has them.
 */
import { applyPins, hardFilter, inPriceBand, ownCategories, priceBand } from "./rules";
import type { PlacementSettings } from "./settings";
import type { RecContext, Recommendation } from "./types";
import type { World } from "./world";
import { shopTime } from "./sources/common";
import { mix32, requestSeed } from "./hash";
import { dot4 } from "./vector";

export function applyDiversity(world: World, ctx: RecContext, ps: PlacementSettings, list: Recommendation[], k: number): Recommendation[] {
  const d = ps.diversity;
  const slots = k >= 2 ? Math.min(d.explorationSlots, k - 1) : 0;
  const picked = mmrWithCaps(world, ctx, ps, list, k - slots);
  const explore = slots > 0 ? exploration(world, ctx, ps, list, picked, slots) : [];
  let out = picked.concat(explore);
  if (out.length < k) {
    // Exploration found nothing: the next best of the list take the slots.
    const have = new Set(out.map((r) => r.item));
    for (const r of list) {
      if (out.length >= k) break;
      if (!have.has(r.item)) out.push(r);
    }
  }
  out = applyPins(world, ctx, ps, out, k);
  return out.slice(0, k);
}

function mmrWithCaps(world: World, ctx: RecContext, ps: PlacementSettings, list: Recommendation[], k: number): Recommendation[] {
  if (k <= 0) return [];
  const d = ps.diversity;
  const c = world.catalog;
  const pool = list.slice(0, Math.max(4 * k, 40));
  const n = pool.length;
  const best = n ? Math.max(...pool.map((r) => r.score)) : 1;
  const rel = pool.map((r) => (best > 0 ? r.score / best : 0));
  const band = priceBand(world, ctx, ps);
  // Tiers picked in order: other categories before the shopper's own ("Complete your look", rules.otherCategories), then inside the price band before outside.
  const own = ps.rules.otherCategories ? ownCategories(world, ctx) : null;
  const tier = pool.map((r) => (own?.has(c.category[r.item]) ? 2 : 0) + (band && !inPriceBand(world, band, r.item) ? 1 : 0));
  // Similarities between candidates: compact vectors (k x pool dot products per request).
  const vecs = pool.map((r) => (d.mmrLambda < 1 ? world.similarityVector(r.item) : null));
  const maxSim = new Float64Array(n);
  const taken = new Uint8Array(n);
  const perCategory = new Map<string, number>();
  const perCollection = new Map<string, number>();
  const perTier = [0, 0, 0];
  const tierCap = Math.max(1, Math.ceil(d.maxPriceTierShare * k));
  const fits = (i: number) => {
    const item = pool[i].item;
    if (d.maxPerCategory !== null && (perCategory.get(c.category[item]) ?? 0) >= d.maxPerCategory) return false;
    const coll = c.collection[item];
    if (d.maxPerCollection !== null && coll && (perCollection.get(coll) ?? 0) >= d.maxPerCollection) return false;
    if (d.maxPriceTierShare < 1 && perTier[world.priceTier[item]] >= tierCap) return false;
    return true;
  };
  const out: Recommendation[] = [];
  while (out.length < k) {
    let choice = -1;
    for (const respectCaps of [true, false]) {
      let bestValue = -Infinity;
      let bestTier = 4;
      for (let i = 0; i < n; i++) {
        if (taken[i] || (respectCaps && !fits(i))) continue;
        const value = d.mmrLambda * rel[i] - (1 - d.mmrLambda) * maxSim[i];
        if (tier[i] < bestTier || (tier[i] === bestTier && value > bestValue)) {
          bestTier = tier[i];
          bestValue = value;
          choice = i;
        }
      }
      if (choice >= 0) break;
    }
    if (choice < 0) break;
    taken[choice] = 1;
    const item = pool[choice].item;
    out.push(pool[choice]);
    perCategory.set(c.category[item], (perCategory.get(c.category[item]) ?? 0) + 1);
    const coll = c.collection[item];
    if (coll) perCollection.set(coll, (perCollection.get(coll) ?? 0) + 1);
    perTier[world.priceTier[item]]++;
    const v = vecs[choice];
    if (v) {
      for (let i = 0; i < n; i++) {
        const w = vecs[i];
        if (!taken[i] && w) maxSim[i] = Math.max(maxSim[i], dot4(v, w));
      }
    }
  }
  return out;
}

const DAY = 86_400_000;

function exploration(world: World, ctx: RecContext, ps: PlacementSettings, list: Recommendation[], picked: Recommendation[], slots: number): Recommendation[] {
  const have = new Set(picked.map((r) => r.item));
  const c = world.catalog;
  const newFrom = ctx.now - world.settings.global.newArrivalDays * DAY;
  const isNew = (i: number) => c.createdAt[i] >= newFrom && c.createdAt[i] <= ctx.now;
  const rarelyShown = (i: number) => world.impressions !== null && world.impressions[i] <= ps.diversity.rareMaxImpressions;
  const eligible = (i: number) => !have.has(i) && (isNew(i) || world.eventCount[i] <= ps.diversity.rareMaxEvents || rarelyShown(i));
  // Prefer what the blend proposed (relevant and new/rare), then new arrivals, then rarely seen products.
  let pool = list.filter((r) => eligible(r.item)).slice(0, 5).map((r) => r.item);
  if (pool.length === 0) {
    const fresh: number[] = [];
    for (const i of world.newItemsAt(shopTime(world, ctx))) {
      if (fresh.length >= 20) break;
      if (eligible(i) && hardFilter(world, ctx, ps, i)) fresh.push(i);
    }
    pool = fresh;
  }
  if (pool.length === 0) {
    const rare: number[] = [];
    for (let i = 0; i < c.ids.length && rare.length < 20; i++) if (eligible(i) && hardFilter(world, ctx, ps, i)) rare.push(i);
    pool = rare;
  }
  const out: Recommendation[] = [];
  let seed = requestSeed(ctx);
  const floor = picked.length ? picked[picked.length - 1].score : 0;
  while (out.length < slots && pool.length > 0) {
    seed = mix32(seed + 1);
    const item = pool.splice(seed % pool.length, 1)[0];
    const had = list.find((r) => r.item === item);
    const reason = { source: isNew(item) ? ("new-arrivals" as const) : ("random" as const), code: isNew(item) ? "new_arrival" : "discover", weight: 0 };
    out.push({
      item,
      score: had ? Math.min(had.score, floor) : 0,
      reasons: had ? [...had.reasons, reason] : [reason],
      contributions: had?.contributions ?? {},
    });
  }
  return out;
}
