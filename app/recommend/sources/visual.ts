/**
 * Visual similarity (MobileNetV2 image embeddings, cosine): products that look like the anchors
 * (the viewed product, the cart, the recent history; for email the past purchases). Several anchors:
 * a candidate's score is the sum over anchors of weight x similarity, its reason the anchor it
 * resembles most. A new product is a candidate the moment it has a vector in the index.
 */
import type { Candidate, RecContext, Source } from "../types";
import type { World } from "../world";
import { dot } from "../vector";
import { accumulate, anchorParams, contextAnchors, restriction, topOfMap, type Anchor } from "./common";

export function visualSource(world: World): Source {
  return {
    name: "visual",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const vs = world.visual;
      if (!vs) return [];
      const anchors = contextAnchors(world, ctx).filter((a) => world.vectorOf(a.item) !== null);
      if (anchors.length === 0) return [];
      const anchorSet = new Set(anchors.map((a) => a.item));
      const scores = new Map<number, { score: number; reason: import("../types").Reason; best: number }>();
      const allowed = restriction(world, ctx);
      const reason = (a: Anchor, sim: number) => () => ({ source: "visual" as const, code: "looks_like", params: { ...anchorParams(world, a), similarity: round(sim) } });
      for (const a of anchors) {
        if (allowed) {
          // A small restricted set (new arrivals): exact cosine against each, no index needed.
          const q = world.vectorOf(a.item)!;
          for (const item of allowed) {
            const v = world.vectorOf(item);
            if (!v || item === a.item) continue;
            const sim = dot(q, v);
            if (sim > 0) accumulate(scores, item, a.weight * sim, reason(a, sim));
          }
        } else {
          for (const n of world.visualNeighbours(a.item, k)) {
            if (n.score > 0) accumulate(scores, n.item, a.weight * n.score, reason(a, n.score));
          }
        }
      }
      return topOfMap(scores, k, (i) => anchorSet.has(i));
    },
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
