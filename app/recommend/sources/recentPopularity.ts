/**
 * Recent popularity: the whole shop's bestsellers of the last global.recentPopularityDays before the
 * shop's reference time (world.dataNow: its latest event, so an imported history counts its own last
 * month, not the wall clock's). The same for everyone; a strong baseline on shops whose catalogue
 * turns over (gift shops, seasons), where all-time or slowly decaying popularity lags.
 */
import type { Candidate, RecContext, Source } from "../types";
import type { World } from "../world";
import { restriction, showable } from "./common";

export function recentPopularitySource(world: World): Source {
  const reason = { source: "recent-popularity" as const, code: "popular_recently", params: { days: world.settings.global.recentPopularityDays } };
  return {
    name: "recent-popularity",
    candidates(ctx: RecContext, k: number): Candidate[] {
      const rp = world.recentPopularity;
      const allowed = restriction(world, ctx);
      const ok = showable(world, ctx);
      const out: Candidate[] = [];
      if (allowed) {
        for (const item of allowed) if (rp.counts[item] > 0 && ok(item)) out.push({ item, score: rp.counts[item], reasons: [reason] });
        out.sort((a, b) => b.score - a.score || a.item - b.item);
        return out.slice(0, k);
      }
      for (let j = 0; j < rp.top.length && out.length < k; j++) if (ok(rp.top[j])) out.push({ item: rp.top[j], score: rp.counts[rp.top[j]], reasons: [reason] });
      return out;
    },
  };
}

/**
 * Per product, how many customers touched it within [to - days, to] (cancelled lines and the future
 * excluded), each customer counted once per product with the weight of their strongest event type
 * (a purchase 6, a view 1 by default); an anonymous event (no customer) counts once by its own type
 * weight. Quantities do not count: a wholesaler's order of 2,000 units is one buyer, as in the
 * reference "popularity of the last 30 days" (measured on UCI Online Retail: quantity-weighted counts
 * put bulk-bought items on top that few customers buy next; see docs/decisions/0141). Returns the
 * counts and the top list (ties: the lower product index first).
 */
export function windowCounts(
  events: { length: number; customer: Int32Array; item: Int32Array; type: Uint8Array; at: Float64Array; cancelled: Uint8Array },
  nItems: number,
  to: number,
  days: number,
  typeWeight: number[],
  top = 1000,
): { counts: Float64Array; top: Int32Array } {
  const from = to - days * 86_400_000;
  const counts = new Float64Array(nItems);
  // customer * nItems + item -> the strongest weight so far (below 2^53 for any real shop).
  const strongest = new Map<number, number>();
  for (let e = 0; e < events.length; e++) {
    if (events.cancelled[e]) continue;
    const at = events.at[e];
    if (at > to || at < from) continue;
    const item = events.item[e];
    if (item < 0 || item >= nItems) continue;
    const w = typeWeight[events.type[e]] ?? 0;
    if (!(w > 0)) continue;
    const c = events.customer[e];
    if (c < 0) {
      counts[item] += w;
      continue;
    }
    const key = c * nItems + item;
    const had = strongest.get(key) ?? 0;
    if (w > had) {
      strongest.set(key, w);
      counts[item] += w - had;
    }
  }
  const items: number[] = [];
  for (let i = 0; i < nItems; i++) if (counts[i] > 0) items.push(i);
  items.sort((a, b) => counts[b] - counts[a] || a - b);
  return { counts, top: Int32Array.from(items.slice(0, top)) };
}
