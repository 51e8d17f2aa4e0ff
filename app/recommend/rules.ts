/**
 * Business rules, applied after scoring, each a setting (settings.ts RuleSettings, defaults documented
 * there):
 * - hard exclusions: hidden by the merchant, out of stock, the current product and the cart, already
 *   bought (except repurchasable categories), seasonal products outside their season;
 * - penalties (score multipliers): brands the customer never buys, products for the other gender
 *   (not for gifts, not when the customer already shops for that gender);
 * - price band: products outside AOV x (1 +- margin) go behind all products inside (not for gifts);
 * - merchant pins: first, in order (applyPins, after diversity).
 */
import { byScore } from "./blend";
import type { PlacementSettings, Season } from "./settings";
import type { RecContext, Recommendation } from "./types";
import type { World } from "./world";

export interface HardFilterOptions {
  purchased?: boolean;
  seasonal?: boolean;
}

/** Whether a product may be shown at all in this request. */
export function hardFilter(world: World, ctx: RecContext, ps: PlacementSettings, item: number, o: HardFilterOptions = {}): boolean {
  const r = ps.rules;
  const c = world.catalog;
  if (item < 0 || item >= c.ids.length) return false;
  if (world.hidden.has(item)) return false;
  if (r.excludeOutOfStock && !c.inStock[item]) return false;
  if (r.excludeCurrentAndCart && (item === ctx.item || ctx.cart.includes(item))) return false;
  if ((o.purchased ?? true) && r.excludePurchased.enabled && ctx.purchased.has(item) && !r.excludePurchased.repurchasableCategories.includes(c.category[item])) return false;
  if ((o.seasonal ?? true) && r.seasonal && outOfSeason(world, item, ctx.now)) return false;
  return true;
}

export function applyRules(world: World, ctx: RecContext, ps: PlacementSettings, recs: Recommendation[]): Recommendation[] {
  const kept = recs.filter((r) => hardFilter(world, ctx, ps, r.item));
  const brandOk = brandFilter(world, ctx, ps);
  const genderOk = genderFilter(world, ctx, ps);
  let out = kept.map((r) => {
    let f = 1;
    if (brandOk && !brandOk(r.item)) f *= ps.rules.brandAffinity.factor;
    if (genderOk && !genderOk(r.item)) f *= ps.rules.gender.factor;
    return f === 1 ? r : { ...r, score: r.score * f };
  });
  out.sort(byScore);
  // Inside-band products first, so that diversity's candidate pool (the head of this list) is
  // drawn from the band; applyDiversity keeps that order within what it picks.
  const band = priceBand(world, ctx, ps);
  if (band) {
    const inside = out.filter((r) => inPriceBand(world, band, r.item));
    const outside = out.filter((r) => !inPriceBand(world, band, r.item));
    out = inside.concat(outside);
  }
  // After the band: other categories first, each part keeping the band order.
  if (ps.rules.otherCategories) out = otherCategoriesFirst(world, ctx, out);
  return out;
}

export function inPriceBand(world: World, band: [number, number], item: number): boolean {
  const p = world.catalog.price[item];
  return p >= band[0] && p <= band[1];
}

// ---------- seasons

const seasonCache = new WeakMap<World, Map<number, Season[]>>();

function seasonsOf(world: World, item: number): Season[] {
  let cache = seasonCache.get(world);
  if (!cache) seasonCache.set(world, (cache = new Map()));
  let s = cache.get(item);
  if (!s) {
    const tags = world.catalog.tags[item];
    const coll = (world.catalog.collection[item] ?? "").toLowerCase();
    s = world.settings.global.seasons.filter(
      (season) => season.tags.some((t) => tags.includes(t.toLowerCase())) || (coll !== "" && season.collections.some((c) => c.toLowerCase() === coll)),
    );
    cache.set(item, s);
  }
  return s;
}

/** A seasonal product is shown only while at least one of its seasons is on. */
export function outOfSeason(world: World, item: number, now: number): boolean {
  const seasons = seasonsOf(world, item);
  return seasons.length > 0 && !seasons.some((s) => inWindow(now, s.from, s.to));
}

export function inWindow(now: number, from: string, to: string): boolean {
  const d = new Date(now);
  const md = (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  const f = monthDay(from);
  const t = monthDay(to);
  return f <= t ? md >= f && md <= t : md >= f || md <= t;
}

function monthDay(s: string): number {
  const [m, d] = s.split("-").map(Number);
  return m * 100 + d;
}

// ---------- penalties and band

/** null: the rule does not apply to this request; else whether a product's brand is one the customer buys. */
function brandFilter(world: World, ctx: RecContext, ps: PlacementSettings): ((item: number) => boolean) | null {
  const r = ps.rules.brandAffinity;
  if (!r.enabled || ctx.purchased.size < r.minPurchases) return null;
  const brands = new Set([...ctx.purchased].map((i) => world.catalog.brand[i]));
  return (item) => brands.has(world.catalog.brand[item]);
}

const GENDERED = new Set(["female", "male"]);

/**
 * null: no targeting (gift, no known customer gender, rule off); else whether a product fits.
 * A product fits when unisex or untargeted, made for the customer's gender, or made for a gender the
 * customer already shops for (their history, the cart, the product being viewed).
 */
export function genderFilter(world: World, ctx: RecContext, ps: PlacementSettings): ((item: number) => boolean) | null {
  const g = ctx.customer?.gender?.toLowerCase() ?? null;
  if (!ps.rules.gender.enabled || ctx.gift || !g || !GENDERED.has(g)) return null;
  const pg = world.catalog.gender;
  const shopsFor = new Set<string>([g]);
  for (const e of ctx.history) if (e.type !== "remove_from_cart" && pg[e.item]) shopsFor.add(pg[e.item]!.toLowerCase());
  for (const i of ctx.cart) if (pg[i]) shopsFor.add(pg[i]!.toLowerCase());
  if (ctx.item !== null && pg[ctx.item]) shopsFor.add(pg[ctx.item]!.toLowerCase());
  return (item) => {
    const t = pg[item]?.toLowerCase();
    return !t || !GENDERED.has(t) || shopsFor.has(t);
  };
}

/** [low, high] of the customer's price band, or null when the rule does not apply. */
export function priceBand(world: World, ctx: RecContext, ps: PlacementSettings): [number, number] | null {
  const r = ps.rules.priceBand;
  if (!r.enabled || ctx.gift || !ctx.customer) return null;
  const aov = ctx.customer.avgOrderValue ?? world.orderValue.get(ctx.customer.id) ?? null;
  if (aov === null || !(aov > 0)) return null;
  return [aov * (1 - r.margin), aov * (1 + r.margin)];
}

// ---------- pins

/** Merchant pins go first, in their order, when they pass the hard rules; the list keeps length k. */
export function applyPins(world: World, ctx: RecContext, ps: PlacementSettings, list: Recommendation[], k: number): Recommendation[] {
  if (ps.rules.pinned.length === 0) return list;
  const pins: Recommendation[] = [];
  const topScore = list.length ? list[0].score : 1;
  for (const id of ps.rules.pinned) {
    const item = world.catalog.index.get(id);
    if (item === undefined || pins.some((p) => p.item === item) || !hardFilter(world, ctx, ps, item)) continue;
    const had = list.find((r) => r.item === item);
    const top = had && had.reasons[0] ? had.reasons[0].source : "popularity";
    pins.push({
      item,
      score: Math.max(topScore, had?.score ?? 0),
      reasons: [{ source: top, code: "merchant_pick", weight: Math.max(topScore, had?.score ?? 0) }, ...(had?.reasons ?? [])],
      contributions: had?.contributions ?? {},
    });
  }
  const pinned = new Set(pins.map((p) => p.item));
  return pins.concat(list.filter((r) => !pinned.has(r.item))).slice(0, k);
}

/**
 * "Complete your look": products of a category the shopper already has (the cart's, the viewed
 * product's) go behind every product of another category, each part keeping its order (stable).
 */
export function otherCategoriesFirst(world: World, ctx: RecContext, recs: Recommendation[]): Recommendation[] {
  const c = world.catalog;
  const have = ownCategories(world, ctx);
  if (have.size === 0) return recs;
  const other = recs.filter((r) => !have.has(c.category[r.item]));
  const same = recs.filter((r) => have.has(c.category[r.item]));
  return other.concat(same);
}

/** The categories the shopper already has in front of them: the cart's and the viewed product's. */
export function ownCategories(world: World, ctx: RecContext): Set<string> {
  const c = world.catalog;
  const have = new Set<string>();
  for (const i of ctx.cart) if (i >= 0 && i < c.category.length) have.add(c.category[i]);
  if (ctx.item !== null && ctx.item >= 0 && ctx.item < c.category.length) have.add(c.category[ctx.item]);
  return have;
}
