/**
 * The demo shop's customers: DACH demographics and a latent taste each (preferred metal,
 * categories, style, price band around their income) that is correlated with the demographics,
 * so that demographic filtering has something real to find and personal models have more.
 *
 * The taste is hidden: only a "style quiz" answered by about 40% of customers exposes a noisy
 * copy of it in preferred_categories / preferred_materials / preferred_price_range.
 */
import { createHash } from "node:crypto";
import {
  AGE_GROUP_MIX,
  CATEGORIES,
  COUNTRY_MIX,
  CUSTOMER_GENDER_MIX,
  MARKETING_CONSENT_SHARE,
  METALS,
  type Category,
  type Metal,
} from "./calibration";
import type { Style } from "./catalog";
import { DAYS_IN_WINDOW } from "./calendar";
import { Rng } from "./random";

export type CustomerGender = keyof typeof CUSTOMER_GENDER_MIX;
export type AgeGroup = keyof typeof AGE_GROUP_MIX;
export type Country = keyof typeof COUNTRY_MIX;
export type IncomeBracket = "low" | "medium" | "high" | "luxury";
export type PriceBand = "budget" | "mid" | "premium" | "luxury";
export type Device = "mobile" | "desktop" | "tablet";

export interface Taste {
  /** Relative preference per metal, in METALS order (sums to 1). */
  metal: Float64Array;
  favouriteMetal: Metal;
  /** Relative preference per category, in CATEGORIES order (sums to 1). */
  category: Float64Array;
  style: Style;
  /** Centre of the prices this person is comfortable with (EUR) and the tolerance (log scale). */
  priceCentre: number;
  priceSigma: number;
  priceBand: PriceBand;
}

export interface DemoCustomer {
  index: number;
  id: string;
  email: string;
  /**
   * Day index of registration; negative = registered before the two-year window. Customers who
   * browse get it moved to shortly before their first session (behaviour.ts).
   */
  registrationDay: number;
  gender: CustomerGender;
  age: number;
  ageGroup: AgeGroup;
  country: Country;
  state: string;
  city: string;
  postalCode: string;
  language: string;
  income: IncomeBracket;
  consent: boolean;
  taste: Taste;
  /** Share of this person's shopping missions that are gifts for someone else. */
  giftPropensity: number;
  /** Relative amount of browsing (heavy-tailed: a few customers browse a lot). */
  activity: number;
  device: Device;
  answeredQuiz: boolean;
}

type City = readonly [name: string, state: string, postalFrom: number, postalTo: number, weight: number, lang?: string];

const CITIES: Record<Country, City[]> = {
  DE: [
    ["Berlin", "Berlin", 10115, 14199, 37],
    ["Hamburg", "Hamburg", 20095, 22769, 18],
    ["München", "Bayern", 80331, 81929, 15],
    ["Köln", "Nordrhein-Westfalen", 50667, 51149, 11],
    ["Frankfurt am Main", "Hessen", 60311, 60599, 8],
    ["Stuttgart", "Baden-Württemberg", 70173, 70619, 6],
    ["Düsseldorf", "Nordrhein-Westfalen", 40210, 40629, 6],
    ["Leipzig", "Sachsen", 4103, 4357, 6],
    ["Dortmund", "Nordrhein-Westfalen", 44135, 44388, 6],
    ["Essen", "Nordrhein-Westfalen", 45127, 45359, 6],
    ["Bremen", "Bremen", 28195, 28779, 6],
    ["Dresden", "Sachsen", 1067, 1328, 6],
    ["Hannover", "Niedersachsen", 30159, 30669, 5],
    ["Nürnberg", "Bayern", 90402, 90491, 5],
    ["Freiburg im Breisgau", "Baden-Württemberg", 79098, 79117, 2],
    ["Münster", "Nordrhein-Westfalen", 48143, 48167, 3],
    ["Augsburg", "Bayern", 86150, 86199, 3],
    ["Mainz", "Rheinland-Pfalz", 55116, 55131, 2],
    ["Kiel", "Schleswig-Holstein", 24103, 24159, 2],
    ["Rostock", "Mecklenburg-Vorpommern", 18055, 18147, 2],
    ["Erfurt", "Thüringen", 99084, 99099, 2],
    ["Saarbrücken", "Saarland", 66111, 66133, 2],
    ["Magdeburg", "Sachsen-Anhalt", 39104, 39130, 2],
    ["Potsdam", "Brandenburg", 14467, 14482, 2],
  ],
  AT: [
    ["Wien", "Wien", 1010, 1230, 19],
    ["Graz", "Steiermark", 8010, 8055, 3],
    ["Linz", "Oberösterreich", 4020, 4040, 2],
    ["Salzburg", "Salzburg", 5020, 5026, 1.5],
    ["Innsbruck", "Tirol", 6020, 6080, 1.3],
    ["Klagenfurt", "Kärnten", 9020, 9073, 1],
    ["St. Pölten", "Niederösterreich", 3100, 3109, 0.6],
    ["Dornbirn", "Vorarlberg", 6850, 6850, 0.5],
  ],
  CH: [
    ["Zürich", "Zürich", 8001, 8099, 4.2],
    ["Genf", "Genf", 1201, 1209, 2, "fr"],
    ["Basel", "Basel-Stadt", 4001, 4059, 1.8],
    ["Bern", "Bern", 3001, 3030, 1.4],
    ["Lausanne", "Waadt", 1003, 1018, 1.4, "fr"],
    ["Winterthur", "Zürich", 8400, 8411, 1.1],
    ["Luzern", "Luzern", 6003, 6015, 0.8],
    ["St. Gallen", "St. Gallen", 9000, 9016, 0.8],
    ["Lugano", "Tessin", 6900, 6908, 0.6, "it"],
  ],
};

const AGE_RANGE: Record<AgeGroup, [number, number]> = { "18-25": [18, 25], "26-35": [26, 35], "36-45": [36, 45], "46+": [46, 74] };

/** Metal preference by age group (women); young buyers lean to silver and rose gold, older to gold and platinum. */
const METAL_BY_AGE: Record<AgeGroup, Record<Metal, number>> = {
  "18-25": { silver: 0.5, gold: 0.12, rose_gold: 0.3, platinum: 0.08 },
  "26-35": { silver: 0.36, gold: 0.18, rose_gold: 0.36, platinum: 0.1 },
  "36-45": { silver: 0.24, gold: 0.3, rose_gold: 0.31, platinum: 0.15 },
  "46+": { silver: 0.16, gold: 0.42, rose_gold: 0.2, platinum: 0.22 },
};
const METAL_MEN: Record<Metal, number> = { silver: 0.5, gold: 0.2, rose_gold: 0.05, platinum: 0.25 };

/** Category preference for one's own jewelry, in CATEGORIES order (rings, necklaces, earrings, bracelets, pendants, brooches, charms). */
const CATEGORY_WOMEN = [2.5, 1.6, 3, 1.4, 2, 0.15, 0.5];
const CATEGORY_MEN = [3, 2, 0.3, 2.5, 1, 0.02, 0.05];

const STYLE_BY_AGE: Record<AgeGroup, Partial<Record<Style, number>>> = {
  "18-25": { modern: 3, minimal: 3, statement: 2, romantic: 2, classic: 0.5, vintage: 0.7 },
  "26-35": { modern: 3, minimal: 2.5, romantic: 2, classic: 1.5, statement: 1, vintage: 1 },
  "36-45": { classic: 3, modern: 2, romantic: 1.5, minimal: 1.5, vintage: 1, statement: 1 },
  "46+": { classic: 4, vintage: 2.5, romantic: 1.5, modern: 1, minimal: 0.7, statement: 0.7 },
};
const STYLE_MEN: Partial<Record<Style, number>> = { classic: 3, modern: 3, minimal: 3 };

const PRICE_CENTRE: Record<IncomeBracket, number> = { low: 45, medium: 110, high: 260, luxury: 700 };

export function buildCustomers(count: number, seed: number): DemoCustomer[] {
  const out: DemoCustomer[] = [];
  for (let i = 0; i < count; i++) out.push(newCustomer(Rng.derive(seed, "customer", i), i, seed));
  return out;
}

function newCustomer(rng: Rng, index: number, seed: number): DemoCustomer {
  const gender = rng.weighted(CUSTOMER_GENDER_MIX);
  const ageGroup = rng.weighted(AGE_GROUP_MIX);
  const [lo, hi] = AGE_RANGE[ageGroup];
  const age = ageGroup === "46+" ? Math.min(hi, lo + Math.floor(Math.abs(rng.normal()) * 10)) : rng.range(lo, hi);
  const country = rng.weighted(COUNTRY_MIX);
  const cities = CITIES[country];
  const city = cities[rng.weightedIndex(cities.map((c) => c[4]))];
  const postal = rng.range(city[2], city[3]);
  const language = city[5] ? (rng.chance(0.8) ? city[5] : rng.pick(["de", "en"])) : rng.chance(0.93) ? "de" : "en";
  const incomeScore = rng.normal() + { "18-25": -0.8, "26-35": 0, "36-45": 0.4, "46+": 0.5 }[ageGroup] + { DE: 0, AT: 0.1, CH: 0.6 }[country];
  const income: IncomeBracket = incomeScore < -0.7 ? "low" : incomeScore < 0.6 ? "medium" : incomeScore < 1.6 ? "high" : "luxury";
  const male = gender === "male";
  const taste = newTaste(rng, male, ageGroup, income);
  // registration: 15% before the window; the behaviour moves the others to just before their first session
  const registrationDay = rng.chance(0.15) ? -rng.range(1, 365) : rng.int(DAYS_IN_WINDOW);
  const activityRoll = rng.next();
  return {
    index,
    id: `C${String(index + 1).padStart(6, "0")}`,
    email: createHash("sha256").update(`customer-${index + 1}-${seed}@demo.facet.example`).digest("hex"),
    registrationDay,
    gender,
    age,
    ageGroup,
    country,
    state: city[1],
    city: city[0],
    postalCode: country === "DE" ? String(postal).padStart(5, "0") : String(postal),
    language,
    income,
    consent: rng.chance(MARKETING_CONSENT_SHARE),
    taste,
    giftPropensity: male ? 0.75 : gender === "female" ? 0.2 : 0.35,
    activity: Math.min(40, Math.pow(1 - activityRoll, -1 / 1.7)), // Pareto(1.7): long-tailed activity
    device: rng.weighted(ageGroup === "46+" ? { mobile: 0.4, desktop: 0.45, tablet: 0.15 } : ageGroup === "18-25" ? { mobile: 0.8, desktop: 0.15, tablet: 0.05 } : { mobile: 0.62, desktop: 0.3, tablet: 0.08 }),
    answeredQuiz: rng.chance(0.4),
  };
}

export function newTaste(rng: Rng, male: boolean, ageGroup: AgeGroup, income: IncomeBracket): Taste {
  const metalPrior = male ? METAL_MEN : METAL_BY_AGE[ageGroup];
  const favouriteMetal = rng.weighted(metalPrior);
  const metal = new Float64Array(METALS.length);
  METALS.forEach((m, i) => (metal[i] = (m === favouriteMetal ? 0.65 : 0) + 0.35 * metalPrior[m]));
  const base = male ? CATEGORY_MEN : CATEGORY_WOMEN;
  const category = new Float64Array(CATEGORIES.length);
  const ageBoost = (c: Category) => (c === "charms" && ageGroup === "18-25" ? 3 : c === "brooches" && ageGroup === "46+" ? 5 : 1);
  let total = 0;
  CATEGORIES.forEach((c, i) => {
    category[i] = base[i] * ageBoost(c) * Math.exp(0.7 * rng.normal()); // each person's own mix
    total += category[i];
  });
  for (let i = 0; i < category.length; i++) category[i] /= total;
  const style = rng.weighted((male ? STYLE_MEN : STYLE_BY_AGE[ageGroup]) as Record<Style, number>);
  const priceCentre = PRICE_CENTRE[income] * Math.exp(0.35 * rng.normal());
  const priceBand: PriceBand = priceCentre < 60 ? "budget" : priceCentre < 160 ? "mid" : priceCentre < 450 ? "premium" : "luxury";
  return { metal, favouriteMetal, category, style, priceCentre, priceSigma: 0.55 + 0.2 * rng.next(), priceBand };
}

/** The two categories a person likes most (what a style quiz would report). */
export function topCategories(taste: Taste, n = 2): Category[] {
  return CATEGORIES.map((c, i) => [c, taste.category[i]] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([c]) => c);
}

