/**
 * The recommender's settings: defaults documented here, next to each key; a shop overrides any
 * subset (stored as JSON in the Setting table under key "recommend", validated by `settingsOverrideSchema`).
 *
 * Shape: `global` (signals, normalisation, fallbacks, seasons, hidden products) and one block per
 * placement (weights per source, business rules, diversity). A placement's block is complete after
 * merging; the defaults of every placement start from `BASE_RULES` / `BASE_DIVERSITY`.
 */
import { z } from "zod";
import type { Placement, SourceName } from "./types";
import { PLACEMENTS } from "./types";

export const SOURCE_NAMES: SourceName[] = [
  "visual",
  "collaborative",
  "bought-together",
  "demographic",
  "recency",
  "new-arrivals",
  "popularity",
  "recent-popularity",
  "cross-sell",
  "random",
];

export type Normalisation = "rank" | "minmax" | "max";

export interface Season {
  /** A name for operators and the admin ("christmas"). */
  name: string;
  /** A product with one of these (lower-case) tags belongs to the season. */
  tags: string[];
  /** A product in one of these collections (compared case-insensitively) belongs to the season. */
  collections: string[];
  /** First and last day of the season, "MM-DD" (UTC), inclusive; a window may wrap the year end. */
  from: string;
  to: string;
}

export interface RuleSettings {
  /** Never recommend out-of-stock products. Default true. */
  excludeOutOfStock: boolean;
  /** Never recommend the product being viewed or the cart's products. Default true. */
  excludeCurrentAndCart: boolean;
  /**
   * Products the customer already bought are left out, except in the listed categories where buying
   * again is normal (e.g. charms). Default: enabled, no repurchasable categories.
   */
  excludePurchased: { enabled: boolean; repurchasableCategories: string[] };
  /**
   * Price band: the customer's average order value (profile, else computed from their orders) times
   * (1 - margin) .. (1 + margin). Products outside are moved behind every product inside (they only
   * show when the band cannot fill the list), never for gifts. Default: enabled, margin 0.5 (+-50 %),
   * customers with fewer than 1 known order value are not banded.
   */
  priceBand: { enabled: boolean; margin: number };
  /** Seasonal products (global.seasons) only inside their season's window. Default true. */
  seasonal: boolean;
  /**
   * Brands the customer never buys: once a customer has at least `minPurchases` purchases, products
   * of brands absent from them are multiplied by `factor`. Default: enabled, 3 purchases, 0.8.
   */
  brandAffinity: { enabled: boolean; minPurchases: number; factor: number };
  /**
   * Gender targeting: a product made for the other gender (female vs male; unisex always fits) is
   * multiplied by `factor`, except for gifts and when the customer already buys, carts or views that
   * gender's products (in jewelry a man buying a woman's ring is normal: he shops for her).
   * Default: enabled, factor 0.5.
   */
  gender: { enabled: boolean; factor: number };
  /** Merchant pins: product ids shown first, in this order, when they pass the hard rules. Default none. */
  pinned: string[];
  /**
   * "Complete your look": products of a category already in the cart (or of the viewed product) are
   * moved behind every product of another category (they only show when the others cannot fill the
   * list). Default false; true for the cart placement (a silver ring in the cart asks for earrings
   * or a necklace to match, not four more rings).
   */
  otherCategories?: boolean;
}

export interface DiversitySettings {
  /**
   * Maximal marginal relevance on the visual vectors: lambda * relevance - (1 - lambda) * max similarity
   * to what is already chosen. 1 = relevance only. Default 0.75.
   */
  mmrLambda: number;
  /** At most this many products of one category (null: no cap). Default 4. */
  maxPerCategory: number | null;
  /** At most this many products of one collection (null: no cap). Default 3. */
  maxPerCollection: number | null;
  /**
   * Price diversity: at most this share of the list from one price tier (the catalogue's price terciles).
   * 1 = off. Default 0.6.
   */
  maxPriceTierShare: number;
  /**
   * Exploration: this many slots (taken from the end of the list) go to new or rarely seen products
   * (created within global.newArrivalDays, or with at most `rareMaxEvents` interactions, or shown in
   * recommendation lists at most `rareMaxImpressions` times in the last 30 days). Default 1, 2, 20.
   */
  explorationSlots: number;
  rareMaxEvents: number;
  rareMaxImpressions: number;
}

export interface PlacementSettings {
  /** Weight of each source in the blend; missing or 0 = not used. Weights need not sum to 1. */
  weights: Partial<Record<SourceName, number>>;
  /** Restrict every source to new products (the email "New arrivals you'll love"). */
  onlyNew: boolean;
  rules: RuleSettings;
  diversity: DiversitySettings;
}

export interface GlobalSettings {
  /**
   * How each source's scores are put on one scale before weighting, over that source's candidate list.
   * Default "rank" for every source (1 - rank / length): sources' raw scales differ (cosines 0.6-0.95,
   * ALS dot products, heavy-tailed popularity counts) and a rank transform gives each source exactly
   * the influence its weight says, whatever its scale or outliers. "minmax" keeps score gaps
   * (top = 1, weakest candidate = 0); "max" divides by the best score.
   */
  normalisation: Partial<Record<SourceName, Normalisation>> & { default: Normalisation };
  /**
   * When a source has no candidates its weight moves to the first source of its chain that has some
   * (and is not already in the blend, else it adds to that source's weight). Default below.
   */
  fallbacks: Partial<Record<SourceName, SourceName[]>>;
  /** When rules leave fewer than k products, the list is filled from these sources in order. */
  fill: SourceName[];
  /** Candidates asked from each source: max(minPool, k * poolFactor). Defaults 5 and 40. */
  poolFactor: number;
  minPool: number;
  /**
   * Visual neighbours precomputed per product in the serving bundle (issue 17; the embed and train
   * jobs write it): the visual and recency sources get at most this many per anchor. Default 100.
   */
  visualNeighbours: number;
  /** Segment popularity: half-life of an event's weight in days (default 45). */
  popularityHalfLifeDays: number;
  /**
   * The "recent-popularity" source: the shop's bestsellers of the last this many days before the
   * shop's latest event (not the wall clock: an imported history counts its own last days).
   * Default 30: on UCI Online Retail the last 30 days' bestsellers reach NDCG@10 0.082 against 0.034
   * for all-time popularity (issue 14).
   */
  recentPopularityDays: number;
  /**
   * Smoothing of a segment toward its parent (age x gender x country -> age x gender -> gender -> shop):
   * a pseudo-count of this many weighted events drawn from the parent. Default 20.
   */
  segmentSmoothing: number;
  /** Demographic signal: "popular" (decayed popularity) or "trending" (share growth, last 14 days vs the 60 before). */
  demographicMode: "popular" | "trending";
  trendingRecentDays: number;
  trendingBaselineDays: number;
  /** Event strength for popularity and recency (purchases count most). */
  eventWeights: Record<"view" | "click" | "add_to_cart" | "remove_from_cart" | "add_to_wishlist" | "purchase", number>;
  /** Recency: how many of the latest distinct products spread, and their half-life in hours (default 10, 72). */
  recencyEvents: number;
  recencyHalfLifeHours: number;
  /** Recency: how much a recent product itself counts (not only its neighbours). Default 0.3. */
  recencySelfWeight: number;
  /** A product is "new" for this many days after its creation date. Default 60. */
  newArrivalDays: number;
  /** Cross-sell: complementary categories per category; a category not listed pairs with every other. */
  complementary: Record<string, string[]>;
  /** Seasonal products, by tag or collection, with their windows. */
  seasons: Season[];
  /** Merchant hides: product ids never recommended anywhere. */
  hidden: string[];
}

export interface ShopSettings {
  global: GlobalSettings;
  placements: Record<Placement, PlacementSettings>;
}

const BASE_RULES: RuleSettings = {
  excludeOutOfStock: true,
  excludeCurrentAndCart: true,
  excludePurchased: { enabled: true, repurchasableCategories: [] },
  priceBand: { enabled: true, margin: 0.5 },
  seasonal: true,
  brandAffinity: { enabled: true, minPurchases: 3, factor: 0.8 },
  gender: { enabled: true, factor: 0.5 },
  pinned: [],
};

const BASE_DIVERSITY: DiversitySettings = {
  mmrLambda: 0.75,
  maxPerCategory: 4,
  maxPerCollection: 3,
  maxPriceTierShare: 0.6,
  explorationSlots: 1,
  rareMaxEvents: 2,
  rareMaxImpressions: 20,
};

function placement(weights: PlacementSettings["weights"], extra: Partial<PlacementSettings> = {}, diversity: Partial<DiversitySettings> = {}): PlacementSettings {
  return {
    weights,
    onlyNew: false,
    rules: structuredClone(BASE_RULES),
    diversity: { ...structuredClone(BASE_DIVERSITY), ...diversity },
    ...extra,
  };
}

/** The seed's strategies (SEED.md, "Example Use Cases" and "Hybrid Ensemble"). */
export const DEFAULT_SETTINGS: ShopSettings = {
  global: {
    normalisation: { default: "rank" },
    fallbacks: {
      visual: ["bought-together", "demographic", "popularity"],
      collaborative: ["recency", "demographic", "popularity"],
      "bought-together": ["visual", "popularity"],
      demographic: ["popularity", "new-arrivals"],
      recency: ["demographic", "popularity"],
      "cross-sell": ["bought-together", "visual", "popularity"],
      popularity: ["new-arrivals", "random"],
      "new-arrivals": ["popularity", "random"],
    },
    fill: ["popularity", "new-arrivals", "random"],
    poolFactor: 5,
    minPool: 40,
    visualNeighbours: 100,
    popularityHalfLifeDays: 45,
    recentPopularityDays: 30,
    segmentSmoothing: 20,
    demographicMode: "popular",
    trendingRecentDays: 14,
    trendingBaselineDays: 60,
    eventWeights: { view: 1, click: 0.5, add_to_cart: 3, remove_from_cart: 0, add_to_wishlist: 3, purchase: 6 },
    recencyEvents: 10,
    recencyHalfLifeHours: 72,
    recencySelfWeight: 0.3,
    newArrivalDays: 60,
    complementary: {
      necklaces: ["earrings", "bracelets", "rings", "pendants"],
      pendants: ["necklaces", "earrings", "bracelets"],
      earrings: ["necklaces", "pendants", "rings", "bracelets"],
      rings: ["earrings", "bracelets", "necklaces"],
      bracelets: ["rings", "earrings", "necklaces"],
    },
    seasons: [
      { name: "christmas", tags: ["christmas", "weihnachten", "xmas", "advent"], collections: ["christmas", "weihnachten"], from: "11-01", to: "12-31" },
      { name: "valentines", tags: ["valentines", "valentinstag", "valentine"], collections: ["valentinstag", "valentines"], from: "01-15", to: "02-14" },
      { name: "easter", tags: ["easter", "ostern"], collections: ["ostern", "easter"], from: "03-01", to: "04-30" },
      { name: "mothers-day", tags: ["muttertag", "mothers-day"], collections: ["muttertag"], from: "04-15", to: "05-14" },
    ],
    hidden: [],
  },
  placements: {
    // General hybrid: 0.40 visual + 0.35 collaborative + 0.15 demographic + 0.10 recency.
    general: placement({ visual: 0.4, collaborative: 0.35, demographic: 0.15, recency: 0.1 }),
    // Product page "You may also like": 70 % visual + 30 % demographic; similar items of one category are the point.
    product: placement({ visual: 0.7, demographic: 0.3 }, {}, { maxPerCategory: 8 }),
    // Home "Recommended for you": 60 % collaborative + 40 % recent interactions.
    home: placement({ collaborative: 0.6, recency: 0.4 }),
    // Email "New arrivals you'll love": 50 % demographic + 50 % visual similarity to past purchases, over new products.
    email: placement({ demographic: 0.5, visual: 0.5 }, { onlyNew: true }, { explorationSlots: 0 }),
    // Cart "Complete your look" (issue 14, decision 0130): complementary, not more of the same. 50 % cross-sell
    // (other categories of the same collection/set, metal, stone), 30 % bought together, 20 % visual (the same
    // metal and stone colour); products of the cart's own categories only fill the end of the list.
    cart: placement({ "cross-sell": 0.5, "bought-together": 0.3, visual: 0.2 }, { rules: { ...structuredClone(BASE_RULES), otherCategories: true } }, { explorationSlots: 0 }),
  },
};

// ---------- validation of a shop's override ----------

const sourceName = z.enum(SOURCE_NAMES as [SourceName, ...SourceName[]]);
const normalisation = z.enum(["rank", "minmax", "max"]);
const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "must be MM-DD, e.g. 12-24");
const ids = z.array(z.string().min(1));
const share = z.number().min(0).max(1);

const rulesSchema = z
  .object({
    excludeOutOfStock: z.boolean(),
    excludeCurrentAndCart: z.boolean(),
    excludePurchased: z.object({ enabled: z.boolean(), repurchasableCategories: z.array(z.string()) }).partial().strict(),
    priceBand: z.object({ enabled: z.boolean(), margin: z.number().min(0).max(10) }).partial().strict(),
    seasonal: z.boolean(),
    brandAffinity: z.object({ enabled: z.boolean(), minPurchases: z.number().int().min(1), factor: share }).partial().strict(),
    gender: z.object({ enabled: z.boolean(), factor: share }).partial().strict(),
    pinned: ids,
    otherCategories: z.boolean(),
  })
  .partial()
  .strict();

const diversitySchema = z
  .object({
    mmrLambda: share,
    maxPerCategory: z.number().int().min(1).nullable(),
    maxPerCollection: z.number().int().min(1).nullable(),
    maxPriceTierShare: share,
    explorationSlots: z.number().int().min(0).max(10),
    rareMaxEvents: z.number().int().min(0),
    rareMaxImpressions: z.number().int().min(0),
  })
  .partial()
  .strict();

const placementSchema = z
  .object({
    weights: z.record(sourceName, z.number().min(0)),
    onlyNew: z.boolean(),
    rules: rulesSchema,
    diversity: diversitySchema,
  })
  .partial()
  .strict();

const eventWeightsSchema = z
  .object({ view: z.number().min(0), click: z.number().min(0), add_to_cart: z.number().min(0), remove_from_cart: z.number().min(0), add_to_wishlist: z.number().min(0), purchase: z.number().min(0) })
  .partial()
  .strict();

const globalSchema = z
  .object({
    normalisation: z.record(z.union([sourceName, z.literal("default")]), normalisation),
    fallbacks: z.record(sourceName, z.array(sourceName)),
    fill: z.array(sourceName),
    poolFactor: z.number().int().min(1).max(50),
    minPool: z.number().int().min(1).max(5000),
    visualNeighbours: z.number().int().min(1).max(1000),
    popularityHalfLifeDays: z.number().positive(),
    recentPopularityDays: z.number().positive(),
    segmentSmoothing: z.number().min(0),
    demographicMode: z.enum(["popular", "trending"]),
    trendingRecentDays: z.number().positive(),
    trendingBaselineDays: z.number().positive(),
    eventWeights: eventWeightsSchema,
    recencyEvents: z.number().int().min(1).max(100),
    recencyHalfLifeHours: z.number().positive(),
    recencySelfWeight: z.number().min(0),
    newArrivalDays: z.number().positive(),
    complementary: z.record(z.string(), z.array(z.string())),
    seasons: z.array(z.object({ name: z.string().min(1), tags: z.array(z.string()), collections: z.array(z.string()), from: monthDay, to: monthDay }).strict()),
    hidden: ids,
  })
  .partial()
  .strict();

/** A shop's override: any subset of ShopSettings. Unknown keys are errors (a typo must not pass silently). */
export const settingsOverrideSchema = z
  .object({
    global: globalSchema,
    placements: z.object(Object.fromEntries(PLACEMENTS.map((p) => [p, placementSchema])) as Record<Placement, typeof placementSchema>).partial().strict(),
  })
  .partial()
  .strict();

export type SettingsOverride = z.infer<typeof settingsOverrideSchema>;

/** Validates an override; throws an Error naming each bad path and what it must be. */
export function parseSettingsOverride(value: unknown, where = "settings"): SettingsOverride {
  const r = settingsOverrideSchema.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${where}.${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid recommendation settings:\n${lines.join("\n")}`);
  }
  return r.data;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Deep merge: objects merge key by key, arrays and scalars replace. `weights` replace as a whole
 * (a shop that sets product weights to {visual: 1} means visual only, not visual plus the defaults).
 */
function deepMerge<T>(base: T, over: unknown, key = ""): T {
  if (over === undefined) return structuredClone(base);
  if (key === "weights" || !isPlainObject(base) || !isPlainObject(over)) return structuredClone(over) as T;
  const out: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = k in out ? deepMerge(out[k], v, k) : structuredClone(v);
  }
  return out as T;
}

export function mergeSettings(defaults: ShopSettings, override: SettingsOverride | undefined | null): ShopSettings {
  return deepMerge(defaults, override ?? {});
}

/** A placement's settings with request-time overrides (the evaluation tunes weights this way). */
export function placementSettings(settings: ShopSettings, placement: Placement, overrides?: Partial<PlacementSettings>): PlacementSettings {
  return overrides ? deepMerge(settings.placements[placement], overrides) : settings.placements[placement];
}
