/**
 * Reasons in the shopper's language (issue 18 point 3): French and Italian from the same codes the
 * engine renders in English and German; the shopper's language from the theme's locale tag.
 */
import { describe, expect, it } from "vitest";
import { reasonText, reasonTexts, shopperLanguage } from "../../app/serving/reasonText";
import type { Reason } from "../../app/recommend/types";

const r = (code: string, params: Record<string, string | number> = {}): Reason => ({ code, source: "visual", params }) as Reason;

describe("reasons in fr and it", () => {
  it("names the anchor with its article and agreement", () => {
    expect(reasonText(r("looks_like", { anchorCategory: "rings", relation: "viewed" }), "fr")).toBe("ressemble à la bague que vous avez consultée");
    expect(reasonText(r("looks_like", { anchorCategory: "necklaces", relation: "current" }), "fr")).toBe("ressemble au collier que vous regardez");
    expect(reasonText(r("bought_with", { anchorCategory: "earrings", relation: "bought" }), "fr")).toBe("souvent acheté avec les boucles d'oreilles que vous avez achetées");
    expect(reasonText(r("looks_like", { anchorCategory: "rings", relation: "viewed" }), "it")).toBe("somiglia all'anello che hai visto");
    expect(reasonText(r("completes_look", { anchorCategory: "necklaces", relation: "cart", via: "material" }), "it")).toBe("completa il look con la collana nel tuo carrello (stesso materiale)");
    expect(reasonText(r("looks_like", { anchorCategory: "hats", anchorTitle: "Sun" }), "fr")).toBe("ressemble à l'article « Sun »");
  });

  it("segments, shop-wide reasons and the fallback", () => {
    expect(reasonText(r("popular_in_segment", { gender: "female", ageGroup: "26-35", country: "CH" }), "fr")).toBe("populaire auprès des femmes 26-35 en Suisse");
    expect(reasonText(r("popular_in_segment", { gender: "male", country: "NL" }), "it")).toBe("popolare tra uomini nei Paesi Bassi");
    expect(reasonText(r("new_arrival"), "it")).toBe("nuovo nel nostro negozio");
    expect(reasonText(r("no_such_code"), "fr")).toBe("recommandé pour vous");
    // English and German are the engine's own.
    expect(reasonText(r("new_arrival"), "de")).toBe("neu eingetroffen");
    expect(reasonTexts([r("new_arrival"), r("new_arrival"), r("discover")], "fr")).toEqual(["nouveau dans notre boutique", "une nouveauté à découvrir"]);
  });

  it("the shopper's language from the theme's locale (fr-CH -> fr); others are not spoken", () => {
    expect(shopperLanguage("fr-CH")).toBe("fr");
    expect(shopperLanguage("it")).toBe("it");
    expect(shopperLanguage("DE_ch")).toBe("de");
    expect(shopperLanguage("es")).toBeNull();
    expect(shopperLanguage(null)).toBeNull();
  });
});
