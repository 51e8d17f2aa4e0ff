/**
 * New arrivals: products created within global.newArrivalDays, newest first (score 1 -> 0 with age),
 * counted back from the shop's reference time (the earlier of the request's time and world.dataNow,
 * its latest event or product): an imported catalogue's newest products are new at its last day.
 */
import type { Candidate, RecContext, Source } from "../types";
import type { World } from "../world";
import { shopTime } from "./common";

const DAY = 86_400_000;

export function newArrivalsSource(world: World): Source {
  return {
    name: "new-arrivals",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const days = world.settings.global.newArrivalDays;
      const at = shopTime(world, ctx);
      const out: Candidate[] = [];
      for (const item of world.newItemsAt(at)) {
        if (out.length >= k) break;
        const ageDays = (at - world.catalog.createdAt[item]) / DAY;
        out.push({ item, score: Math.max(1e-6, 1 - ageDays / days), reasons: [{ source: "new-arrivals", code: "new_arrival" }] });
      }
      return out;
    },
  };
}
