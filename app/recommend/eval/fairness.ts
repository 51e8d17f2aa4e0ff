/**
 * The fairness report (the seed's "algorithmic fairness"): does a recommender show each customer
 * group what that group actually buys, or does it push a product gender, a price band or a brand
 * onto a group beyond its demand? And does price diversity depend on a customer's value tier
 * (do high-value customers only see expensive items)?
 *
 * Exposure = share of the recommended slots (top K over the group's users) carrying an attribute
 * value. Demand = share of the group's purchased products (the caller passes the purchases: the
 * evaluated customers' whole known history) carrying it. The gap per value is exposure minus demand;
 * the distance per group is total variation (half the sum of absolute gaps, 0..1).
 */
import type { Catalog, CustomerProfile } from "../types";
import { quantileSorted } from "./bootstrap";
import { meanOf, meanPrice, priceSpread, topK } from "./metrics";
import { SEGMENT_DIMENSIONS, segmentsOf, type SegmentDimension, type ValueTier } from "./segments";

export type FairnessAttribute = "target_gender" | "price_band" | "brand";
export const FAIRNESS_ATTRIBUTES: FairnessAttribute[] = ["target_gender", "price_band", "brand"];
export const PRICE_BANDS = ["budget", "mid", "premium", "luxury"] as const;
export type PriceBand = (typeof PRICE_BANDS)[number];

export interface FairnessOptions {
  k: number;
  /** A group with fewer users is reported but never flagged. */
  minUsers?: number;
  /** A group with fewer purchases is reported but never flagged (its demand is noise). */
  minPurchases?: number;
  /** Flag a value whose exposure and demand shares differ by at least this much (absolute). */
  gapThreshold?: number;
  /** Brands beyond the most common ones are pooled as "other". */
  topBrands?: number;
}

export interface GroupExposure {
  dimension: SegmentDimension;
  group: string;
  attribute: FairnessAttribute;
  users: number;
  purchases: number;
  exposure: Record<string, number>;
  demand: Record<string, number>;
  tvd: number;
  largestGap: { value: string; gap: number } | null;
}

export interface TierPrices {
  tier: ValueTier;
  users: number;
  meanRecommendedPrice: number;
  meanListPriceSpread: number;
  meanPurchasedPrice: number;
  bandExposure: Record<PriceBand, number>;
  bandDemand: Record<PriceBand, number>;
}

export interface FairnessReport {
  recommender: string;
  k: number;
  priceBands: { band: PriceBand; from: number; to: number }[];
  groups: GroupExposure[];
  priceByTier: TierPrices[];
  flags: string[];
}

/** Catalogue price quartiles as bands (budget < Q1 <= mid < Q2 <= premium < Q3 <= luxury). */
export function priceBands(price: ArrayLike<number>): { band: PriceBand; from: number; to: number }[] {
  const prices = Array.from(price).filter((p) => Number.isFinite(p) && p > 0).sort((a, b) => a - b);
  if (prices.length === 0) return PRICE_BANDS.map((band) => ({ band, from: 0, to: Infinity }));
  const q = [0.25, 0.5, 0.75].map((x) => quantileSorted(prices, x));
  const edges = [0, ...q, Infinity];
  return PRICE_BANDS.map((band, i) => ({ band, from: edges[i], to: edges[i + 1] }));
}

function bandOf(p: number, bands: { band: PriceBand; from: number; to: number }[]): PriceBand {
  for (let i = bands.length - 1; i >= 0; i--) if (p >= bands[i].from) return bands[i].band;
  return "budget";
}

/** attribute -> a function giving a product's value of it. */
function attributeReaders(catalog: Catalog, bands: ReturnType<typeof priceBands>, topBrands: number): Record<FairnessAttribute, (item: number) => string> {
  const brandCounts = new Map<string, number>();
  for (const b of catalog.brand) brandCounts.set(b, (brandCounts.get(b) ?? 0) + 1);
  const kept = new Set([...brandCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, topBrands).map(([b]) => b));
  return {
    target_gender: (i) => (catalog.gender[i] ?? "").trim().toLowerCase() || "unknown",
    price_band: (i) => bandOf(catalog.price[i], bands),
    brand: (i) => (kept.has(catalog.brand[i]) ? catalog.brand[i] || "unknown" : "other"),
  };
}

function shares(counts: Map<string, number>): Record<string, number> {
  let total = 0;
  for (const c of counts.values()) total += c;
  const out: Record<string, number> = {};
  for (const [k, c] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out[k] = total === 0 ? 0 : c / total;
  return out;
}

function count(items: Iterable<number>, read: (i: number) => string, into = new Map<string, number>()): Map<string, number> {
  for (const i of items) {
    const v = read(i);
    into.set(v, (into.get(v) ?? 0) + 1);
  }
  return into;
}

/** Total variation distance and the largest absolute gap between two share tables. */
export function compareShares(exposure: Record<string, number>, demand: Record<string, number>): { tvd: number; largestGap: { value: string; gap: number } | null } {
  const keys = [...new Set([...Object.keys(exposure), ...Object.keys(demand)])].sort();
  let sum = 0;
  let largest: { value: string; gap: number } | null = null;
  for (const k of keys) {
    const gap = (exposure[k] ?? 0) - (demand[k] ?? 0);
    sum += Math.abs(gap);
    if (!largest || Math.abs(gap) > Math.abs(largest.gap)) largest = { value: k, gap };
  }
  return { tvd: sum / 2, largestGap: largest };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * Builds the report for one recommender.
 * @param lists the top-K list shown to each evaluated customer (customer id -> products)
 * @param purchases what each of those customers bought (customer id -> products, with repeats)
 */
export function fairnessReport(
  recommender: string,
  lists: ReadonlyMap<string, readonly number[]>,
  purchases: ReadonlyMap<string, readonly number[]>,
  profiles: ReadonlyMap<string, CustomerProfile>,
  tierBounds: [number, number] | null,
  catalog: Catalog,
  opts: FairnessOptions,
): FairnessReport {
  const k = opts.k;
  const minUsers = opts.minUsers ?? 20;
  const minPurchases = opts.minPurchases ?? 30;
  const threshold = opts.gapThreshold ?? 0.2;
  const bands = priceBands(catalog.price);
  const read = attributeReaders(catalog, bands, opts.topBrands ?? 8);
  const flags: string[] = [];

  // dimension -> group -> customer ids
  const members = new Map<SegmentDimension, Map<string, string[]>>();
  for (const d of SEGMENT_DIMENSIONS) members.set(d, new Map());
  for (const id of lists.keys()) {
    const seg = segmentsOf(profiles.get(id), tierBounds);
    for (const d of SEGMENT_DIMENSIONS) {
      const g = members.get(d)!;
      if (!g.has(seg[d])) g.set(seg[d], []);
      g.get(seg[d])!.push(id);
    }
  }

  const groups: GroupExposure[] = [];
  for (const [dimension, byGroup] of members) {
    for (const [group, ids] of [...byGroup].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const shown = ids.flatMap((id) => topK(lists.get(id) ?? [], k));
      const bought = ids.flatMap((id) => purchases.get(id) ?? []);
      for (const attribute of FAIRNESS_ATTRIBUTES) {
        const exposure = shares(count(shown, read[attribute]));
        const demand = shares(count(bought, read[attribute]));
        const { tvd, largestGap } = compareShares(exposure, demand);
        groups.push({ dimension, group, attribute, users: ids.length, purchases: bought.length, exposure, demand, tvd, largestGap });
        // A group shown nothing has no exposure to compare (an empty placement is a coverage problem, not a bias).
        if (shown.length > 0 && ids.length >= minUsers && bought.length >= minPurchases && largestGap && Math.abs(largestGap.gap) >= threshold) {
          flags.push(
            `${recommender}: ${dimension}=${group} sees ${attribute} "${largestGap.value}" in ${pct(exposure[largestGap.value] ?? 0)} of slots but buys it in ${pct(demand[largestGap.value] ?? 0)} of purchases`,
          );
        }
      }
    }
  }

  const priceByTier = tierPrices(members.get("value_tier")!, lists, purchases, catalog, bands, k);
  flags.push(...tierFlags(recommender, priceByTier, minUsers));
  return { recommender, k, priceBands: bands, groups, priceByTier, flags };
}

function tierPrices(
  tiers: Map<string, string[]>,
  lists: ReadonlyMap<string, readonly number[]>,
  purchases: ReadonlyMap<string, readonly number[]>,
  catalog: Catalog,
  bands: ReturnType<typeof priceBands>,
  k: number,
): TierPrices[] {
  const order: ValueTier[] = ["low", "mid", "high", "unknown"];
  const out: TierPrices[] = [];
  for (const tier of order) {
    const ids = tiers.get(tier);
    if (!ids || ids.length === 0) continue;
    const shown = ids.flatMap((id) => topK(lists.get(id) ?? [], k));
    const bought = ids.flatMap((id) => purchases.get(id) ?? []);
    const bandOfItem = (i: number) => bandOf(catalog.price[i], bands);
    const ex = shares(count(shown, bandOfItem));
    const de = shares(count(bought, bandOfItem));
    out.push({
      tier,
      users: ids.length,
      meanRecommendedPrice: meanPrice(shown, shown.length, catalog.price),
      meanListPriceSpread: meanOf(ids.map((id) => priceSpread(lists.get(id) ?? [], k, catalog.price))),
      meanPurchasedPrice: meanPrice(bought, bought.length, catalog.price),
      bandExposure: Object.fromEntries(PRICE_BANDS.map((b) => [b, ex[b] ?? 0])) as Record<PriceBand, number>,
      bandDemand: Object.fromEntries(PRICE_BANDS.map((b) => [b, de[b] ?? 0])) as Record<PriceBand, number>,
    });
  }
  return out;
}

/** Flags price narrowing by value tier: expensive-only lists for high-value customers, or much less spread. */
function tierFlags(recommender: string, tiers: TierPrices[], minUsers: number): string[] {
  const flags: string[] = [];
  const high = tiers.find((t) => t.tier === "high");
  const low = tiers.find((t) => t.tier === "low");
  if (high && high.users >= minUsers) {
    const expensive = high.bandExposure.premium + high.bandExposure.luxury;
    if (expensive >= 0.9) flags.push(`${recommender}: high-value customers see premium/luxury products in ${pct(expensive)} of slots`);
  }
  if (low && low.users >= minUsers) {
    const cheap = low.bandExposure.budget + low.bandExposure.mid;
    if (cheap >= 0.9) flags.push(`${recommender}: low-value customers see budget/mid products in ${pct(cheap)} of slots`);
  }
  if (high && low && high.users >= minUsers && low.users >= minUsers) {
    const a = high.meanListPriceSpread;
    const b = low.meanListPriceSpread;
    if (Number.isFinite(a) && Number.isFinite(b) && Math.min(a, b) < 0.5 * Math.max(a, b)) {
      flags.push(`${recommender}: price spread within lists differs by value tier (high ${a.toFixed(2)}, low ${b.toFixed(2)})`);
    }
  }
  return flags;
}
