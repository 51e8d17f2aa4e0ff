/**
 * Bought together (item-item co-purchase neighbours from training): products often bought with the
 * current product, the cart's products or the customer's latest purchases.
 */
import type { Candidate, ItemNeighbours, RecContext, Reason, Source } from "../types";
import type { World } from "../world";
import { accumulate, anchorParams, contextAnchors, restriction, topOfMap, type Anchor } from "./common";

export function boughtTogetherSource(world: World): Source {
  return {
    name: "bought-together",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const nb = world.boughtTogether;
      if (!nb) return [];
      const anchors = contextAnchors(world, ctx);
      const anchorSet = new Set(anchors.map((a) => a.item));
      const allowed = restriction(world, ctx);
      const allowedSet = allowed ? new Set(allowed) : null;
      const scores = new Map<number, { score: number; reason: Reason; best: number }>();
      for (const a of anchors) {
        forNeighbours(nb, a.item, (item, s) => {
          if (allowedSet && !allowedSet.has(item)) return;
          accumulate(scores, item, a.weight * s, () => boughtReason(world, a));
        });
      }
      return topOfMap(scores, k, (i) => anchorSet.has(i));
    },
  };
}

export function boughtReason(world: World, a: Anchor): Reason {
  return { source: "bought-together", code: "bought_with", params: anchorParams(world, a) };
}

/** Calls fn for each neighbour of a product in a CSR neighbour list (none when out of range). */
export function forNeighbours(nb: ItemNeighbours, item: number, fn: (item: number, score: number) => void): void {
  if (item < 0 || item + 1 >= nb.indptr.length) return;
  for (let p = nb.indptr[item]; p < nb.indptr[item + 1]; p++) fn(nb.indices[p], nb.scores[p]);
}
