/**
 * The demo shop's catalog: brands, collections that form matching sets across categories, and
 * products with German titles, prices calibrated on the real sample, stock states and launch days.
 *
 * A collection has one style, one stone (colour and cut) and one to three metals; its pieces in one
 * metal are a matching set ("Aurora" necklace, earrings and ring in rose gold with topaz). The set
 * is what the behaviour model's bought-together signal runs on, and it shows in the images (same
 * metal colour, same stone colour and cut).
 */
import {
  CATEGORIES,
  GENERATOR_CATEGORY_WEIGHTS,
  GENERATOR_GEM_WEIGHTS,
  GENERATOR_METAL_MIX,
  METAL_PRICE_FACTOR,
  PRICE_MAX_EUR,
  PRICE_MIN_EUR,
  PRODUCT_GENDER_MIX,
  categoryMedianEur,
  gemPriceFactor,
  priceSpread,
  type Category,
  type Gem,
  type Metal,
} from "./calibration";
import { Rng } from "./random";
import { DAYS_IN_WINDOW, type Calendar, type Season } from "./calendar";

export const STYLES = ["classic", "modern", "romantic", "minimal", "vintage", "statement"] as const;
export type Style = (typeof STYLES)[number];
export type ProductGender = "female" | "male" | "unisex";
export type StoneCut = "round" | "heart" | "drop" | "square" | "oval";
/** The import format's stock states (app/import/schemas.ts STOCK_STATUSES). */
export type StockStatus = "in_stock" | "preorder" | "out_of_stock";

/** How the image draws a piece within its category (hoop vs stud earrings, signet ring, ...). */
export type Variant = "plain" | "stud" | "hoop" | "drop" | "signet" | "chain" | "pearls" | "bangle" | "heart" | "cross" | "flower" | "bar";

export interface Collection {
  index: number;
  name: string;
  brand: string;
  style: Style;
  gender: ProductGender;
  gem: Gem;
  cut: StoneCut;
  metals: Metal[];
  priceLevel: number;
  season: Season | null;
  /** Launch day (index into the calendar window) of seasonal collections; null for the regular range. */
  launchDay: number | null;
}

export interface DemoProduct {
  index: number;
  id: string;
  title: string;
  description: string;
  category: Category;
  subcategory: string;
  variant: Variant;
  brand: string;
  collection: Collection;
  /** Dense id of (collection, metal): the matching set this piece belongs to. */
  setId: number;
  metal: Metal;
  gem: Gem;
  gender: ProductGender;
  ageGroup: "adult" | "teen";
  price: number;
  salePrice: number | null;
  weight: number;
  size: string;
  stock: StockStatus;
  /** Day index (0 = first day of the two-year window) the product was added. */
  createdDay: number;
  tags: string[];
  /** Long-tailed base attractiveness, before any taste. */
  popularity: number;
}

export interface Catalog {
  products: DemoProduct[];
  collections: Collection[];
  brands: string[];
  /** Product indexes per set id. */
  sets: number[][];
}

const BRANDS = [
  "Rhomberg", "Lindenhof", "Sternwald", "Aurelia", "Feingold", "Nordlicht", "Silberkind", "Perlenhaus",
  "Herzstück", "Edelweiß Atelier", "Kristallwerk", "Marlene Voss", "Goldmann & Söhne", "Vivienne Berg",
];

const COLLECTION_NAMES = [
  "Aurora", "Luna", "Stella", "Amalfi", "Edelweiß", "Morgentau", "Perlmutt", "Infinity", "Classic", "Linea",
  "Alpenrose", "Venezia", "Bella", "Solitaire", "Fiore", "Goldregen", "Lumière", "Tropfen", "Kristall",
  "Mondschein", "Sonnenglanz", "Riviera", "Cosmo", "Ondine", "Verona", "Glanzlicht", "Salzburg", "Bergkristall",
  "Sternstaub", "Bloom", "Eterna", "Milano", "Aria", "Nova", "Serenade", "Zeitlos", "Kleeblatt", "Libelle",
  "Ginkgo", "Bernstein", "Seerose", "Orbit", "Quadra", "Vintage Rose", "Belle Époque", "Dolce", "Onda", "Lago",
];

const SEASONAL_NAMES: Record<Season, string[]> = {
  christmas: ["Winterzauber", "Schneeflocke", "Sternennacht", "Eiskristall"],
  valentines: ["Herzklopfen", "Amore", "Liebesbrief", "Cupido"],
  mothers_day: ["Mama-Herz", "Familienglück", "Dankeschön", "Lebensbaum"],
};

/** Subcategories per category: German name, who it is for, and how the image draws it. */
const SUBCATEGORIES: Record<Category, Array<{ name: string; gender: ProductGender | "any"; variant: Variant }>> = {
  rings: [
    { name: "Solitärring", gender: "female", variant: "plain" },
    { name: "Verlobungsring", gender: "female", variant: "plain" },
    { name: "Memoirering", gender: "female", variant: "plain" },
    { name: "Stapelring", gender: "female", variant: "plain" },
    { name: "Statementring", gender: "female", variant: "plain" },
    { name: "Partnerring", gender: "any", variant: "plain" },
    { name: "Siegelring", gender: "male", variant: "signet" },
    { name: "Herrenring", gender: "male", variant: "signet" },
  ],
  necklaces: [
    { name: "Collier", gender: "female", variant: "plain" },
    { name: "Perlenkette", gender: "female", variant: "pearls" },
    { name: "Layering-Kette", gender: "female", variant: "plain" },
    { name: "Choker", gender: "female", variant: "plain" },
    { name: "Ankerkette", gender: "any", variant: "chain" },
    { name: "Panzerkette", gender: "male", variant: "chain" },
  ],
  earrings: [
    { name: "Ohrstecker", gender: "female", variant: "stud" },
    { name: "Creolen", gender: "female", variant: "hoop" },
    { name: "Ohrhänger", gender: "female", variant: "drop" },
    { name: "Perlenohrstecker", gender: "female", variant: "stud" },
    { name: "Ohrstecker", gender: "male", variant: "stud" },
  ],
  bracelets: [
    { name: "Armreif", gender: "female", variant: "bangle" },
    { name: "Tennisarmband", gender: "female", variant: "plain" },
    { name: "Gliederarmband", gender: "any", variant: "chain" },
    { name: "Bettelarmband", gender: "female", variant: "chain" },
    { name: "Panzerarmband", gender: "male", variant: "chain" },
  ],
  pendants: [
    { name: "Anhänger Herz", gender: "female", variant: "heart" },
    { name: "Tropfenanhänger", gender: "female", variant: "drop" },
    { name: "Medaillon", gender: "any", variant: "plain" },
    { name: "Kreuzanhänger", gender: "any", variant: "cross" },
    { name: "Plättchenanhänger", gender: "male", variant: "bar" },
  ],
  brooches: [
    { name: "Brosche", gender: "female", variant: "flower" },
    { name: "Anstecknadel", gender: "any", variant: "bar" },
  ],
  charms: [
    { name: "Charm Herz", gender: "female", variant: "heart" },
    { name: "Charm Kleeblatt", gender: "any", variant: "flower" },
    { name: "Charm Stern", gender: "any", variant: "plain" },
    { name: "Bead", gender: "female", variant: "plain" },
  ],
};

export const METAL_DE: Record<Metal, string> = { silver: "Silber", gold: "Gold", rose_gold: "Roségold", platinum: "Platin" };
const METAL_LONG_DE: Record<Metal, string> = {
  silver: "925er Sterlingsilber",
  gold: "585er Gelbgold",
  rose_gold: "585er Roségold",
  platinum: "950er Platin",
};
export const METAL_COLOUR: Record<Metal, string> = { silver: "weiss", gold: "gelb", rose_gold: "rose", platinum: "weiss" };
const GEM_DE: Record<Gem, string> = {
  none: "",
  diamond: "Diamant",
  zirconia: "Zirkonia",
  topaz: "Topas",
  garnet: "Granat",
  pearl: "Perle",
  amethyst: "Amethyst",
  sapphire: "Saphir",
  mix: "Farbsteine",
  smoky_quartz: "Rauchquarz",
  quartz: "Rosenquarz",
  ruby: "Rubin",
  agate: "Achat",
};
const STYLE_SENTENCE: Record<Style, string> = {
  classic: "Ein zeitloser Klassiker für jeden Tag.",
  modern: "Klare Linien, modern interpretiert.",
  romantic: "Verspielt und romantisch – ein Stück voller Gefühl.",
  minimal: "Reduziert auf das Wesentliche, perfekt zum Kombinieren.",
  vintage: "Inspiriert von historischen Schmuckstücken.",
  statement: "Ein ausdrucksstarkes Statement-Piece.",
};
const SEASON_SENTENCE: Record<Season, string> = {
  christmas: "Das perfekte Geschenk unter dem Weihnachtsbaum.",
  valentines: "Zum Valentinstag: ein Zeichen der Liebe.",
  mothers_day: "Ein liebevolles Dankeschön zum Muttertag.",
};

/** Weight in grams of a silver piece of medium size; other metals are denser. */
const BASE_WEIGHT: Record<Category, number> = { rings: 3, necklaces: 6, earrings: 2.5, bracelets: 8, pendants: 2, brooches: 7, charms: 2 };
const DENSITY: Record<Metal, number> = { silver: 1, gold: 1.3, rose_gold: 1.3, platinum: 2 };

/** Categories men's collections are made of. */
const MALE_CATEGORY_WEIGHTS: Partial<Record<Category, number>> = { rings: 5, necklaces: 3, bracelets: 3, pendants: 2, earrings: 0.5 };
/** Set sizes (pieces in one metal of one collection): 1 = a standalone piece. */
const SET_SIZE_WEIGHTS = [0, 30, 25, 25, 14, 6];

export function buildCatalog(productCount: number, seed: number, calendar: Calendar): Catalog {
  const rng = Rng.derive(seed, "catalog");
  const brandWeights = BRANDS.map((_, i) => 1 / Math.pow(i + 1, 0.9)); // Zipf-like: a few big house brands
  const products: DemoProduct[] = [];
  const collections: Collection[] = [];
  const sets: number[][] = [];
  const nameUse = new Map<string, number>();

  while (products.length < productCount) {
    const collection = newCollection(rng, collections.length, BRANDS[rng.weightedIndex(brandWeights)], nameUse, calendar);
    collections.push(collection);
    for (const metal of collection.metals) {
      if (products.length >= productCount) break;
      const setId = sets.length;
      const members: number[] = [];
      sets.push(members);
      const size = rng.weightedIndex(SET_SIZE_WEIGHTS);
      for (const category of distinctCategories(rng, collection.gender, size)) {
        if (products.length >= productCount) break;
        const p = newProduct(rng, products.length, collection, setId, metal, category);
        products.push(p);
        members.push(p.index);
      }
    }
  }
  return { products, collections, brands: BRANDS, sets };
}

function newCollection(rng: Rng, index: number, brand: string, nameUse: Map<string, number>, calendar: Calendar): Collection {
  const seasonRoll = rng.next();
  const season: Season | null = seasonRoll < 0.05 ? "christmas" : seasonRoll < 0.1 ? "valentines" : seasonRoll < 0.13 ? "mothers_day" : null;
  const base = season ? rng.pick(SEASONAL_NAMES[season]) : rng.pick(COLLECTION_NAMES);
  const used = nameUse.get(base) ?? 0;
  nameUse.set(base, used + 1);
  const name = used === 0 ? base : `${base} ${used + 1}`; // collection names are unique shop-wide
  const genderRoll = rng.next();
  const gender: ProductGender = season === "valentines" || season === "mothers_day" ? "female"
    : genderRoll < PRODUCT_GENDER_MIX.male ? "male"
    : genderRoll < PRODUCT_GENDER_MIX.male + PRODUCT_GENDER_MIX.female ? "female" : "unisex";
  const style: Style = season === "valentines" ? "romantic" : gender === "male" ? rng.pick(["classic", "modern", "minimal"] as const) : rng.pick(STYLES);
  const metalCount = rng.weightedIndex([0, 55, 35, 10]);
  const metals: Metal[] = [];
  while (metals.length < metalCount) {
    const m = rng.weighted(GENERATOR_METAL_MIX);
    if (!metals.includes(m)) metals.push(m);
  }
  let gem = rng.weighted(GENERATOR_GEM_WEIGHTS);
  if (gender === "male" && gem !== "none" && rng.chance(0.6)) gem = "none";
  // silver pieces rarely carry diamonds: a silver-only collection's diamond becomes zirconia
  if (gem === "diamond" && metals.every((m) => m === "silver")) gem = "zirconia";
  const cut: StoneCut = season === "valentines" || style === "romantic" ? (rng.chance(0.6) ? "heart" : "drop")
    : rng.pick(["round", "round", "drop", "square", "oval"] as const);
  const launchDay = season ? seasonLaunchDay(rng, season, calendar) : null;
  return { index, name, brand, style, gender, gem, cut, metals, priceLevel: Math.exp(0.3 * rng.normal()), season, launchDay };
}

/** Seasonal collections launch about six weeks before their season, in one of the window's years. */
function seasonLaunchDay(rng: Rng, season: Season, calendar: Calendar): number {
  const candidates = calendar.peaks[season].map((d) => d - rng.range(35, 55)).filter((d) => d >= 0 && d < DAYS_IN_WINDOW);
  return candidates.length ? rng.pick(candidates) : rng.int(DAYS_IN_WINDOW);
}

function distinctCategories(rng: Rng, gender: ProductGender, size: number): Category[] {
  const table = gender === "male" ? MALE_CATEGORY_WEIGHTS : GENERATOR_CATEGORY_WEIGHTS;
  const pool = CATEGORIES.filter((c) => (table[c] ?? 0) > 0);
  const chosen: Category[] = [];
  while (chosen.length < Math.min(size, pool.length)) {
    const left = pool.filter((c) => !chosen.includes(c));
    // weights sharpened (^1.25): drawing without replacement flattens the mix, this restores the measured one
    chosen.push(left[rng.weightedIndex(left.map((c) => Math.pow(table[c] ?? 0, 1.25)))]);
  }
  return chosen;
}

function newProduct(rng: Rng, index: number, c: Collection, setId: number, metal: Metal, category: Category): DemoProduct {
  const fitting = SUBCATEGORIES[category].filter(
    (s) =>
      (s.gender === "any" || s.gender === c.gender || (c.gender === "unisex" && s.gender !== "male")) &&
      // pearl pieces only in pearl collections, so that the measured gem mix holds
      (c.gem === "pearl" || !(s.variant === "pearls" || s.name.startsWith("Perlen"))),
  );
  const sub = rng.pick(fitting.length ? fitting : SUBCATEGORIES[category]);
  const gem: Gem = sub.variant === "pearls" || sub.name.startsWith("Perlen") ? "pearl" : sub.variant === "chain" && rng.chance(0.7) ? "none" : c.gem;
  const price = shopPrice(
    categoryMedianEur(category) * METAL_PRICE_FACTOR[metal] * gemPriceFactor(gem) * c.priceLevel * priceSpread(rng.uniform(0.03, 0.985)),
  );
  const onSale = rng.chance(0.12);
  const salePrice = onSale ? shopPrice(price * (1 - rng.pick([0.1, 0.15, 0.2, 0.25, 0.3]))) : null;
  const createdDay = c.launchDay ?? productLaunchDay(rng);
  const id = String(100001 + index);
  const stockRoll = rng.next();
  const tags: string[] = [c.style];
  if (c.season) tags.push(c.season);
  if (createdDay >= DAYS_IN_WINDOW - 30) tags.push("new");
  if (salePrice !== null) tags.push("sale");
  const metalDe = METAL_DE[metal];
  const gemDe = GEM_DE[gem];
  return {
    index,
    id,
    title: [c.brand, c.name, sub.name, metalDe, gemDe].filter(Boolean).join(" "),
    description: [
      `${sub.name} aus ${METAL_LONG_DE[metal]}${gem === "none" ? "" : ` mit ${gemDe}`} aus der Kollektion ${c.name} von ${c.brand}.`,
      STYLE_SENTENCE[c.style],
      c.season ? SEASON_SENTENCE[c.season] : "",
    ].filter(Boolean).join(" "),
    category,
    subcategory: sub.name,
    variant: sub.variant,
    brand: c.brand,
    collection: c,
    setId,
    metal,
    gem,
    // the collection decides (keeps the measured female / unspecified split); "any" pieces of men's lines are unisex
    gender: c.gender === "unisex" ? "unisex" : sub.gender === "any" ? (c.gender === "male" ? "unisex" : c.gender) : sub.gender,
    ageGroup: (category === "charms" || category === "earrings") && metal === "silver" && price < 40 && rng.chance(0.5) ? "teen" : "adult",
    price,
    salePrice: salePrice !== null && salePrice < price ? salePrice : null,
    weight: Math.round(BASE_WEIGHT[category] * DENSITY[metal] * rng.uniform(0.6, 1.5) * 10) / 10,
    size: productSize(rng, category, sub.name),
    stock: stockRoll < 0.86 ? "in_stock" : stockRoll < 0.91 ? "preorder" : "out_of_stock",
    createdDay,
    tags,
    popularity: Math.exp(1.1 * rng.normal()),
  };
}

/** 30% launched with the shop (the window's first month), 8% new arrivals (last 30 days), the rest in between. */
function productLaunchDay(rng: Rng): number {
  const r = rng.next();
  if (r < 0.3) return rng.int(30);
  if (r < 0.38) return DAYS_IN_WINDOW - 30 + rng.int(30);
  return 30 + rng.int(DAYS_IN_WINDOW - 60);
}

/** German price points: 34.90 under 100 EUR, 149.00 up to 1000, 1249.00 above; clamped to the shop's range. */
export function shopPrice(raw: number): number {
  const p = Math.min(PRICE_MAX_EUR, Math.max(PRICE_MIN_EUR, raw));
  if (p < 100) return Math.max(PRICE_MIN_EUR, Math.round(p)) - 0.1;
  if (p < 1000) return Math.round(p / 10) * 10 - 1;
  return Math.round(p / 50) * 50 - 1;
}

function productSize(rng: Rng, category: Category, sub: string): string {
  switch (category) {
    case "rings":
      return String(rng.pick(sub === "Siegelring" || sub === "Herrenring" ? [60, 62, 64, 66, 68] : [50, 52, 54, 56, 58, 60]));
    case "necklaces":
      return `${rng.pick([40, 42, 45, 50, 55])}cm`;
    case "bracelets":
      return `${rng.pick([16, 17, 18, 19, 21])}cm`;
    case "earrings":
      return `${rng.pick([4, 6, 8, 12, 20, 30])}mm`;
    case "brooches":
      return `${rng.range(25, 45)}mm`;
    default:
      return `${rng.range(8, 25)}mm`;
  }
}

