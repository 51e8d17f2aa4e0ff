/** New arrivals: products created within global.newArrivalDays, newest first (score 1 -> 0 with age). */
import type { Candidate, RecContext, Source } from "../types";
import type { World } from "../world";

const DAY = 86_400_000;

export function newArrivalsSource(world: World): Source {
  return {
    name: "new-arrivals",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const days = world.settings.global.newArrivalDays;
      const out: Candidate[] = [];
      for (const item of world.newItemsAt(ctx.now)) {
        if (out.length >= k) break;
        const ageDays = (ctx.now - world.catalog.createdAt[item]) / DAY;
        out.push({ item, score: Math.max(1e-6, 1 - ageDays / days), reasons: [{ source: "new-arrivals", code: "new_arrival" }] });
      }
      return out;
    },
  };
}
