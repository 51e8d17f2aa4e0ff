/**
 * Explanations: Reason codes rendered to English and German, naming the signal ("looks like the ring
 * you viewed" / "sieht aus wie der Ring, den Sie angesehen haben"). The parameters a reason carries
 * (anchor category and title, segment parts) are enough: rendering needs no catalogue.
 *
 * German needs the noun's grammatical gender for articles and relative pronouns, so the jewelry
 * categories are listed; any other category falls back to "the item “<title>”" / "der Artikel „<title>“".
 */
import type { Reason } from "./types";

export type Locale = "de" | "en";

type Genus = "m" | "f" | "n" | "pl";
interface Noun {
  en: string;
  de: string;
  deDative?: string; // plural dative adds -n
  genus: Genus;
}

const NOUNS: Record<string, Noun> = {
  rings: { en: "ring", de: "Ring", genus: "m" },
  ring: { en: "ring", de: "Ring", genus: "m" },
  necklaces: { en: "necklace", de: "Kette", genus: "f" },
  necklace: { en: "necklace", de: "Kette", genus: "f" },
  chains: { en: "chain", de: "Kette", genus: "f" },
  earrings: { en: "earrings", de: "Ohrringe", deDative: "Ohrringen", genus: "pl" },
  bracelets: { en: "bracelet", de: "Armband", genus: "n" },
  bracelet: { en: "bracelet", de: "Armband", genus: "n" },
  pendants: { en: "pendant", de: "Anhänger", genus: "m" },
  pendant: { en: "pendant", de: "Anhänger", genus: "m" },
  charms: { en: "charm", de: "Charm", genus: "m" },
  brooches: { en: "brooch", de: "Brosche", genus: "f" },
  anklets: { en: "anklet", de: "Fußkettchen", genus: "n" },
  watches: { en: "watch", de: "Uhr", genus: "f" },
};

const ARTICLE = { nom: { m: "der", f: "die", n: "das", pl: "die" }, dat: { m: "dem", f: "der", n: "dem", pl: "den" } } as const;
const RELATIVE_ACC = { m: "den", f: "die", n: "das", pl: "die" } as const;

/** "the ring" / "der Ring" (nominative) / "dem Ring" (dative), or the title when the category is unknown. */
function nounPhrase(p: Record<string, string | number>, locale: Locale, kase: "nom" | "dat"): { text: string; genus: Genus } {
  const noun = NOUNS[String(p.anchorCategory ?? "").toLowerCase()];
  const title = String(p.anchorTitle ?? "");
  if (!noun) {
    return locale === "en" ? { text: `the item “${title}”`, genus: "m" } : { text: `${ARTICLE[kase].m} Artikel „${title}“`, genus: "m" };
  }
  if (locale === "en") return { text: `the ${noun.en}`, genus: noun.genus };
  const word = kase === "dat" && noun.deDative ? noun.deDative : noun.de;
  return { text: `${ARTICLE[kase][noun.genus]} ${word}`, genus: noun.genus };
}

/** How the anchor relates to the shopper, as a clause after the noun. */
function relationClause(relation: string, locale: Locale, genus: Genus): string {
  if (locale === "en") {
    return {
      current: " you are viewing",
      cart: " in your cart",
      viewed: " you viewed",
      carted: " you added to your cart",
      bought: " you bought",
      wishlisted: " on your wishlist",
    }[relation] ?? "";
  }
  const rel = RELATIVE_ACC[genus];
  return {
    current: `, ${rel} Sie gerade ansehen`,
    cart: " in Ihrem Warenkorb",
    viewed: `, ${rel} Sie angesehen haben`,
    carted: `, ${rel} Sie in den Warenkorb gelegt haben`,
    bought: `, ${rel} Sie gekauft haben`,
    wishlisted: " auf Ihrer Wunschliste",
  }[relation] ?? "";
}

function anchor(p: Record<string, string | number>, locale: Locale, kase: "nom" | "dat"): string {
  const np = nounPhrase(p, locale, kase);
  return np.text + relationClause(String(p.relation ?? ""), locale, np.genus);
}

const GENDER = {
  en: { female: "women", male: "men", other: "customers" } as Record<string, string>,
  de: { female: "Frauen", male: "Männern", other: "Kundinnen und Kunden" } as Record<string, string>,
};

const displayNames = new Map<Locale, Intl.DisplayNames>();
const countryPhrases = new Map<string, string>();

function countryName(code: string, locale: Locale): string {
  const key = `${locale}|${code}`;
  let phrase = countryPhrases.get(key);
  if (phrase === undefined) countryPhrases.set(key, (phrase = countryPhrase(code, locale)));
  return phrase;
}

function countryPhrase(code: string, locale: Locale): string {
  let name = code;
  try {
    let names = displayNames.get(locale);
    if (!names) displayNames.set(locale, (names = new Intl.DisplayNames([locale], { type: "region" })));
    name = names.of(code) ?? code;
  } catch {
    /* an unknown code is shown as it is */
  }
  if (locale === "de" && (code === "CH" || code === "NL" || code === "TR")) return `in der ${name}`;
  if (locale === "en" && (code === "NL" || code === "US" || code === "GB")) return `in the ${name}`;
  return `in ${name}`;
}

/** "women 26-35 in Austria" / "Frauen 26-35 in Österreich". */
export function segmentPhrase(p: Record<string, string | number>, locale: Locale): string {
  const parts: string[] = [];
  const g = String(p.gender ?? "");
  parts.push(GENDER[locale][g] ?? (locale === "en" ? "customers" : "Kundinnen und Kunden"));
  if (p.ageGroup) parts.push(String(p.ageGroup));
  if (p.country) parts.push(countryName(String(p.country), locale));
  return parts.join(" ");
}

const VIA = { en: { collection: "same collection", material: "same material" }, de: { collection: "gleiche Kollektion", material: "gleiches Material" } } as const;

/** One reason as a sentence fragment in the shopper's language. */
export function renderReason(r: Reason, locale: Locale): string {
  const p = r.params ?? {};
  const en = locale === "en";
  switch (r.code) {
    case "looks_like":
      return en ? `looks like ${anchor(p, locale, "nom")}` : `sieht aus wie ${anchor(p, locale, "nom")}`;
    case "bought_with":
      return en ? `often bought with ${anchor(p, locale, "nom")}` : `oft zusammen gekauft mit ${anchor(p, locale, "dat")}`;
    case "liked_with":
      if (en) return `liked by customers who like ${anchor(p, locale, "nom")}`;
      {
        // A relative clause inside ("der Ring, den Sie angesehen haben") is closed by a comma.
        const np = nounPhrase(p, locale, "nom");
        const a = np.text + relationClause(String(p.relation ?? ""), locale, np.genus);
        return `gefällt Kundinnen und Kunden, denen auch ${a}${a.includes(", ") ? "," : ""} ${np.genus === "pl" ? "gefallen" : "gefällt"}`;
      }
    case "similar_customers":
      return en ? "customers with similar taste like this" : "Kundinnen und Kunden mit ähnlichem Geschmack gefällt das";
    case "recently_seen":
      return (
        {
          en: { carted: "you added this to your cart recently", wishlisted: "on your wishlist", bought: "you bought this before" } as Record<string, string>,
          de: { carted: "kürzlich in Ihren Warenkorb gelegt", wishlisted: "auf Ihrer Wunschliste", bought: "haben Sie schon einmal gekauft" } as Record<string, string>,
        }[locale][String(p.relation)] ?? (en ? "you viewed this recently" : "kürzlich von Ihnen angesehen")
      );
    case "popular_in_segment":
      return en ? `popular with ${segmentPhrase(p, locale)}` : `beliebt bei ${segmentPhrase(p, locale)}`;
    case "trending_in_segment":
      return en ? `trending with ${segmentPhrase(p, locale)}` : `im Trend bei ${segmentPhrase(p, locale)}`;
    case "popular_recently":
      return en ? "a bestseller lately" : "zuletzt besonders gefragt";
    case "popular_in_shop":
      return en ? "popular in our shop" : "beliebt in unserem Shop";
    case "trending_in_shop":
      return en ? "trending in our shop" : "gerade gefragt in unserem Shop";
    case "new_arrival":
      return en ? "new in our shop" : "neu eingetroffen";
    case "completes_look": {
      const via = VIA[locale][String(p.via) as "collection" | "material"];
      const base = en ? `completes the look with ${anchor(p, locale, "nom")}` : `passt zu ${anchor(p, locale, "dat")}`;
      return via ? `${base} (${via})` : base;
    }
    case "discover":
      return en ? "something new to discover" : "etwas Neues zum Entdecken";
    case "merchant_pick":
      return en ? "our pick for you" : "unsere Empfehlung für Sie";
    default:
      return en ? "recommended for you" : "für Sie empfohlen";
  }
}

/** Distinct rendered reasons, strongest first (two sources saying the same thing show once). */
export function renderReasons(reasons: Reason[], locale: Locale, max = 3): string[] {
  const out: string[] = [];
  for (const r of reasons) {
    const text = renderReason(r, locale);
    if (!out.includes(text)) out.push(text);
    if (out.length >= max) break;
  }
  return out;
}
