/**
 * Demographic: popularity (or trending) in the customer's segment, gender x age group x country,
 * smoothed toward the parent segments (segments.ts). Anonymous shoppers and opted-out customers have
 * no profile: they get the whole shop's list, which is the popularity source's list.
 */
import type { Candidate, RecContext, Reason, Source } from "../types";
import type { World } from "../world";
import { firstWithData, partsOfKey, segmentChain, segmentParts, segmentScores, ROOT } from "../segments";
import { restriction } from "./common";

export function demographicSource(world: World): Source {
  return {
    name: "demographic",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const mode = world.settings.global.demographicMode;
      const lists = mode === "popular" ? world.segments.popular : world.segments.trending;
      const key = firstWithData(segmentChain(segmentParts(ctx.customer)), lists);
      if (key === null) return [];
      return segmentCandidates(world, ctx, k, key, mode, "demographic");
    },
  };
}

export function segmentReason(source: "demographic" | "popularity", key: string, mode: "popular" | "trending"): Reason {
  const p = partsOfKey(key);
  const params: Record<string, string> = { segment: key };
  if (p.gender) params.gender = p.gender;
  if (p.ageGroup) params.ageGroup = p.ageGroup;
  if (p.country) params.country = p.country;
  const code = key === ROOT ? (mode === "popular" ? "popular_in_shop" : "trending_in_shop") : mode === "popular" ? "popular_in_segment" : "trending_in_segment";
  return { source, code, params };
}

/** The segment's top list, or, for a restricted placement, the segment's scores of the allowed products. */
export function segmentCandidates(world: World, ctx: RecContext, k: number, key: string, mode: "popular" | "trending", source: "demographic" | "popularity"): Candidate[] {
  const reason = segmentReason(source, key, mode);
  const allowed = restriction(world, ctx);
  const out: Candidate[] = [];
  if (allowed) {
    const items = [...allowed];
    const scores = segmentScores(world.segments, mode, key, items);
    items.forEach((item, j) => {
      // Smoothing gives every product a share; only products with behaviour are "popular" with anyone.
      if (scores[j] > 0 && world.eventCount[item] > 0) out.push({ item, score: scores[j], reasons: [reason] });
    });
    out.sort((a, b) => b.score - a.score || a.item - b.item);
    return out.slice(0, k);
  }
  const list = (mode === "popular" ? world.segments.popular : world.segments.trending).get(key)!;
  for (let j = 0; j < list.items.length && out.length < k; j++) out.push({ item: list.items[j], score: list.scores[j], reasons: [reason] });
  return out;
}
