/**
 * Collaborative filtering (implicit ALS): the customer's trained vector when the model knows them,
 * else a vector folded in from their recent events (anonymous sessions, customers newer than the
 * model), scored against every product's factors. The reason names the history product whose factors
 * are closest to the candidate's, when there is one ("customers who liked the ring you viewed ...").
 * With an item-based part (cf.ease, chosen by the tuner), the score is cf/ease.ts mixedScores: ALS
 * and EASE (from the request's history) each scaled by its maximum, mixed by the tuned weight.
 */
import type { Candidate, RecContext, Reason, Source } from "../types";
import type { World } from "../world";
import { anchorParams, recentAnchors, restriction, showable } from "./common";
import { easeHistory, mixedScores } from "../cf/ease";
import { entriesFromEvents } from "../cf/foldin";
import { DEFAULT_CONFIDENCE } from "../cf/confidence";

export function collaborativeSource(world: World): Source {
  return {
    name: "collaborative",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const cf = world.cf;
      if (!cf) return [];
      const vec = world.userVector(ctx);
      const f = cf.factors;
      const allowed = restriction(world, ctx);
      const ok = showable(world, ctx);
      let scored: { item: number; score: number }[];
      if (cf.ease && cf.ease.weight > 0) {
        // The customer's EASE row as the model was fitted (cf/tune.ts validationHistories): every
        // product bought, not only those among the newest HISTORY_CAP events, plus what the recent
        // events touched.
        const history = [...new Set([...ctx.purchased, ...easeHistory(entriesFromEvents(ctx.history, cf.confidence ?? DEFAULT_CONFIDENCE, ctx.now))])];
        if (!vec && history.length === 0) return [];
        const all = mixedScores(cf, vec, history, new Float64Array(world.catalog.ids.length));
        scored = [];
        for (const item of allowed ?? all.keys()) if (all[item] > 0 && ok(item)) scored.push({ item, score: all[item] });
        scored.sort((a, b) => b.score - a.score || a.item - b.item);
        scored = scored.slice(0, k);
      } else if (!vec) {
        return [];
      } else if (allowed) {
        scored = [];
        for (const item of allowed) if (ok(item)) scored.push({ item, score: rowDot(vec, cf.itemFactors, item * f, f) });
        scored.sort((a, b) => b.score - a.score || a.item - b.item);
        scored = scored.slice(0, k);
      } else {
        // Asked for enough to survive the exclusions (the customer's purchases, the cart, the current product).
        scored = world.topForVector(vec, k + ctx.purchased.size + ctx.cart.length + 1).filter((s) => ok(s.item)).slice(0, k);
      }
      const anchors = recentAnchors(world, ctx).filter((a) => a.item * f < cf.itemFactors.length);
      return scored
        .filter((s) => s.score > 0)
        .map((s) => ({ item: s.item, score: s.score, reasons: [cfReason(world, s.item, anchors)] }));
    },
  };
}

function cfReason(world: World, item: number, anchors: ReturnType<typeof recentAnchors>): Reason {
  const cf = world.cf!;
  const f = cf.factors;
  let best = -1;
  let bestSim = 0;
  for (let j = 0; j < anchors.length; j++) {
    if (anchors[j].item === item) continue;
    const sim = rowCosine(cf.itemFactors, item * f, anchors[j].item * f, f);
    if (sim > bestSim) {
      bestSim = sim;
      best = j;
    }
  }
  return best >= 0 && bestSim > 0.3
    ? { source: "collaborative", code: "liked_with", params: anchorParams(world, anchors[best]) }
    : { source: "collaborative", code: "similar_customers" };
}

function rowDot(v: Float32Array, m: Float32Array, off: number, f: number): number {
  let s = 0;
  for (let i = 0; i < f; i++) s += v[i] * m[off + i];
  return s;
}

function rowCosine(m: Float32Array, a: number, b: number, f: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < f; i++) {
    ab += m[a + i] * m[b + i];
    aa += m[a + i] * m[a + i];
    bb += m[b + i] * m[b + i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
