/**
 * The recommender core's contracts. app/recommend/ is pure: no I/O, no clock (time is a parameter).
 * Products are addressed by a dense index (0..n-1) inside the core; string ids only at the edges.
 */

export type Placement = "product" | "home" | "cart" | "email" | "general";
export const PLACEMENTS: Placement[] = ["product", "home", "cart", "email", "general"];

export type SourceName =
  | "visual"
  | "collaborative"
  | "bought-together"
  | "demographic"
  | "recency"
  | "new-arrivals"
  | "popularity"
  | "recent-popularity"
  | "cross-sell"
  | "random";

export type InteractionType =
  | "view"
  | "click"
  | "add_to_cart"
  | "remove_from_cart"
  | "add_to_wishlist"
  | "purchase";
export const INTERACTION_TYPES: InteractionType[] = [
  "view",
  "click",
  "add_to_cart",
  "remove_from_cart",
  "add_to_wishlist",
  "purchase",
];

/**
 * Why a product is recommended: a code with parameters, rendered to German or English by
 * explain.ts ("looks like the ring you viewed" / "sieht aus wie der Ring, den Sie angesehen haben").
 */
export interface Reason {
  source: SourceName;
  code: string; // e.g. "looks_like_viewed", "bought_with_cart", "popular_in_segment"
  params?: Record<string, string | number>;
  weight?: number; // this source's contribution to the final score
}

/** One scored product from a source (dense product index). */
export interface Candidate {
  item: number;
  score: number;
  reasons: Reason[];
}

/** A customer's or anonymous client's event, as the core sees it. */
export interface Event {
  item: number;
  type: InteractionType;
  at: number; // epoch ms
  weight?: number; // quantity, duration-derived strength
}

/** The catalogue in columns (struct of arrays), indexed by dense product index. */
export interface Catalog {
  ids: string[];
  index: Map<string, number>;
  title: string[];
  category: string[];
  brand: string[];
  collection: (string | null)[];
  material: string[];
  color: (string | null)[];
  gender: (string | null)[]; // target gender: female | male | unisex
  stoneType: (string | null)[];
  price: Float64Array;
  inStock: Uint8Array;
  createdAt: Float64Array; // epoch ms, NaN when unknown
  tags: string[][]; // lower-case tags (season tags among them)
  imageUrl: string[];
  handle: (string | null)[];
}

export interface CustomerProfile {
  id: string;
  gender: string | null;
  ageGroup: string | null;
  country: string | null;
  avgOrderValue: number | null;
  segment: string | null;
  lifetimeValue: number | null;
  optOut: boolean;
  /** Email consent (SEED marketing_consent); null or absent when unknown. */
  marketingConsent?: boolean | null;
}

/** Everything a source may read about the request. */
export interface RecContext {
  placement: Placement;
  now: number; // epoch ms
  customer: CustomerProfile | null; // null for anonymous shoppers
  /** The customer's (or anonymous client's) recent events, newest last. Empty when opted out. */
  history: Event[];
  /** Products already bought by this customer (dense indices). */
  purchased: Set<number>;
  /** The product being viewed (product placement). */
  item: number | null;
  /** The cart's products. */
  cart: number[];
  /** Whether this request is a gift purchase (turns off price band and gender targeting). */
  gift: boolean;
  locale: "de" | "en";
}

/** Every recommender is a named source behind this interface. */
export interface Source {
  readonly name: SourceName;
  candidates(ctx: RecContext, k: number): Candidate[];
}

/** A recommendation as returned by the blend: final score and all reasons, strongest first. */
export interface Recommendation {
  item: number;
  score: number;
  reasons: Reason[];
  contributions: Partial<Record<SourceName, number>>;
}

/** Collaborative model artefacts (implicit ALS). Row-major Float32 factor matrices. */
export interface CfModel {
  factors: number;
  userIds: string[];
  userIndex: Map<string, number>;
  userFactors: Float32Array; // users x factors
  itemFactors: Float32Array; // items x factors, rows aligned with Catalog.ids
  regularization: number;
  alpha: number;
  /**
   * The confidence settings the model was trained with (weights, half-life, scale), so fold-in
   * turns a request's events into the same strengths; absent: DEFAULT_CONFIDENCE (cf/confidence.ts).
   */
  confidence?: ConfidenceSettings;
  /**
   * Optional item-based part of the collaborative source (cf/ease.ts): per product its kept EASE
   * weights, and the share of the EASE score in the collaborative score (0 = ALS only, 1 = EASE
   * only; each part scaled by its own maximum over the catalogue first). Chosen per shop by the
   * train-time tuner on validation.
   */
  ease?: { weights: ItemNeighbours; weight: number; lambda: number } | null;
}

/** Sparse item-item neighbour lists in CSR form (rows and columns are dense product indices). */
export interface ItemNeighbours {
  indptr: Int32Array; // length n + 1
  indices: Int32Array;
  scores: Float32Array;
}

/** A k-nearest-neighbour search over L2-normalised product vectors (cosine). */
export interface VectorSearch {
  dim: number;
  /** Returns up to k (item, similarity) pairs, most similar first, excluding `exclude`. */
  search(query: Float32Array, k: number, exclude?: Set<number>): { item: number; score: number }[];
  /** The stored vector of a product, or null when it has none. */
  vector(item: number): Float32Array | null;
  /**
   * Optional: a compact, L2-normalised stand-in of the product's vector whose dot products
   * approximate the cosines of the stored vectors (e.g. the index's PCA-projected vector), for
   * similarities between candidates where a few dimensions fewer do not matter (diversity).
   */
  compact?(item: number): Float32Array | null;
  /**
   * Optional: the product's precomputed visual neighbours (a serving bundle's list, most similar
   * first, the product itself excluded; views, not copies), or null when it has none. With it the
   * world answers visualNeighbours from the list and never searches on the request path; k beyond
   * the list's length gets the list.
   */
  neighbours?(item: number): { items: Int32Array; scores: Float32Array } | null;
}

/**
 * Behaviour as columns, the input of training, evaluation and the demographic/popularity signals.
 * One row per interaction or order line. Loaded by app/models/events.server.ts.
 */
export interface EventTable {
  length: number;
  customers: string[]; // dense customer index -> customer id
  customer: Int32Array; // dense customer index, -1 for anonymous (clientId only)
  item: Int32Array; // dense product index (Catalog)
  type: Uint8Array; // index into INTERACTION_TYPES
  at: Float64Array; // epoch ms
  quantity: Float32Array; // order lines: quantity; interactions: 1
  duration: Float32Array; // seconds viewed, NaN when unknown
  basket: Int32Array; // events sharing an order (order lines) or a session (interactions); -1 when none
  fromOrder: Uint8Array; // 1 for order lines
  cancelled: Uint8Array; // 1 for lines of cancelled or returned orders
}

/** How strongly each event says "this customer likes this product" (cf/confidence.ts applies it; DEFAULT_CONFIDENCE documents the defaults). */
export interface ConfidenceSettings {
  /** Strength of one event of each type (order lines count as purchase). */
  weights: Record<InteractionType, number>;
  /** Views longer than this (seconds) get weights.view; shorter views get shortViewWeight. */
  viewMinSeconds: number;
  /** Weight of a view of at most viewMinSeconds, or of unknown duration. */
  shortViewWeight: number;
  /** Weight of one unit on a cancelled or returned order line (replaces weights.purchase). */
  cancelledOrderWeight: number;
  /** Quantities above this count as this many (a bulk order of 40 studs is not 40 times the taste). */
  maxQuantity: number;
  /** Age at which an event counts half; 0 or Infinity turns decay off. */
  halfLifeDays: number;
  /** "linear": r as summed; "log": log(1 + r / logEpsilon) (repeats and quantities compressed). */
  scale: "linear" | "log";
  /** The strength that counts as one unit on the log scale (a purchase is 10: one purchase -> log 2). */
  logEpsilon: number;
}
