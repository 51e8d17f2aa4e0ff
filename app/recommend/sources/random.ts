/**
 * Random: a baseline for evaluation and the last link of the fill chain (a shop without behaviour,
 * dates or images still gets a full list). Deterministic per request: seeded by customer, product,
 * cart and day, so the API and the batch agree and tests are stable.
 */
import type { Candidate, RecContext, Source } from "../types";
import type { World } from "../world";
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
      let stride = 1 + (hash32(seed ^ 0x9e3779b9) % Math.max(1, n - 1));
      while (gcd(stride, n) !== 1) stride++;
      let pos = hash32(seed) % n;
      for (let j = 0; j < Math.min(k, n); j++) {
        const item = allowed ? allowed[pos] : pos;
        out.push({ item, score: 1 - j / Math.max(1, Math.min(k, n)), reasons: [{ source: "random", code: "discover" }] });
        pos = (pos + stride) % n;
      }
      return out;
    },
  };
}

/** A 32-bit seed of the request's identity and day (not the exact time: stable within a day). */
export function requestSeed(ctx: RecContext): number {
  const day = Math.floor(ctx.now / 86_400_000);
  return hashString(`${ctx.customer?.id ?? ""}|${ctx.item ?? ""}|${ctx.cart.join(",")}|${ctx.placement}|${day}`);
}

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
