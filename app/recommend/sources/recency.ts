/**
 * Recency: the customer's (or anonymous session's) latest views, carts and purchases, each spreading
 * to its visual neighbours and its bought-together neighbours, weighted by event strength and
 * decaying with age (half-life global.recencyHalfLifeHours). A recent product itself keeps a share
 * (recencySelfWeight): shoppers come back to what they looked at.
 */
import type { Candidate, RecContext, Reason, Source } from "../types";
import type { World } from "../world";
import { accumulate, anchorParams, recentAnchors, restriction, topOfMap } from "./common";
import { forNeighbours } from "./boughtTogether";

export function recencySource(world: World): Source {
  return {
    name: "recency",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const anchors = recentAnchors(world, ctx);
      if (anchors.length === 0) return [];
      const allowed = restriction(world, ctx);
      const allowedSet = allowed ? new Set(allowed) : null;
      const ok = (i: number) => !allowedSet || allowedSet.has(i);
      const selfWeight = world.settings.global.recencySelfWeight;
      const scores = new Map<number, { score: number; reason: Reason; best: number }>();
      for (const a of anchors) {
        const params = anchorParams(world, a);
        if (selfWeight > 0 && ok(a.item)) accumulate(scores, a.item, a.weight * selfWeight, () => ({ source: "recency", code: "recently_seen", params }));
        for (const n of world.visualNeighbours(a.item, k)) {
          if (n.score > 0 && ok(n.item)) accumulate(scores, n.item, a.weight * n.score, () => ({ source: "recency", code: "looks_like", params }));
        }
        if (world.boughtTogether) {
          let max = 0;
          forNeighbours(world.boughtTogether, a.item, (_, s) => (max = Math.max(max, s)));
          if (max > 0) {
            forNeighbours(world.boughtTogether, a.item, (item, s) => {
              if (ok(item)) accumulate(scores, item, (a.weight * s) / max, () => ({ source: "recency", code: "bought_with", params }));
            });
          }
        }
      }
      return topOfMap(scores, k);
    },
  };
}
