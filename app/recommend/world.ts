/**
 * The World contract: everything a request needs, precomputed once per snapshot (buildWorld.ts
 * builds it; columns.ts stores its per-customer data; context.ts makes one request's context;
 * pipeline.ts runs
 *   sources -> per-source normalisation -> weighted blend -> business rules -> diversity -> explanations).
 * This file holds types and constants only, so that sources can depend on the contract without
 * depending on its construction.
 */
import type { PlacementGuard } from "./blendGuard";
import type { SegmentIndex } from "./segments";
import type { PlacementSettings, ShopSettings } from "./settings";
import type {
  Catalog,
  CfModel,
  CustomerProfile,
  Event,
  EventTable,
  ItemNeighbours,
  Placement,
  RecContext,
  Source,
  SourceName,
  VectorSearch,
} from "./types";

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

