/**
 * What several sources share: the request's anchors (the products a list is "about"), bounded top-k
 * selection, and the candidate restriction of a placement (email: new products only).
 */
import type { Candidate, Event, InteractionType, RecContext, Reason } from "../types";
import type { World } from "../world";
import { hardFilter } from "../rules";

/** How an anchor relates to the shopper; explanations name it ("the ring you viewed"). */
export type Relation = "current" | "cart" | "viewed" | "carted" | "bought" | "wishlisted";

export interface Anchor {
  item: number;
  weight: number;
  relation: Relation;
}

const HOUR = 3_600_000;

export function relationOf(type: InteractionType): Relation {
  if (type === "purchase") return "bought";
  if (type === "add_to_cart") return "carted";
  if (type === "add_to_wishlist") return "wishlisted";
  return "viewed";
}

/**
 * The latest distinct products of the history (newest first), each with a weight = event strength x
 * 0.5^(age / half-life). remove_from_cart events are no interest signal and are skipped. Ages count
 * from the history's own latest event (at or before ctx.now): the same order as from ctx.now (an
 * exponential decay only scales every weight alike), but a year-old imported history does not
 * underflow to zero.
 */
export function recentAnchors(world: World, ctx: RecContext, limit = world.settings.global.recencyEvents): Anchor[] {
  const g = world.settings.global;
  const byItem = new Map<number, Anchor>();
  const order: number[] = [];
  let ref = -Infinity;
  for (const e of ctx.history) if (e.at <= ctx.now && e.at > ref) ref = e.at;
  if (!Number.isFinite(ref)) ref = ctx.now;
  for (let i = ctx.history.length - 1; i >= 0 && order.length < limit; i--) {
    const e: Event = ctx.history[i];
    if (e.type === "remove_from_cart" || e.at > ctx.now) continue;
    const strength = g.eventWeights[e.type] ?? 0;
    if (strength <= 0) continue;
    const w = strength * Math.pow(0.5, Math.max(0, ref - e.at) / (g.recencyHalfLifeHours * HOUR));
    const prev = byItem.get(e.item);
    if (!prev) {
      byItem.set(e.item, { item: e.item, weight: w, relation: relationOf(e.type) });
      order.push(e.item);
    } else if (w > prev.weight) {
      byItem.set(e.item, { item: e.item, weight: w, relation: relationOf(e.type) });
    }
  }
  return order.map((i) => byItem.get(i)!);
}

/** The products a placement is about, strongest first: current product, cart, else the recent history. */
export function contextAnchors(world: World, ctx: RecContext): Anchor[] {
  const out: Anchor[] = [];
  if (ctx.item !== null) out.push({ item: ctx.item, weight: 1, relation: "current" });
  for (const c of ctx.cart) if (c !== ctx.item) out.push({ item: c, weight: ctx.item !== null ? 0.5 : 1, relation: "cart" });
  if (out.length > 0) return out;
  if (ctx.placement === "email") {
    // "Visual similarity to past purchases": the newest purchases anchor the email list.
    const bought = ctx.history.filter((e) => e.type === "purchase");
    const seen = new Set<number>();
    // At most 5 anchors: the email list scores every new product against each exactly.
    for (let i = bought.length - 1; i >= 0 && out.length < Math.min(5, world.settings.global.recencyEvents); i--) {
      if (seen.has(bought[i].item)) continue;
      seen.add(bought[i].item);
      out.push({ item: bought[i].item, weight: 1, relation: "bought" });
    }
    if (out.length > 0) return out;
  }
  return recentAnchors(world, ctx);
}

/** Products a placement restricts its candidates to (null: the whole catalogue). */
export function restriction(world: World, ctx: RecContext): Int32Array | null {
  return world.settingsFor(ctx.placement).onlyNew ? world.newItemsAt(shopTime(world, ctx)) : null;
}

/**
 * Whether the placement may show a product at all in this request (rules.ts hardFilter: not bought
 * before unless repurchasable, in stock, not hidden, not the current product or the cart). Sources
 * whose best-scored products are often ones the customer already bought (the collaborative source
 * scores a customer's own purchases high; a heavy buyer bought much of the bestseller list) skip
 * them while filling their `pool`, so the blend receives `pool` products it can show instead of a
 * list the rules empty afterwards (measured on UCI Online Retail: docs/decisions/0141).
 */
export function showable(world: World, ctx: RecContext): (item: number) => boolean {
  const ps = world.settingsFor(ctx.placement);
  return (item) => hardFilter(world, ctx, ps, item);
}

/** Keeps the k best (score desc, then item asc for determinism) of a score map. */
export function topOfMap(scores: Map<number, { score: number; reason: Reason }>, k: number, skip?: (item: number) => boolean): Candidate[] {
  const list: Candidate[] = [];
  for (const [item, v] of scores) {
    if (skip?.(item)) continue;
    if (!(v.score > 0)) continue;
    list.push({ item, score: v.score, reasons: [v.reason] });
  }
  list.sort((a, b) => b.score - a.score || a.item - b.item);
  return list.length > k ? list.slice(0, k) : list;
}

/** Adds `score` to an item, keeping the reason of the biggest single contribution. */
export function accumulate(scores: Map<number, { score: number; reason: Reason; best: number }>, item: number, score: number, reason: () => Reason): void {
  const prev = scores.get(item);
  if (!prev) scores.set(item, { score, reason: reason(), best: score });
  else {
    prev.score += score;
    if (score > prev.best) {
      prev.best = score;
      prev.reason = reason();
    }
  }
}

/** Parameters an explanation needs about an anchor product (no catalogue lookup at render time). */
export function anchorParams(world: World, a: Anchor): Record<string, string> {
  return { anchorId: world.catalog.ids[a.item], anchorTitle: world.catalog.title[a.item], anchorCategory: world.catalog.category[a.item], relation: a.relation };
}

/** The shop's time for a request: the request's time, but never past the shop's latest event or product (world.dataNow). */
export function shopTime(world: World, ctx: RecContext): number {
  return Math.min(ctx.now, world.dataNow);
}
