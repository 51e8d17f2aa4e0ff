/**
 * The recommender's pure API: a World (everything a request needs, precomputed once per snapshot),
 * the context of one request, and the pipeline
 *   sources -> per-source normalisation -> weighted blend -> business rules -> diversity -> explanations.
 *
 * buildWorld is O(events + customers + products log products): per-customer histories and purchases,
 * segment popularity top lists, new-arrival order, price tiers, collection/material groups, the
 * fold-in Gram matrix. No customers x products or products x products structure is built.
 */
import type { CandidateSet } from "./blend";
import { blendCandidates, sourceList } from "./blend";
import { applyDiversity } from "./diversity";
import { applyRules, hardFilter } from "./rules";
import { buildSegmentIndex, segmentChain, segmentParts, type SegmentIndex } from "./segments";
import { placementSettings, type PlacementSettings, type ShopSettings } from "./settings";
import { boughtTogetherSource } from "./sources/boughtTogether";
import { collaborativeSource } from "./sources/collaborative";
import { crossSellSource } from "./sources/crossSell";
import { demographicSource } from "./sources/demographic";
import { newArrivalsSource } from "./sources/newArrivals";
import { popularitySource } from "./sources/popularity";
import { recentPopularitySource, windowCounts } from "./sources/recentPopularity";
import { applyGuard, type PlacementGuard } from "./blendGuard";
import { randomSource } from "./sources/random";
import { recencySource } from "./sources/recency";
import { visualSource } from "./sources/visual";
import { gramOf } from "./cf/als";
import { factorScorer } from "./cf/simdScores";
import { DEFAULT_CONFIDENCE } from "./cf/confidence";
import { entriesFromEvents, foldInUser } from "./cf/foldin";
import type {
  Candidate,
  Catalog,
  CfModel,
  CustomerProfile,
  Event,
  EventTable,
  ItemNeighbours,
  Placement,
  RecContext,
  Recommendation,
  Source,
  SourceName,
  VectorSearch,
} from "./types";
import { INTERACTION_TYPES } from "./types";

export interface WorldInput {
  catalog: Catalog;
  events: EventTable;
  customers: CustomerProfile[];
  cf: CfModel | null;
  boughtTogether: ItemNeighbours | null;
  viewedTogether: ItemNeighbours | null;
  visual: VectorSearch | null;
  now: number;
  settings: ShopSettings;
  /** Optional: times each product was shown in recommendation lists lately (dense index); exploration prefers the rarely shown. */
  impressions?: Uint32Array | null;
  /** Optional: Y^T Y of cf.itemFactors when the model store has it (else computed here, O(items x f^2)). */
  itemGram?: Float64Array | null;
  /**
   * Optional, default true: keep `events` in the world. Requests never read it (everything they need
   * is derived at build time), so a serving snapshot passes false and the world holds an empty table
   * instead of millions of rows.
   */
  keepEvents?: boolean;
  /**
   * Optional: per placement, the blend guard decided at training on validation (blendGuard.ts),
   * stored with the model version: that placement is served by the named source alone.
   */
  guards?: Partial<Record<Placement, PlacementGuard>> | null;
}

/** Events kept per customer for recency and fold-in (the newest). */
export const HISTORY_CAP = 100;
const DAY = 86_400_000;

export interface World {
  readonly catalog: Catalog;
  /** The behaviour the world was built from (empty when built with keepEvents: false). */
  readonly events: EventTable;
  readonly settings: ShopSettings;
  /** The clock's time the world was built for (experiments, impressions): the wall clock when serving. */
  readonly now: number;
  /**
   * The shop's reference time (referenceTime): its latest event or product creation at or before
   * `now`. Popularity windows, trending, new arrivals and decay are anchored here, so an imported
   * history is read at its own last day; for a live shop it is (about) now.
   */
  readonly dataNow: number;
  /** The shop's bestsellers of the last global.recentPopularityDays before dataNow. */
  readonly recentPopularity: { counts: Float64Array; top: Int32Array };
  /** Per placement, the blend guard's fallback source (see WorldInput.guards). */
  readonly guards: Partial<Record<Placement, PlacementGuard>>;
  readonly cf: CfModel | null;
  readonly boughtTogether: ItemNeighbours | null;
  readonly viewedTogether: ItemNeighbours | null;
  readonly visual: VectorSearch | null;
  /** Customer profiles by id (stored as columns; `get` builds the profile object). */
  readonly profiles: ReadonlyMap<string, CustomerProfile>;
  /** Every customer id known to the profiles or the events, sorted. */
  readonly customerIds: string[];
  /**
   * Per customer: the newest HISTORY_CAP events, newest last. Stored as columns (about 17 bytes an
   * event instead of an object each); `get` builds the customer's array on demand.
   */
  readonly histories: ReadonlyMap<string, Event[]>;
  /** Per customer: every product bought (orders not cancelled, purchase interactions); columns too, `get` builds the set. */
  readonly purchased: ReadonlyMap<string, Set<number>>;
  /** Per customer: average order value computed from their orders (when the profile has none). */
  readonly orderValue: Map<string, number>;
  readonly segments: SegmentIndex;
  /** Interactions per product (exploration: "rarely seen"). */
  readonly eventCount: Uint32Array;
  /** Recent impressions per product, when the serving side knows them (exploration: "rarely shown"). */
  readonly impressions: Uint32Array | null;
  /** Shop popularity as 0..1 (1 = bestseller), for tie-breaking. */
  readonly popularityRank: Float32Array;
  /** Products with a creation date, newest first. */
  readonly byNewest: Int32Array;
  /** Price terciles: 0 low, 1 middle, 2 high. */
  readonly priceTier: Uint8Array;
  readonly byCollection: Map<string, number[]>;
  readonly byMaterial: Map<string, number[]>;
  /** Merchant hides as product indices. */
  readonly hidden: Set<number>;
  readonly sources: Record<SourceName, Source>;
  settingsFor(placement: Placement): PlacementSettings;
  /** Products created within newArrivalDays before `now`, newest first. */
  newItemsAt(now: number): Int32Array;
  /** A product's visual vector (memoised within a byte budget: an index may copy it out on every call), null without one. */
  vectorOf(item: number): Float32Array | null;
  /**
   * A stand-in of the product's visual vector for similarities between candidates (diversity): the
   * index's compact vector when it has one (VectorSearch.compact: e.g. the PCA-projected one, a
   * fraction of the dimensions), else the full vector; memoised within a byte budget. Null without one.
   */
  similarityVector(item: number): Float32Array | null;
  /** Visual neighbours of a product (memoised per product; empty without a vector). */
  visualNeighbours(item: number, k: number): { item: number; score: number }[];
  /** The customer's CF vector: trained when the model knows them, else folded in from ctx.history. */
  userVector(ctx: RecContext): Float32Array | null;
  /** The k products with the highest CF score for a customer vector (as cf/score.ts topKForUser; empty without a model). */
  topForVector(vec: Float32Array, k: number): { item: number; score: number }[];
}

export function buildWorld(input: WorldInput): World {
  const { catalog, events, settings, now } = input;
  const n = catalog.ids.length;
  const profiles = new ColumnProfiles(input.customers);
  const customerIds = [...new Set([...profiles.keys(), ...events.customers])].sort();

  const { histories, purchased, orderValue, eventCount } = customerActivity(events, catalog.price, now);
  const dataNow = referenceTime(events, catalog, now);

  const chainCache = new Map<number, string[]>();
  const chainOf = (c: number) => {
    let chain = chainCache.get(c);
    if (!chain) {
      const p = profiles.get(events.customers[c]);
      // Opted-out customers' events still count for the shop as a whole, never for a segment.
      chain = segmentChain(segmentParts(p && !p.optOut ? p : null));
      chainCache.set(c, chain);
    }
    return chain;
  };
  const g = settings.global;
  const segments = buildSegmentIndex(events, chainOf, n, {
    now: dataNow,
    halfLifeDays: g.popularityHalfLifeDays,
    smoothing: g.segmentSmoothing,
    recentDays: g.trendingRecentDays,
    baselineDays: g.trendingBaselineDays,
    eventWeights: g.eventWeights,
  });

  const popularityRank = new Float32Array(n);
  const root = segments.popular.get("*");
  if (root) root.items.forEach((item, j) => (popularityRank[item] = 1 - j / root.items.length));

  const dated: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(catalog.createdAt[i])) dated.push(i);
  dated.sort((a, b) => catalog.createdAt[b] - catalog.createdAt[a] || a - b);
  const byNewest = Int32Array.from(dated);

  const priceTier = tiers(catalog.price);
  const byPopularity = (a: number, b: number) => popularityRank[b] - popularityRank[a] || a - b;
  const byCollection = groupBy(n, (i) => catalog.collection[i], byPopularity);
  const byMaterial = groupBy(n, (i) => catalog.material[i], byPopularity);
  const hidden = new Set(g.hidden.map((id) => catalog.index.get(id)).filter((i): i is number => i !== undefined));

  // The collaborative source scores the whole catalogue per request: a SIMD scorer over its own copy
  // of the item factors, which the world then serves from (one copy in memory).
  const scorer = input.cf ? factorScorer(input.cf.itemFactors, input.cf.factors) : null;
  const cf: CfModel | null = input.cf && scorer ? { ...input.cf, itemFactors: scorer.itemFactors } : null;
  const gram = cf ? (input.itemGram && input.itemGram.length === cf.factors * cf.factors ? input.itemGram : gramOf(cf.itemFactors, cf.factors)) : null;
  const neighbourCache = new Map<number, { asked: number; items: Int32Array; scores: Float32Array }>();
  const NEIGHBOURS = 50;
  let lastNew: { at: number; items: Int32Array } | null = null;
  const vectorCache = boundedCache<Float32Array | null>(VECTOR_CACHE_BYTES);
  const similarityCache = boundedCache<Float32Array | null>(VECTOR_CACHE_BYTES);

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
    popularityRank,
    byNewest,
    priceTier,
    byCollection,
    byMaterial,
    hidden,
    sources: {} as Record<SourceName, Source>,
    settingsFor: (p) => settings.placements[p],
    newItemsAt(at) {
      // Memoised for the last `at`: every source of a request (and every customer of a batch) asks with the same time.
      if (lastNew && lastNew.at === at) return lastNew.items;
      const from = at - g.newArrivalDays * DAY;
      const out: number[] = [];
      for (const i of byNewest) {
        const t = catalog.createdAt[i];
        if (t > at) continue;
        if (t < from) break;
        out.push(i);
      }
      lastNew = { at, items: Int32Array.from(out) };
      return lastNew.items;
    },
    vectorOf(item) {
      const vs = input.visual;
      if (!vs) return null;
      let v = vectorCache.get(item);
      if (v === undefined) vectorCache.set(item, (v = vs.vector(item)));
      return v;
    },
    similarityVector(item) {
      const vs = input.visual;
      if (!vs) return null;
      if (!vs.compact) return world.vectorOf(item);
      let v = similarityCache.get(item);
      if (v === undefined) similarityCache.set(item, (v = vs.compact(item)));
      return v;
    },
    visualNeighbours(item, k) {
      const vs = input.visual;
      if (!vs) return [];
      if (vs.neighbours) {
        // A serving bundle's precomputed list (issue 17): no search, no vector read on the request path.
        const list = vs.neighbours(item);
        if (!list) return [];
        const m = Math.min(k, list.items.length);
        const out: { item: number; score: number }[] = new Array(m);
        for (let j = 0; j < m; j++) out[j] = { item: list.items[j], score: list.scores[j] };
        return out;
      }
      const want = Math.max(k, NEIGHBOURS);
      let cached = neighbourCache.get(item);
      if (!cached || cached.asked < want) {
        const v = world.vectorOf(item);
        // One more than wanted and the product itself dropped afterwards: an exclusion set would make
        // the index call back into JavaScript for every node its graph walk visits.
        const list = v ? vs.search(v, want + 1).filter((r) => r.item !== item).slice(0, want) : [];
        // Memoised per product (the largest list asked for; typed arrays: 8 bytes a neighbour), since a
        // snapshot serves many requests and the same products come back.
        cached = { asked: want, items: Int32Array.from(list, (r) => r.item), scores: Float32Array.from(list, (r) => r.score) };
        neighbourCache.set(item, cached);
      }
      const m = Math.min(k, cached.items.length);
      const out: { item: number; score: number }[] = new Array(m);
      for (let j = 0; j < m; j++) out[j] = { item: cached.items[j], score: cached.scores[j] };
      return out;
    },
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
  const sources: Record<SourceName, Source> = {
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
  (world as { sources: Record<SourceName, Source> }).sources = sources;
  return world;
}

/**
 * Memoised product vectors cost their size on the heap (1,392-d: 5.6 kB each, a 50,000-product
 * catalogue 278 MB), so each cache keeps at most this many bytes of vectors; past it the oldest
 * entries go (insertion order), and the index is asked again when they come back.
 */
export const VECTOR_CACHE_BYTES = 8 << 20;

function boundedCache<V extends Float32Array | null>(maxBytes: number) {
  const map = new Map<number, V>();
  let bytes = 0;
  return {
    get: (key: number) => map.get(key),
    set(key: number, v: V) {
      const size = 64 + (v ? v.byteLength : 0);
      while (bytes + size > maxBytes && map.size > 0) {
        const [oldest, old] = map.entries().next().value as [number, V];
        map.delete(oldest);
        bytes -= 64 + (old ? old.byteLength : 0);
      }
      map.set(key, v);
      bytes += size;
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

/** Growable typed column. */
class Column<T extends Int32Array | Uint8Array | Float32Array | Float64Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => T)(Math.max(16, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  /** Trims the spare capacity. */
  seal(): T {
    this.data = this.data.slice(0, this.length) as T;
    return this.data;
  }
}

/**
 * A read-only map from customer id to a value stored in columns, built on `get`: the customers of a
 * large shop (200,000) as objects would cost more than the rest of the world.
 */
abstract class ColumnMap<V> implements ReadonlyMap<string, V> {
  /** Customer id -> row (customers with data only). */
  protected readonly row = new Map<string, number>();
  protected readonly offsets = new Column(new Int32Array(1024));
  constructor(protected readonly ids: string[]) {
    this.offsets.push(0);
  }
  protected abstract build(from: number, to: number): V;
  protected addRow(c: number, end: number): void {
    this.row.set(this.ids[c], this.offsets.length - 1);
    this.offsets.push(end);
  }
  get size(): number {
    return this.row.size;
  }
  has(id: string): boolean {
    return this.row.has(id);
  }
  get(id: string): V | undefined {
    const r = this.row.get(id);
    return r === undefined ? undefined : this.build(this.offsets.data[r], this.offsets.data[r + 1]);
  }
  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  *entries(): MapIterator<[string, V]> {
    for (const k of this.row.keys()) yield [k, this.get(k)!];
  }
  keys(): MapIterator<string> {
    return this.row.keys();
  }
  *values(): MapIterator<V> {
    for (const k of this.row.keys()) yield this.get(k)!;
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}

/**
 * Customer profiles as columns: the text fields dictionary-coded (a few distinct values each), the
 * numbers as Float64 (NaN = null), the flags as bytes. A 200,000-customer shop's profiles as objects
 * (with their own copies of "female", "DE", ...) cost tens of MB of heap.
 */
class ColumnProfiles implements ReadonlyMap<string, CustomerProfile> {
  private readonly row = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly dict: string[] = [];
  private readonly codes = new Map<string, number>();
  /** gender, ageGroup, country, segment: dictionary codes, 0 = null. */
  private readonly text: Uint32Array;
  private readonly money: Float64Array;
  /** optOut (0/1) | marketingConsent << 1 (0 false, 1 true, 2 null, 3 absent). */
  private readonly flags: Uint8Array;
  constructor(profiles: CustomerProfile[]) {
    const n = profiles.length;
    this.text = new Uint32Array(n * 4);
    this.money = new Float64Array(n * 2);
    this.flags = new Uint8Array(n);
    profiles.forEach((p, r) => {
      if (this.row.has(p.id)) {
        // A later duplicate wins, as it would in a Map built from the list.
        r = this.row.get(p.id)!;
      } else {
        this.row.set(p.id, this.ids.length);
        r = this.ids.length;
        this.ids.push(p.id);
      }
      this.text[r * 4] = this.code(p.gender);
      this.text[r * 4 + 1] = this.code(p.ageGroup);
      this.text[r * 4 + 2] = this.code(p.country);
      this.text[r * 4 + 3] = this.code(p.segment);
      this.money[r * 2] = p.avgOrderValue ?? NaN;
      this.money[r * 2 + 1] = p.lifetimeValue ?? NaN;
      const consent = !("marketingConsent" in p) || p.marketingConsent === undefined ? 3 : p.marketingConsent === null ? 2 : p.marketingConsent ? 1 : 0;
      this.flags[r] = (p.optOut ? 1 : 0) | (consent << 1);
    });
  }
  private code(v: string | null): number {
    if (v === null || v === undefined) return 0;
    let c = this.codes.get(v);
    if (c === undefined) {
      this.dict.push(v);
      this.codes.set(v, (c = this.dict.length));
    }
    return c;
  }
  private textAt(r: number, j: number): string | null {
    const c = this.text[r * 4 + j];
    return c === 0 ? null : this.dict[c - 1];
  }
  private build(r: number): CustomerProfile {
    const aov = this.money[r * 2];
    const ltv = this.money[r * 2 + 1];
    const f = this.flags[r];
    const consent = f >> 1;
    const p: CustomerProfile = {
      id: this.ids[r],
      gender: this.textAt(r, 0),
      ageGroup: this.textAt(r, 1),
      country: this.textAt(r, 2),
      avgOrderValue: Number.isNaN(aov) ? null : aov,
      segment: this.textAt(r, 3),
      lifetimeValue: Number.isNaN(ltv) ? null : ltv,
      optOut: (f & 1) === 1,
    };
    if (consent !== 3) p.marketingConsent = consent === 2 ? null : consent === 1;
    return p;
  }
  get size(): number {
    return this.row.size;
  }
  has(id: string): boolean {
    return this.row.has(id);
  }
  get(id: string): CustomerProfile | undefined {
    const r = this.row.get(id);
    return r === undefined ? undefined : this.build(r);
  }
  forEach(fn: (value: CustomerProfile, key: string, map: ReadonlyMap<string, CustomerProfile>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  *entries(): MapIterator<[string, CustomerProfile]> {
    for (const [k, r] of this.row) yield [k, this.build(r)];
  }
  keys(): MapIterator<string> {
    return this.row.keys();
  }
  *values(): MapIterator<CustomerProfile> {
    for (const r of this.row.values()) yield this.build(r);
  }
  [Symbol.iterator](): MapIterator<[string, CustomerProfile]> {
    return this.entries();
  }
}

class ColumnHistories extends ColumnMap<Event[]> {
  private readonly item = new Column(new Int32Array(1024));
  private readonly type = new Column(new Uint8Array(1024));
  private readonly at = new Column(new Float64Array(1024));
  private readonly weight = new Column(new Float32Array(1024));
  /** Adds a customer's events (rows of the table, oldest first); order lines count as purchases. */
  add(c: number, rows: Int32Array, events: EventTable, purchaseType: number): void {
    for (const e of rows) {
      this.item.push(events.item[e]);
      this.type.push(events.fromOrder[e] ? purchaseType : events.type[e]);
      this.at.push(events.at[e]);
      this.weight.push(events.quantity[e] || 1);
    }
    this.addRow(c, this.item.length);
  }
  seal(): void {
    for (const col of [this.item, this.type, this.at, this.weight, this.offsets]) col.seal();
  }
  protected build(from: number, to: number): Event[] {
    const out: Event[] = new Array(to - from);
    for (let j = from; j < to; j++) out[j - from] = { item: this.item.data[j], type: INTERACTION_TYPES[this.type.data[j]], at: this.at.data[j], weight: this.weight.data[j] };
    return out;
  }
}

class ColumnPurchases extends ColumnMap<Set<number>> {
  private readonly items = new Column(new Int32Array(1024));
  /** Adds a customer's bought products (none: the customer is not in the map). */
  add(c: number, bought: Set<number>): void {
    if (bought.size === 0) return;
    for (const i of bought) this.items.push(i);
    this.addRow(c, this.items.length);
  }
  seal(): void {
    this.items.seal();
    this.offsets.seal();
  }
  protected build(from: number, to: number): Set<number> {
    return new Set(this.items.data.subarray(from, to));
  }
}

function emptyEventTable(customers: string[]): EventTable {
  return {
    length: 0,
    customers,
    customer: new Int32Array(0),
    item: new Int32Array(0),
    type: new Uint8Array(0),
    at: new Float64Array(0),
    quantity: new Float32Array(0),
    duration: new Float32Array(0),
    basket: new Int32Array(0),
    fromOrder: new Uint8Array(0),
    cancelled: new Uint8Array(0),
  } as EventTable;
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

// ---------------------------------------------------------------- requests

export interface ContextRequest {
  placement: Placement;
  customerId?: string | null;
  productId?: string | null;
  cart?: string[];
  now?: number;
  gift?: boolean;
  locale?: "de" | "en";
  /**
   * An anonymous session's latest product views (ids, oldest first), e.g. kept by the storefront
   * block; ignored for a customer who opted out.
   */
  recent?: string[];
  /** The customer's events newer than the world (a serving snapshot's live tail), oldest first. */
  liveEvents?: Event[];
}

/**
 * The context of one request. A customer who opted out of personalisation gets exactly the context
 * of an anonymous shopper without history: no profile, no history, no purchases (nothing of theirs).
 * Unknown product ids in the cart are dropped; an unknown current product becomes null.
 */
export function contextFor(world: World, req: ContextRequest): RecContext {
  const now = req.now ?? world.now;
  const idx = (id: string | null | undefined) => (id ? world.catalog.index.get(id) ?? null : null);
  const cart = (req.cart ?? []).map((id) => idx(id)).filter((i): i is number => i !== null);
  const base: RecContext = {
    placement: req.placement,
    now,
    customer: null,
    history: [],
    purchased: new Set(),
    item: idx(req.productId),
    cart: [...new Set(cart)],
    gift: req.gift ?? false,
    locale: req.locale ?? "en",
  };
  const id = req.customerId ?? null;
  const profile = id ? world.profiles.get(id) ?? null : null;
  if (profile?.optOut) return base;
  if (id && (profile || world.histories.has(id))) {
    base.customer = profile ?? { id, gender: null, ageGroup: null, country: null, avgOrderValue: null, segment: null, lifetimeValue: null, optOut: false };
    base.history = (world.histories.get(id) ?? []).filter((e) => e.at <= now);
    base.purchased = world.purchased.get(id) ?? new Set();
  } else if (id) {
    base.customer = { id, gender: null, ageGroup: null, country: null, avgOrderValue: null, segment: null, lifetimeValue: null, optOut: false };
  }
  if (req.liveEvents?.length && base.customer) {
    const live = req.liveEvents.filter((e) => e.at <= now);
    base.history = [...base.history, ...live];
    const bought = live.filter((e) => e.type === "purchase").map((e) => e.item);
    if (bought.length) base.purchased = new Set([...base.purchased, ...bought]);
  }
  if (req.recent?.length) {
    const views: Event[] = req.recent.map((r, j) => ({ item: idx(r) ?? -1, type: "view" as const, at: now - (req.recent!.length - j) * 1000 })).filter((e) => e.item >= 0);
    base.history = [...base.history, ...views];
  }
  return base;
}

/**
 * The shop's reference time: the latest event or product creation date at or before `now` (`now`
 * itself when there is neither). A live shop's latest event is minutes old, so this is about now; an
 * imported history is read at its own last day instead of decaying to nothing under the wall clock.
 */
export function referenceTime(events: Pick<EventTable, "length" | "at">, catalog: Pick<Catalog, "createdAt">, now: number): number {
  let latest = -Infinity;
  for (let e = 0; e < events.length; e++) {
    const at = events.at[e];
    if (at <= now && at > latest) latest = at;
  }
  for (let i = 0; i < catalog.createdAt.length; i++) {
    const at = catalog.createdAt[i];
    if (at <= now && at > latest) latest = at;
  }
  return Number.isFinite(latest) ? latest : now;
}

/** The full pipeline for one request; `overrides` change this placement's settings (evaluation, tests). */
export function recommend(world: World, ctx: RecContext, k: number, overrides?: Partial<PlacementSettings>): Recommendation[] {
  return recommendTraced(world, ctx, k, overrides).items;
}

export interface RecommendTrace {
  items: Recommendation[];
  /** Which sources ran with which weight (after fallbacks), and how many candidates each gave. */
  sources: { name: SourceName; weight: number; candidates: number; fallbackFor?: SourceName }[];
}

export function recommendTraced(world: World, ctx: RecContext, k: number, overrides?: Partial<PlacementSettings>): RecommendTrace {
  // The guard replaces the served weights; a caller's own weights (evaluation, experiments) win over it.
  const base = placementSettings(world.settings, ctx.placement, overrides);
  const ps = overrides?.weights ? base : applyGuard(base, world.guards[ctx.placement]);
  if (k <= 0) return { items: [], sources: [] };
  const pool = Math.max(world.settings.global.minPool, k * world.settings.global.poolFactor);
  const sets: CandidateSet[] = sourceList(world, ctx, ps, pool);
  let blended = blendCandidates(sets);
  blended = applyRules(world, ctx, ps, blended);
  if (blended.length < k) blended = fill(world, ctx, ps, blended, k, pool);
  const items = applyDiversity(world, ctx, ps, blended, k);
  return { items, sources: sets.map((s) => ({ name: s.name, weight: s.weight, candidates: s.candidates.length, fallbackFor: s.fallbackFor })) };
}

/** Rules left too few: fill from global.fill sources (after the same rules), scores below every blended one. */
function fill(world: World, ctx: RecContext, ps: PlacementSettings, list: Recommendation[], k: number, pool: number): Recommendation[] {
  const have = new Set(list.map((r) => r.item));
  const out = [...list];
  let floor = list.length ? Math.min(...list.map((r) => r.score)) : 1;
  for (const name of world.settings.global.fill) {
    if (out.length >= k) break;
    const cands = world.sources[name].candidates(ctx, pool + have.size);
    const fresh = cands.filter((c) => !have.has(c.item));
    const recs = applyRules(
      world,
      ctx,
      ps,
      fresh.map((c, j) => ({ item: c.item, score: floor * 0.5 * (1 - j / (fresh.length + 1)), reasons: c.reasons.map((r) => ({ ...r, weight: 0 })), contributions: {} })),
    );
    for (const r of recs) {
      if (out.length >= k + pool) break;
      have.add(r.item);
      out.push(r);
    }
    floor = out.length ? Math.min(...out.map((r) => r.score)) : floor;
  }
  return out;
}

/**
 * One source alone, with the hard exclusions (current product, cart, out of stock, hidden) applied:
 * for single-source evaluation.
 */
export function sourceCandidates(world: World, source: SourceName, ctx: RecContext, k: number): Candidate[] {
  const extra = ctx.cart.length + (ctx.item !== null ? 1 : 0) + 10;
  const cands = world.sources[source].candidates(ctx, k + extra);
  const ps = world.settingsFor(ctx.placement);
  return cands.filter((c) => hardFilter(world, ctx, ps, c.item, { purchased: false, seasonal: false })).slice(0, k);
}
