/**
 * Visual similarity (MobileNetV2 image embeddings, cosine): products that look like the anchors
 * (the viewed product, the cart, the recent history; for email the past purchases). Several anchors:
 * a candidate's score is the sum over anchors of weight x similarity, its reason the anchor it
 * resembles most. A new product is a candidate the moment it has a vector in the index.
 */
import type { Candidate, RecContext, Source } from "../types";
import type { World } from "../world";
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

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** dot() with four accumulators (about twice as fast on long vectors; rounding differs in the last bits). */
export function dot4(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return s0 + s1 + s2 + s3;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
