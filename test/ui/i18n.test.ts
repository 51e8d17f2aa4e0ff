/** The admin's message catalogue and Intl formatting (issue 18 point 2). */
import { describe, expect, it } from "vitest";
import { formatter } from "../../app/i18n/format";
import { requestLocale, toAdminLocale } from "../../app/i18n/locale";
import { de, en, translate } from "../../app/i18n/messages";

describe("admin i18n", () => {
  it("de has every key of en, with the same placeholders, and no key left in English", () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const same: string[] = [];
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      expect(holes(de[k]), k).toEqual(holes(en[k]));
      if (de[k] === en[k] && en[k].length > 3 && !/^(Status|Facet)/.test(en[k])) same.push(k);
    }
    expect(same).toEqual([]);
    expect(translate("de", "dash.subtitle", { shop: "a.myshopify.com" })).toBe("Empfehlungen für a.myshopify.com");
  });

  it("takes the locale from Shopify's locale parameter, then the cookie, then Accept-Language", () => {
    expect(requestLocale(new Request("https://x/app?locale=de-DE&shop=a")).locale).toBe("de");
    expect(requestLocale(new Request("https://x/app", { headers: { Cookie: "a=1; facet_locale=de" } })).locale).toBe("de");
    expect(requestLocale(new Request("https://x/app", { headers: { "Accept-Language": "fr-CH, de;q=0.8" } })).locale).toBe("de");
    expect(requestLocale(new Request("https://x/app?locale=ja")).locale).toBe("en");
    expect(toAdminLocale("EN_us")).toBe("en");
  });

  it("formats numbers, money and times for the locale (today/yesterday measured from the passed-in now)", () => {
    const now = Date.parse("2026-12-03T07:30:00Z");
    const d = formatter("de", now);
    const e = formatter("en", now);
    expect(d.number(153537)).toBe("153.537");
    expect(e.number(153537)).toBe("153,537");
    expect(d.money(309, "EUR")).toBe("309,00\u00a0€");
    expect(e.money(309, "EUR")).toBe("€309.00");
    expect(d.money(50.9, "CHF")).toMatch(/^CHF\s50\.90$|^50,90\sCHF$/);
    expect(e.when("2026-12-03T05:41:00Z")).toBe("today at 05:41");
    expect(d.when("2026-12-03T05:41:00Z")).toBe("heute um 05:41");
    expect(d.when("2026-12-02T17:02:00Z")).toBe("gestern um 17:02");
    expect(e.when("2026-11-20T09:00:00Z")).toBe("20 Nov 2026 at 09:00");
    expect(d.percent(0.123)).toBe("12,3\u00a0%");
  });
});
