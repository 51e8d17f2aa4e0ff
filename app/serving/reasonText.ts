/**
 * Reasons in the shopper's language for every storefront language Facet speaks: English and German
 * from the engine's own renderer (app/recommend/explain.ts), French and Italian (Switzerland's other
 * languages) here, from the same reason codes and parameters (anchor category, title and relation;
 * segment parts). Pure: no catalogue, no I/O.
 */
import { renderReason } from "../recommend/explain";
import type { Reason } from "../recommend/types";

export const SHOPPER_LANGUAGES = ["en", "de", "fr", "it"] as const;
export type ShopperLanguage = (typeof SHOPPER_LANGUAGES)[number];

/** "fr-CH" -> "fr"; a language Facet does not speak -> null. */
export function shopperLanguage(tag: string | null | undefined): ShopperLanguage | null {
  const base = (tag ?? "").trim().toLowerCase().split(/[-_]/)[0];
  return (SHOPPER_LANGUAGES as readonly string[]).includes(base) ? (base as ShopperLanguage) : null;
}

/** The article forms of a noun: plain ("la bague"), with "à"/"a" ("à la bague", "alla collana"). */
interface Forms {
  the: string;
  to: string;
  plural: boolean;
  feminine: boolean;
}

function fr(word: string, genus: "m" | "f", plural = false): Forms {
  if (plural) return { the: `les ${word}`, to: `aux ${word}`, plural, feminine: genus === "f" };
  return genus === "f" ? { the: `la ${word}`, to: `à la ${word}`, plural, feminine: true } : { the: `le ${word}`, to: `au ${word}`, plural, feminine: false };
}

function it(word: string, genus: "m" | "f", plural = false): Forms {
  const vowel = /^[aeiou]/i.test(word);
  if (plural) return genus === "f" ? { the: `le ${word}`, to: `alle ${word}`, plural, feminine: true } : { the: `gli ${word}`, to: `agli ${word}`, plural, feminine: false };
  if (vowel) return { the: `l'${word}`, to: `all'${word}`, plural, feminine: genus === "f" };
  return genus === "f" ? { the: `la ${word}`, to: `alla ${word}`, plural, feminine: true } : { the: `il ${word}`, to: `al ${word}`, plural, feminine: false };
}

const NOUNS: Record<string, { fr: Forms; it: Forms }> = {
  rings: { fr: fr("bague", "f"), it: it("anello", "m") },
  necklaces: { fr: fr("collier", "m"), it: it("collana", "f") },
  chains: { fr: fr("chaîne", "f"), it: it("catenina", "f") },
  earrings: { fr: fr("boucles d'oreilles", "f", true), it: it("orecchini", "m", true) },
  bracelets: { fr: fr("bracelet", "m"), it: it("bracciale", "m") },
  pendants: { fr: fr("pendentif", "m"), it: it("ciondolo", "m") },
  charms: { fr: fr("charm", "m"), it: it("charm", "m") },
  brooches: { fr: fr("broche", "f"), it: it("spilla", "f") },
  anklets: { fr: fr("chaîne de cheville", "f"), it: it("cavigliera", "f") },
  watches: { fr: fr("montre", "f"), it: it("orologio", "m") },
};
for (const [plural, singular] of [["rings", "ring"], ["necklaces", "necklace"], ["bracelets", "bracelet"], ["pendants", "pendant"]] as const) NOUNS[singular] = NOUNS[plural];

type Romance = "fr" | "it";

/** French past participles agree with the noun they refer back to ("que vous avez vue"). */
function agree(participle: string, f: Forms): string {
  return participle + (f.feminine ? "e" : "") + (f.plural ? "s" : "");
}

function relation(rel: string, lang: Romance, f: Forms): string {
  if (lang === "fr") {
    return {
      current: " que vous regardez",
      cart: " dans votre panier",
      viewed: ` que vous avez ${agree("consulté", f)}`,
      carted: ` que vous avez ${agree("ajouté", f)} au panier`,
      bought: ` que vous avez ${agree("acheté", f)}`,
      wishlisted: " de votre liste d'envies",
    }[rel] ?? "";
  }
  return {
    current: " che stai guardando",
    cart: " nel tuo carrello",
    viewed: " che hai visto",
    carted: " che hai aggiunto al carrello",
    bought: " che hai acquistato",
    wishlisted: " nella tua lista dei desideri",
  }[rel] ?? "";
}

function anchor(p: Record<string, string | number>, lang: Romance, form: "the" | "to"): string {
  const noun = NOUNS[String(p.anchorCategory ?? "").toLowerCase()];
  const title = String(p.anchorTitle ?? "");
  const forms = noun ? noun[lang] : lang === "fr" ? { the: `l'article « ${title} »`, to: `à l'article « ${title} »`, plural: false, feminine: false } : { the: `l'articolo «${title}»`, to: `all'articolo «${title}»`, plural: false, feminine: false };
  return forms[form] + relation(String(p.relation ?? ""), lang, forms);
}

const GENDER = {
  fr: { female: "femmes", male: "hommes", other: "clients" } as Record<string, string>,
  it: { female: "donne", male: "uomini", other: "clienti" } as Record<string, string>,
};
/** Countries whose French name takes "au"/"aux", and Italian names that take an article. */
const FR_AU: Record<string, string> = { PT: "au", CA: "au", JP: "au", DK: "au", LU: "au", GB: "au", BR: "au", MX: "au", NL: "aux", US: "aux" };
const IT_IN: Record<string, string> = { US: "negli", NL: "nei", GB: "nel", CA: "in" };

function country(code: string, lang: Romance): string {
  let name = code;
  try {
    name = new Intl.DisplayNames([lang], { type: "region" }).of(code) ?? code;
  } catch {
    /* an unknown code is shown as it is */
  }
  if (lang === "fr") return `${FR_AU[code] ?? "en"} ${name}`;
  return `${IT_IN[code] ?? "in"} ${name}`;
}

function segment(p: Record<string, string | number>, lang: Romance): string {
  const parts = [GENDER[lang][String(p.gender ?? "")] ?? GENDER[lang].other];
  if (p.ageGroup) parts.push(String(p.ageGroup));
  if (p.country) parts.push(country(String(p.country), lang));
  return parts.join(" ");
}

const TEXT: Record<Romance, Record<string, string>> = {
  fr: {
    similar_customers: "apprécié par des clients aux goûts similaires",
    popular_recently: "très demandé ces derniers temps",
    popular_in_shop: "populaire dans notre boutique",
    trending_in_shop: "tendance dans notre boutique",
    new_arrival: "nouveau dans notre boutique",
    discover: "une nouveauté à découvrir",
    merchant_pick: "notre sélection pour vous",
    default: "recommandé pour vous",
    "seen.carted": "récemment ajouté à votre panier",
    "seen.wishlisted": "sur votre liste d'envies",
    "seen.bought": "vous l'avez déjà acheté",
    "seen.viewed": "récemment consulté",
    "via.collection": "même collection",
    "via.material": "même matière",
  },
  it: {
    similar_customers: "piace a clienti con gusti simili",
    popular_recently: "molto richiesto ultimamente",
    popular_in_shop: "popolare nel nostro negozio",
    trending_in_shop: "di tendenza nel nostro negozio",
    new_arrival: "nuovo nel nostro negozio",
    discover: "qualcosa di nuovo da scoprire",
    merchant_pick: "la nostra scelta per te",
    default: "consigliato per te",
    "seen.carted": "aggiunto di recente al carrello",
    "seen.wishlisted": "nella tua lista dei desideri",
    "seen.bought": "l'hai già acquistato",
    "seen.viewed": "visto di recente",
    "via.collection": "stessa collezione",
    "via.material": "stesso materiale",
  },
};

function romance(r: Reason, lang: Romance): string {
  const p = r.params ?? {};
  const t = TEXT[lang];
  const isFr = lang === "fr";
  switch (r.code) {
    case "looks_like":
      return isFr ? `ressemble ${anchor(p, lang, "to")}` : `somiglia ${anchor(p, lang, "to")}`;
    case "bought_with":
      return isFr ? `souvent acheté avec ${anchor(p, lang, "the")}` : `spesso acquistato con ${anchor(p, lang, "the")}`;
    case "liked_with":
      return isFr ? `apprécié par les clients qui aiment ${anchor(p, lang, "the")}` : `piace a chi ama ${anchor(p, lang, "the")}`;
    case "recently_seen":
      return t[`seen.${String(p.relation)}`] ?? t["seen.viewed"];
    case "popular_in_segment":
      return isFr ? `populaire auprès des ${segment(p, lang)}` : `popolare tra ${segment(p, lang)}`;
    case "trending_in_segment":
      return isFr ? `tendance auprès des ${segment(p, lang)}` : `di tendenza tra ${segment(p, lang)}`;
    case "completes_look": {
      const via = t[`via.${String(p.via)}`];
      const base = isFr ? `complète le look avec ${anchor(p, lang, "the")}` : `completa il look con ${anchor(p, lang, "the")}`;
      return via ? `${base} (${via})` : base;
    }
    default:
      return t[r.code] ?? t.default;
  }
}

/** One reason as a sentence fragment in the shopper's language. */
export function reasonText(r: Reason, lang: ShopperLanguage): string {
  return lang === "fr" || lang === "it" ? romance(r, lang) : renderReason(r, lang);
}

/** Distinct reasons, strongest first (two sources saying the same thing show once). */
export function reasonTexts(reasons: Reason[], lang: ShopperLanguage, max = 3): string[] {
  const out: string[] = [];
  for (const r of reasons) {
    const text = reasonText(r, lang);
    if (!out.includes(text)) out.push(text);
    if (out.length >= max) break;
  }
  return out;
}
