/**
 * Cross-sell ("Complete your look"): products of a complementary category (global.complementary;
 * earrings to a necklace) that share the anchor's collection (score 1) or material (0.5), with a small
 * bonus for the same colour and the same stone, the shop's popularity breaking ties. Anchors: the cart, else the viewed product.
 */
import type { Candidate, RecContext, Reason, Source } from "../types";
import type { World } from "../world";
import { accumulate, anchorParams, contextAnchors, restriction, topOfMap } from "./common";

const PER_GROUP = 200; // bounded work per anchor: the group's most popular products

export function crossSellSource(world: World): Source {
  return {
    name: "cross-sell",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const c = world.catalog;
      const anchors = contextAnchors(world, ctx).filter((a) => a.relation === "current" || a.relation === "cart" || ctx.placement === "cart");
      if (anchors.length === 0) return [];
      const anchorSet = new Set(anchors.map((a) => a.item));
      const allowed = restriction(world, ctx);
      const allowedSet = allowed ? new Set(allowed) : null;
      const scores = new Map<number, { score: number; reason: Reason; best: number }>();
      for (const a of anchors) {
        const cat = c.category[a.item];
        const complements = world.settings.global.complementary[cat];
        const fits = (i: number) => (complements ? complements.includes(c.category[i]) : c.category[i] !== cat);
        const groups: [number[] | undefined, number, "collection" | "material"][] = [
          [c.collection[a.item] ? world.byCollection.get(c.collection[a.item]!) : undefined, 1, "collection"],
          [world.byMaterial.get(c.material[a.item]), 0.5, "material"],
        ];
        for (const [group, base, via] of groups) {
          if (!group) continue;
          for (let j = 0; j < group.length && j < PER_GROUP; j++) {
            const i = group[j];
            if (i === a.item || !fits(i) || (allowedSet && !allowedSet.has(i))) continue;
            const colour = c.color[i] && c.color[i] === c.color[a.item] ? 0.1 : 0;
            // Matching stones (a sapphire necklace to sapphire earrings) complete a look as much as the metal.
            const stone = c.stoneType[i] && c.stoneType[i] === c.stoneType[a.item] ? 0.2 : 0;
            const pop = world.popularityRank[i]; // 0..1, 1 = bestseller
            accumulate(scores, i, a.weight * (base + colour + stone + 0.05 * pop), () => ({ source: "cross-sell", code: "completes_look", params: { ...anchorParams(world, a), via } }));
          }
        }
      }
      return topOfMap(scores, k, (i) => anchorSet.has(i));
    },
  };
}
