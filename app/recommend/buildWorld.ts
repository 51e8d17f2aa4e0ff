/**
 * buildWorld: the World of one snapshot, O(events + customers + products log products):
 * per-customer histories and purchases, segment popularity top lists, new-arrival order, price
 * tiers, collection/material groups, the fold-in Gram matrix, and the sources over it. No
 * customers x products or products x products structure is built.
 */
import { gramOf } from "./cf/als";
import { DEFAULT_CONFIDENCE } from "./cf/confidence";
import { entriesFromEvents, foldInUser } from "./cf/foldin";
import { factorScorer } from "./cf/simdScores";
import { boundedCache, ColumnHistories, ColumnProfiles, ColumnPurchases, emptyEventTable, VECTOR_CACHE_BYTES } from "./columns";
import { referenceTime } from "./dataTime";
import { buildSegmentIndex, segmentChain, segmentParts, type SegmentIndex } from "./segments";
import type { ShopSettings } from "./settings";
import { boughtTogetherSource } from "./sources/boughtTogether";
import { collaborativeSource } from "./sources/collaborative";
import { crossSellSource } from "./sources/crossSell";
import { demographicSource } from "./sources/demographic";
import { newArrivalsSource } from "./sources/newArrivals";
import { popularitySource } from "./sources/popularity";
import { randomSource } from "./sources/random";
import { recencySource } from "./sources/recency";
import { recentPopularitySource, windowCounts } from "./sources/recentPopularity";
import { visualSource } from "./sources/visual";
import type { Catalog, CfModel, EventTable, Source, SourceName } from "./types";
import { INTERACTION_TYPES } from "./types";
import { HISTORY_CAP, type World, type WorldInput } from "./world";

const DAY = 86_400_000;

export function buildWorld(input: WorldInput): World {
  const { catalog, events, settings, now } = input;
  const n = catalog.ids.length;
  const profiles = new ColumnProfiles(input.customers);
  const customerIds = [...new Set([...profiles.keys(), ...events.customers])].sort();
  const { histories, purchased, orderValue, eventCount } = customerActivity(events, catalog.price, now);
  const dataNow = referenceTime(events, now, catalog.createdAt);
  const g = settings.global;
  const segments = segmentIndexOf(events, profiles, n, settings, dataNow);
  const order = catalogOrder(catalog, segments);

  // The collaborative source scores the whole catalogue per request: a SIMD scorer over its own copy
  // of the item factors, which the world then serves from (one copy in memory).
  const scorer = input.cf ? factorScorer(input.cf.itemFactors, input.cf.factors) : null;
  const cf: CfModel | null = input.cf && scorer ? { ...input.cf, itemFactors: scorer.itemFactors } : null;
  const gram = cf ? (input.itemGram && input.itemGram.length === cf.factors * cf.factors ? input.itemGram : gramOf(cf.itemFactors, cf.factors)) : null;

  const world: World = {
    catalog,
    events: input.keepEvents === false ? emptyEventTable(events.customers) : events,
    settings,
    now,
    dataNow,
    recentPopularity: windowCounts(events, n, dataNow, g.recentPopularityDays, INTERACTION_TYPES.map((t) => g.eventWeights[t] ?? 0)),
    guards: { ...(input.guards ?? {}) },
    cf,
    boughtTogether: input.boughtTogether,
    viewedTogether: input.viewedTogether,
    visual: input.visual,
    profiles,
    customerIds,
    histories,
    purchased,
    orderValue,
    segments,
    eventCount,
    impressions: input.impressions && input.impressions.length === n ? input.impressions : null,
    ...order,
    hidden: new Set(g.hidden.map((id) => catalog.index.get(id)).filter((i): i is number => i !== undefined)),
    sources: {} as Record<SourceName, Source>,
    settingsFor: (p) => settings.placements[p],
    newItemsAt: newItemsMemo(catalog, order.byNewest, g.newArrivalDays),
    ...visualLookups(input, () => world),
    topForVector: (vec, k) => (scorer ? scorer.topK(vec, k) : []),
    userVector(ctx) {
      if (!cf || !gram) return null;
      const id = ctx.customer?.id;
      const u = id !== undefined ? cf.userIndex.get(id) : undefined;
      if (u !== undefined) return cf.userFactors.subarray(u * cf.factors, (u + 1) * cf.factors);
      if (ctx.history.length === 0) return null;
      const confidence = cf.confidence ?? DEFAULT_CONFIDENCE;
      const entries = entriesFromEvents(ctx.history, confidence, ctx.now);
      if (!entries.some((e) => e.confidence > 0)) return null;
      return foldInUser(cf.itemFactors, cf.factors, gram, entries, { regularization: cf.regularization, alpha: cf.alpha, scale: confidence });
    },
  };
  (world as { sources: Record<SourceName, Source> }).sources = sourcesOf(world);
  return world;
}

function sourcesOf(world: World): Record<SourceName, Source> {
  return {
    visual: visualSource(world),
    collaborative: collaborativeSource(world),
    "bought-together": boughtTogetherSource(world),
    demographic: demographicSource(world),
    recency: recencySource(world),
    "new-arrivals": newArrivalsSource(world),
    popularity: popularitySource(world),
    "recent-popularity": recentPopularitySource(world),
    "cross-sell": crossSellSource(world),
    random: randomSource(world),
  };
}

/** Segment popularity, anchored at the shop's reference time. Opted-out customers' events count for the shop as a whole, never for a segment. */
function segmentIndexOf(events: EventTable, profiles: ColumnProfiles, n: number, settings: ShopSettings, dataNow: number): SegmentIndex {
  const chainCache = new Map<number, string[]>();
  const chainOf = (c: number) => {
    let chain = chainCache.get(c);
    if (!chain) {
      const p = profiles.get(events.customers[c]);
      chain = segmentChain(segmentParts(p && !p.optOut ? p : null));
      chainCache.set(c, chain);
    }
    return chain;
  };
  const g = settings.global;
  return buildSegmentIndex(events, chainOf, n, {
    now: dataNow,
    halfLifeDays: g.popularityHalfLifeDays,
    smoothing: g.segmentSmoothing,
    recentDays: g.trendingRecentDays,
    baselineDays: g.trendingBaselineDays,
    eventWeights: g.eventWeights,
  });
}

/** Orders over the catalogue: popularity rank (0..1), newest first, price terciles, collection and material groups by popularity. */
function catalogOrder(catalog: Catalog, segments: SegmentIndex) {
  const n = catalog.ids.length;
  const popularityRank = new Float32Array(n);
  const root = segments.popular.get("*");
  if (root) root.items.forEach((item, j) => (popularityRank[item] = 1 - j / root.items.length));
  const dated: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(catalog.createdAt[i])) dated.push(i);
  dated.sort((a, b) => catalog.createdAt[b] - catalog.createdAt[a] || a - b);
  const byPopularity = (a: number, b: number) => popularityRank[b] - popularityRank[a] || a - b;
  return {
    popularityRank,
    byNewest: Int32Array.from(dated),
    priceTier: tiers(catalog.price),
    byCollection: groupBy(n, (i) => catalog.collection[i], byPopularity),
    byMaterial: groupBy(n, (i) => catalog.material[i], byPopularity),
  };
}

/** Products created within `days` before `at`, newest first; memoised for the last `at` (every source of a request, and every customer of a batch, asks with the same time). */
function newItemsMemo(catalog: Catalog, byNewest: Int32Array, days: number): (at: number) => Int32Array {
  let last: { at: number; items: Int32Array } | null = null;
  return (at) => {
    if (last && last.at === at) return last.items;
    const from = at - days * DAY;
    const out: number[] = [];
    for (const i of byNewest) {
      const t = catalog.createdAt[i];
      if (t > at) continue;
      if (t < from) break;
      out.push(i);
    }
    last = { at, items: Int32Array.from(out) };
    return last.items;
  };
}

const NEIGHBOURS = 50;

/** The world's visual lookups over the index: memoised vectors (byte-bounded), compact vectors for diversity, neighbour lists. */
function visualLookups(input: WorldInput, self: () => World): Pick<World, "vectorOf" | "similarityVector" | "visualNeighbours"> {
  const vs = input.visual;
  const vectorCache = boundedCache<Float32Array | null>(VECTOR_CACHE_BYTES);
  const similarityCache = boundedCache<Float32Array | null>(VECTOR_CACHE_BYTES);
  const neighbourCache = new Map<number, { asked: number; items: Int32Array; scores: Float32Array }>();
  const listOf = (items: ArrayLike<number>, scores: ArrayLike<number>, k: number) => {
    const m = Math.min(k, items.length);
    const out: { item: number; score: number }[] = new Array(m);
    for (let j = 0; j < m; j++) out[j] = { item: items[j], score: scores[j] };
    return out;
  };
  return {
    vectorOf(item) {
      if (!vs) return null;
      let v = vectorCache.get(item);
      if (v === undefined) vectorCache.set(item, (v = vs.vector(item)));
      return v;
    },
    similarityVector(item) {
      if (!vs) return null;
      if (!vs.compact) return self().vectorOf(item);
      let v = similarityCache.get(item);
      if (v === undefined) similarityCache.set(item, (v = vs.compact(item)));
      return v;
    },
    visualNeighbours(item, k) {
      if (!vs) return [];
      if (vs.neighbours) {
        // A serving bundle's precomputed list (issue 17): no search, no vector read on the request path.
        const list = vs.neighbours(item);
        return list ? listOf(list.items, list.scores, k) : [];
      }
      const want = Math.max(k, NEIGHBOURS);
      let cached = neighbourCache.get(item);
      if (!cached || cached.asked < want) {
        const v = self().vectorOf(item);
        // One more than wanted and the product itself dropped afterwards: an exclusion set would make
        // the index call back into JavaScript for every node its graph walk visits.
        const list = v ? vs.search(v, want + 1).filter((r) => r.item !== item).slice(0, want) : [];
        // Memoised per product (the largest list asked for; typed arrays: 8 bytes a neighbour), since a
        // snapshot serves many requests and the same products come back.
        cached = { asked: want, items: Int32Array.from(list, (r) => r.item), scores: Float32Array.from(list, (r) => r.score) };
        neighbourCache.set(item, cached);
      }
      return listOf(cached.items, cached.scores, k);
    },
  };
}

/** Per-customer histories, purchases and order values, and per-product event counts: one pass plus sorts. */
function customerActivity(events: EventTable, price: Float64Array, now: number) {
  const n = price.length;
  const nc = events.customers.length;
  const eventCount = new Uint32Array(n);
  // Events per customer in CSR form (a counting pass, then a fill): no array per customer.
  const start = new Int32Array(nc + 1);
  const keep = (e: number) => {
    const item = events.item[e];
    return item >= 0 && item < n && events.at[e] <= now;
  };
  for (let e = 0; e < events.length; e++) {
    if (!keep(e)) continue;
    eventCount[events.item[e]]++;
    const c = events.customer[e];
    if (c >= 0 && !events.cancelled[e]) start[c + 1]++;
  }
  for (let c = 0; c < nc; c++) start[c + 1] += start[c];
  const rowsOf = new Int32Array(start[nc]);
  const fill = start.slice(0, nc);
  for (let e = 0; e < events.length; e++) {
    const c = events.customer[e];
    if (c >= 0 && !events.cancelled[e] && keep(e)) rowsOf[fill[c]++] = e;
  }
  const histories = new ColumnHistories(events.customers);
  const purchased = new ColumnPurchases(events.customers);
  const orderValue = new Map<string, number>();
  const purchaseType = INTERACTION_TYPES.indexOf("purchase");
  for (let c = 0; c < nc; c++) {
    if (start[c] === start[c + 1]) continue;
    const rows = rowsOf.subarray(start[c], start[c + 1]).sort((a, b) => events.at[a] - events.at[b] || a - b);
    const bought = new Set<number>();
    const baskets = new Map<number, number>();
    for (const e of rows) {
      if (events.fromOrder[e] || events.type[e] === purchaseType) bought.add(events.item[e]);
      if (events.fromOrder[e]) {
        // Order value at today's catalogue prices: the EventTable's order lines carry quantity, not price.
        const key = events.basket[e] >= 0 ? events.basket[e] : -1 - e;
        baskets.set(key, (baskets.get(key) ?? 0) + price[events.item[e]] * (events.quantity[e] || 1));
      }
    }
    purchased.add(c, bought);
    histories.add(c, rows.subarray(Math.max(0, rows.length - HISTORY_CAP)), events, purchaseType);
    if (baskets.size) {
      let total = 0;
      for (const v of baskets.values()) total += v;
      orderValue.set(events.customers[c], total / baskets.size);
    }
  }
  histories.seal();
  purchased.seal();
  return { histories, purchased, orderValue, eventCount };
}

function tiers(price: Float64Array): Uint8Array {
  const sorted = Float64Array.from(price).sort();
  const q1 = sorted[Math.floor(sorted.length / 3)] ?? 0;
  const q2 = sorted[Math.floor((2 * sorted.length) / 3)] ?? 0;
  const out = new Uint8Array(price.length);
  for (let i = 0; i < price.length; i++) out[i] = price[i] < q1 ? 0 : price[i] < q2 ? 1 : 2;
  return out;
}

function groupBy(n: number, key: (i: number) => string | null, order: (a: number, b: number) => number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = key(i);
    if (!k) continue;
    let g = out.get(k);
    if (!g) out.set(k, (g = []));
    g.push(i);
  }
  for (const g of out.values()) g.sort(order);
  return out;
}

