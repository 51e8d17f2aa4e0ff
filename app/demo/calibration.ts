/**
 * The numbers the demo shop is calibrated on, written in so that the generator runs without
 * ../shared (a newcomer's clone has none).
 *
 * HOW THEY WERE MEASURED (2026-11-26), from
 * ../shared/data/rees46-jewelry-sample/jewelry_sample_with_header.csv (335 real purchase lines of
 * the REES46 jewelry store, 2018-12 and 2021), with a small Python script (csv.DictReader):
 *   1. drop exact duplicate lines (335 -> 329) and the non-jewelry rows `electronics.*` (-> 326);
 *   2. count category_alias, main_metal, main_color, main_gem, product_gender, brand_id, quantity;
 *   3. prices: price_usd >= 5 only (28 rows cost 0.00-1.05, placeholders), n = 298; quantiles by
 *      linear interpolation on the sorted list; per category the same on that category's rows;
 *   4. items per order (lines sharing order_id) and orders per user_id;
 *   5. the hour of order_datetime (UTC).
 * The store is Russian and sells almost only gold: where a DACH shop differs, the generator
 * blends the measurement with a stated DACH prior (see GENERATOR_* below) instead of hiding it.
 */

// ---------------------------------------------------------------- raw measurements (counts)

/** category_alias counts over the 326 jewelry rows (52 rows had an empty alias, left out). */
export const MEASURED_CATEGORY_COUNTS = {
  earrings: 102, // jewelry.earring
  rings: 80, // jewelry.ring
  pendants: 61, // jewelry.pendant
  bracelets: 21, // jewelry.bracelet
  necklaces: 7, // jewelry.necklace
  brooches: 3, // jewelry.brooch
} as const;

/** main_metal x main_color counts: gold/red 231, gold/white 43, gold/yellow 19, silver 11, empty 22. */
export const MEASURED_METAL_COLOUR_COUNTS = { goldRed: 231, goldWhite: 43, goldYellow: 19, silver: 11, unknown: 22 } as const;

/** main_gem counts (103 rows without a gem). "fianit" is the Russian name of cubic zirconia. */
export const MEASURED_GEM_COUNTS = {
  none: 103,
  diamond: 83,
  zirconia: 57,
  topaz: 26,
  garnet: 16,
  pearl: 14,
  amethyst: 10,
  sapphire: 5,
  mix: 5,
  smoky_quartz: 3,
  quartz: 2,
  ruby: 1,
  agate: 1,
} as const;

/** Quantiles of price_usd (rows >= 5 USD, n = 298). */
export const MEASURED_PRICE_QUANTILES_USD: ReadonlyArray<readonly [number, number]> = [
  [0.0, 13.32],
  [0.05, 66.53],
  [0.1, 79.32],
  [0.25, 129.37],
  [0.5, 205.34],
  [0.75, 335.48],
  [0.9, 594.52],
  [0.95, 849.18],
  [0.99, 1763.97],
  [1.0, 4116.3],
];

/** Median price_usd per category (rows >= 5 USD); brooch n = 3, necklace n = 7: rough. */
export const MEASURED_CATEGORY_MEDIAN_USD = {
  earrings: 222,
  rings: 195,
  pendants: 96,
  bracelets: 335,
  necklaces: 303,
  brooches: 232,
} as const;

/** Median price_usd per gem (n >= 10 only; the rest are treated as "none"). */
export const MEASURED_GEM_MEDIAN_USD = { none: 195, diamond: 294, zirconia: 156, topaz: 160, garnet: 161, pearl: 166, amethyst: 254 } as const;

/** product_gender: "f" 136, empty 190 (no "m" at all in the sample). */
export const MEASURED_PRODUCT_GENDER = { female: 136, unspecified: 190 } as const;

/** brand_id counts (non-empty): sales concentrate on two house brands. */
export const MEASURED_BRAND_COUNTS = [141, 114, 25, 6, 1, 1] as const;

/** Lines per order over 284 orders: 1 -> 248, 2 -> 31, 3 -> 4, 4 -> 1. quantity was always 1. */
export const MEASURED_ITEMS_PER_ORDER = [248, 31, 4, 1] as const;

/** Orders per user over 227 users: 1 -> 188, 2 -> 29, 3 -> 5, 4 -> 2, 5 -> 3 (short windows: a floor). */
export const MEASURED_ORDERS_PER_USER = [188, 29, 5, 2, 3] as const;

/** Orders per hour of day, UTC, hours 0..23. The shop is on Moscow time (UTC+3). */
export const MEASURED_ORDER_HOURS_UTC = [2, 1, 6, 3, 13, 10, 27, 32, 58, 34, 18, 19, 30, 18, 10, 11, 7, 8, 3, 4, 3, 2, 4, 3] as const;

/** Average USD -> EUR rate over the sample's dates (2018-12 about 0.88, 2021 about 0.85). */
export const USD_TO_EUR = 0.87;

// ---------------------------------------------------------------- what the generator uses

export const CATEGORIES = ["rings", "necklaces", "earrings", "bracelets", "pendants", "brooches", "charms"] as const;
export type Category = (typeof CATEGORIES)[number];

export const METALS = ["silver", "gold", "rose_gold", "platinum"] as const;
export type Metal = (typeof METALS)[number];

/**
 * Catalog category mix: the measured purchase mix, plus charms (absent from the sample; a DACH
 * shop's long tail, given the brooches' weight). Necklaces are lifted from 7 to 20: the sample's
 * shop sells pendants and chains separately, and matching sets need necklaces.
 */
export const GENERATOR_CATEGORY_WEIGHTS: Record<Category, number> = {
  rings: MEASURED_CATEGORY_COUNTS.rings,
  necklaces: 20,
  earrings: MEASURED_CATEGORY_COUNTS.earrings,
  bracelets: MEASURED_CATEGORY_COUNTS.bracelets,
  pendants: MEASURED_CATEGORY_COUNTS.pendants,
  brooches: MEASURED_CATEGORY_COUNTS.brooches,
  charms: 8,
};

/** The sample's metals mapped onto ours: red gold -> rose gold, white gold -> platinum (the white metal). */
export const MEASURED_METAL_MIX: Record<Metal, number> = normalise({
  silver: MEASURED_METAL_COLOUR_COUNTS.silver,
  gold: MEASURED_METAL_COLOUR_COUNTS.goldYellow,
  rose_gold: MEASURED_METAL_COLOUR_COUNTS.goldRed,
  platinum: MEASURED_METAL_COLOUR_COUNTS.goldWhite,
});

/** A DACH online jeweller's prior: mostly silver at the low end, yellow gold the classic. */
export const DACH_METAL_PRIOR: Record<Metal, number> = { silver: 0.55, gold: 0.25, rose_gold: 0.1, platinum: 0.1 };

/** Catalog metal mix = half the measurement, half the DACH prior (about silver .29, gold .16, rose .43, platinum .12). */
export const GENERATOR_METAL_MIX: Record<Metal, number> = blend(MEASURED_METAL_MIX, DACH_METAL_PRIOR, 0.5);

export const GEMS = [
  "none",
  "diamond",
  "zirconia",
  "topaz",
  "garnet",
  "pearl",
  "amethyst",
  "sapphire",
  "mix",
  "smoky_quartz",
  "quartz",
  "ruby",
  "agate",
] as const;
export type Gem = (typeof GEMS)[number];

/** Gem mix: the measured counts as they are. */
export const GENERATOR_GEM_WEIGHTS: Record<Gem, number> = { ...MEASURED_GEM_COUNTS };

/** Price multiplier per gem: the measured median relative to "none" (1 where n < 10). */
export function gemPriceFactor(gem: Gem): number {
  const m = (MEASURED_GEM_MEDIAN_USD as Record<string, number>)[gem];
  return m ? m / MEASURED_GEM_MEDIAN_USD.none : gem === "ruby" || gem === "sapphire" ? 1.3 : 1;
}

/** Category median in EUR (gold pieces); charms are priced like a small pendant. */
export function categoryMedianEur(category: Category): number {
  const usd = category === "charms" ? 0.6 * MEASURED_CATEGORY_MEDIAN_USD.pendants : MEASURED_CATEGORY_MEDIAN_USD[category];
  return usd * USD_TO_EUR;
}

/**
 * Metal price factor relative to the sample's (gold) prices. Not measurable from the sample
 * (its silver rows are 1-USD placeholders): silver at about a quarter of gold, platinum at 1.5x.
 */
export const METAL_PRICE_FACTOR: Record<Metal, number> = { silver: 0.24, gold: 1, rose_gold: 0.95, platinum: 1.5 };

/** The price spread around a category median: the measured quantile curve divided by its median. */
export function priceSpread(u: number): number {
  const q = MEASURED_PRICE_QUANTILES_USD;
  const median = 205.34;
  for (let i = 1; i < q.length; i++) {
    if (u <= q[i][0]) {
      const [u0, p0] = q[i - 1];
      const [u1, p1] = q[i];
      const t = (u - u0) / (u1 - u0);
      // interpolate in log space: prices are multiplicative
      return Math.exp(Math.log(p0) + t * (Math.log(p1) - Math.log(p0))) / median;
    }
  }
  return q[q.length - 1][1] / median;
}

/** Shop price limits (the issue: about 20 to 3000 EUR). */
export const PRICE_MIN_EUR = 19;
export const PRICE_MAX_EUR = 2990;

/** Share of products made for women (measured "f" share); 6% men's pieces taken from the rest. */
export const PRODUCT_GENDER_MIX = {
  female: MEASURED_PRODUCT_GENDER.female / (MEASURED_PRODUCT_GENDER.female + MEASURED_PRODUCT_GENDER.unspecified),
  male: 0.06,
} as const;

/** Hour-of-day weights in shop-local time: the measured UTC hours moved to Moscow time (+3). */
export const LOCAL_HOUR_WEIGHTS: number[] = Array.from({ length: 24 }, (_, h) => MEASURED_ORDER_HOURS_UTC[(h + 24 - 3) % 24] + 1);


// ---------------------------------------------------------------- DACH figures (not in the sample)

/** Customers: the figures for a DACH jewelry shop. */
export const COUNTRY_MIX = { DE: 0.75, AT: 0.15, CH: 0.1 } as const;
export const CUSTOMER_GENDER_MIX = { female: 0.74, male: 0.22, other: 0.01, unknown: 0.03 } as const;
export const AGE_GROUP_MIX = { "18-25": 0.18, "26-35": 0.32, "36-45": 0.26, "46+": 0.24 } as const;
export const MARKETING_CONSENT_SHARE = 0.6;

/** Metal colours for the images (the figures). */
export const METAL_HEX: Record<Metal, string> = { silver: "#C0C0C8", gold: "#D4AF37", rose_gold: "#B76E79", platinum: "#E5E4E2" };

/** Stone colours for the images; "mix" draws several stones of these. */
export const GEM_HEX: Record<Exclude<Gem, "none">, string> = {
  diamond: "#EAF6FF",
  zirconia: "#F4F4FA",
  topaz: "#3FA9F5",
  garnet: "#7B1E2B",
  pearl: "#F3ECDC",
  amethyst: "#9966CC",
  sapphire: "#0F52BA",
  mix: "#E0115F",
  smoky_quartz: "#6B5B4B",
  quartz: "#F7CAC9",
  ruby: "#E0115F",
  agate: "#A0522D",
};

function normalise<K extends string>(t: Record<K, number>): Record<K, number> {
  const total = Object.values<number>(t).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries<number>(t).map(([k, v]) => [k, v / total])) as Record<K, number>;
}

function blend<K extends string>(a: Record<K, number>, b: Record<K, number>, wa: number): Record<K, number> {
  return normalise(Object.fromEntries(Object.keys(a).map((k) => [k, wa * a[k as K] + (1 - wa) * b[k as K]])) as Record<K, number>);
}
