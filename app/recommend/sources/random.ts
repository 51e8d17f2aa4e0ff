/**
 * Random: a baseline for evaluation and the last link of the fill chain (a shop without behaviour,
 * dates or images still gets a full list). Deterministic per request: seeded by customer, product,
 * cart and day, so the API and the batch agree and tests are stable.
 */
import type { Candidate, RecContext, Source } from "../types";
import type { World } from "../world";
import { mix32, requestSeed } from "../hash";
import { restriction } from "./common";

export function randomSource(world: World): Source {
  return {
    name: "random",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const allowed = restriction(world, ctx);
      const n = allowed ? allowed.length : world.catalog.ids.length;
      if (n === 0) return [];
      const seed = requestSeed(ctx);
      const out: Candidate[] = [];
      // A random permutation walk: start and stride from the seed, stride coprime to n.
      let stride = 1 + (mix32(seed ^ 0x9e3779b9) % Math.max(1, n - 1));
      while (gcd(stride, n) !== 1) stride++;
      let pos = mix32(seed) % n;
      for (let j = 0; j < Math.min(k, n); j++) {
        const item = allowed ? allowed[pos] : pos;
        out.push({ item, score: 1 - j / Math.max(1, Math.min(k, n)), reasons: [{ source: "random", code: "discover" }] });
        pos = (pos + stride) % n;
      }
      return out;
    },
  };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
