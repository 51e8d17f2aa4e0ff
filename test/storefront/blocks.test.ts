/**
 * The theme app extension's blocks rendered by LiquidJS (the demo storefront's renderer) and the
 * proxy's HTML cards: what a theme would put on the page before facet.js runs, and what it inserts.
 */
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { escapeHtml, renderCards } from "../../app/storefront/fragment.server";
import { extensionDir, parseBlock, themeRenderer } from "../../app/storefront/liquid.server";
import { cacheHeaders } from "../../app/storefront/proxy.server";
import { priceLocale } from "../../app/storefront/recommendations.server";

const globals = (lang: string) => ({
  request: { locale: { iso_code: lang } },
  routes: { root_url: lang === "de" ? "/" : "/en" },
  product: { id: "P1" },
  cart: { items: [{ product_id: "A1" }, { product_id: "B2" }] },
});

describe("theme app blocks", () => {
  const blocks = ["product-recommendations", "home-recommendations", "cart-recommendations"];

  it("every block declares its settings, the shared stylesheet and the deferred script", () => {
    for (const b of blocks) {
      const { schema } = parseBlock(path.join(extensionDir(), "blocks", `${b}.liquid`));
      expect(schema.javascript).toBe("facet.js");
      expect(schema.stylesheet).toBe("facet.css");
      expect(schema.settings.map((s) => s.id)).toEqual(["heading", "products_to_show", "layout", "columns_desktop", "show_reasons"]);
    }
  });

  it("renders each placement's shell with what the proxy needs, in the shopper's language", async () => {
    const de = themeRenderer({ language: "de", assetBase: "/assets" });
    const product = await de.renderBlock("product-recommendations", globals("de"), {}, "b1");
    expect(product).toContain('data-placement="product"');
    expect(product).toContain('data-product-id="P1"');
    expect(product).toContain('data-endpoint="/apps/facet/recommendations"');
    expect(product).toContain('data-limit="4"');
    expect(product).toContain("Das könnte Ihnen auch gefallen");
    expect(product).toContain('aria-labelledby="facet-heading-b1"');

    const cart = await de.renderBlock("cart-recommendations", globals("de"));
    expect(cart).toContain('data-cart="A1,B2"');
    expect(cart).toContain("facet-recs--carousel");

    const en = themeRenderer({ language: "en", assetBase: "/assets" });
    const home = await en.renderBlock("home-recommendations", globals("en"), { heading: "Picked <for> you", products_to_show: 6, show_reasons: true });
    expect(home).toContain("Picked &lt;for&gt; you"); // the merchant's heading, escaped
    expect(home).toContain('data-limit="6"');
    expect(home).toContain('data-reasons="1"');
    expect(home).toContain('data-root="/en"');
    expect(home).not.toContain("data-product-id");
  });

  it("keeps facet.js under 10 KB compressed", () => {
    const js = fs.readFileSync(path.join(extensionDir(), "assets", "facet.js"));
    expect(gzipSync(js, { level: 9 }).length).toBeLessThan(10 * 1024);
  });

  it("has every storefront and theme-editor translation key in German, French and Italian too", () => {
    const keys = (o: object, prefix = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
    const read = (f: string) => JSON.parse(fs.readFileSync(path.join(extensionDir(), "locales", f), "utf8"));
    for (const lang of ["de", "fr", "it"]) {
      expect(keys(read(`${lang}.json`)).sort(), lang).toEqual(keys(read("en.default.json")).sort());
      expect(keys(read(`${lang}.schema.json`)).sort(), lang).toEqual(keys(read("en.default.schema.json")).sort());
    }
    // Every t: key a block's schema uses exists in the schema translations.
    const schemaKeys = new Set(keys(read("en.default.schema.json")));
    for (const f of fs.readdirSync(path.join(extensionDir(), "blocks"))) {
      const used = [...fs.readFileSync(path.join(extensionDir(), "blocks", f), "utf8").matchAll(/"t:([\w.]+)"/g)].map((m) => m[1]);
      expect(used.length, f).toBeGreaterThan(3);
      for (const k of used) expect(schemaKeys.has(k), `${f}: t:${k}`).toBe(true);
    }
  });
});

describe("proxy cards", () => {
  const list = {
    recommendationId: "rec-1",
    placement: "product",
    modelVersion: "v1",
    currency: "EUR",
    locale: "de-DE",
    products: [
      { id: "10", title: 'Ring "Stella" <Gold>', price: 1299, image: "https://cdn.shopify.com/s/files/ring.jpg", url: "/products/ring", score: 0.9, reasons: ["sieht aus wie der Ring, den Sie ansehen"] },
      { id: "11", title: "Kette", price: 49.9, image: null, url: "/products/kette", score: 0.5, reasons: [] },
    ],
  };

  it("renders one link per product with picture, alt text, price in the shop's locale, and the list's id", () => {
    const html = renderCards(list, { reasons: true });
    expect(html).toContain('data-recommendation-id="rec-1"');
    expect(html).toContain('alt="Ring &quot;Stella&quot; &lt;Gold&gt;"');
    expect(html).toContain('loading="lazy"');
    expect(html).toContain("https://cdn.shopify.com/s/files/ring.jpg?width=360");
    expect(html).toContain("1.299,00\u00a0€");
    expect(html).toContain("sieht aus wie der Ring");
    expect(html.match(/<a /g)).toHaveLength(2);
    expect(html).not.toContain("<Gold>");
    expect(renderCards(list, { reasons: false })).not.toContain("facet-card__reason");
  });

  it("writes prices in the shopper's language and the shop's region", () => {
    expect(priceLocale("en", "de-DE")).toBe("en-DE");
    expect(priceLocale(null, "de-AT")).toBe("de-AT");
    expect(priceLocale("de-CH", "de-DE")).toBe("de-DE");
  });

  it("never lets a shared cache keep a logged-in customer's list", () => {
    expect(cacheHeaders(true)["Cache-Control"]).toBe("private, no-store");
    expect(cacheHeaders(false)["Cache-Control"]).toMatch(/^public, max-age=\d+/);
    expect(cacheHeaders(true).Vary).toContain("Cookie");
  });

  it("escapes all five HTML specials", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});
