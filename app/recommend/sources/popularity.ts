/** Popularity: the whole shop's time-decayed bestsellers (the root segment), the same for everyone. */
import type { Candidate, RecContext, Source } from "../types";
import type { World } from "../world";
import { ROOT } from "../segments";
import { segmentCandidates } from "./demographic";

export function popularitySource(world: World): Source {
  return {
    name: "popularity",
    candidates(ctx: RecContext, k: number): Candidate[] {
      if (!world.segments.popular.has(ROOT)) return [];
      return segmentCandidates(world, ctx, k, ROOT, "popular", "popularity");
    },
  };
}
