/**
 * Every business rule with a case that fails without it: each test checks the rule's effect and
 * the opposite outcome with the rule switched off (or the exemption, e.g. gifts).
 */
import { describe, expect, it } from "vitest";
import { contextFor } from "../../app/recommend/context";
import { recommend } from "../../app/recommend/pipeline";
import { DAY, NOW, PLAIN, makeCatalog, makeEvents, makeVectorSearch, mergeOverrides, profile, vectorsOf, world, type ProductSpec } from "./fixtures";
import type { SettingsOverride } from "../../app/recommend/settings";

/** A ring being viewed (A) and neighbours whose visual similarity falls with their number. */
const specs: ProductSpec[] = [
  { id: "A", category: "rings", vector: [1, 0, 0], price: 100 },
  { id: "B1", category: "rings", vector: [0.99, 0.1, 0], price: 100 },
  { id: "B2", category: "rings", vector: [0.97, 0.2, 0], price: 100 },
  { id: "B3", category: "rings", vector: [0.95, 0.3, 0], price: 100 },
  { id: "B4", category: "rings", vector: [0.9, 0.4, 0], price: 100 },
  { id: "B5", category: "rings", vector: [0.85, 0.5, 0], price: 100 },
  { id: "B6", category: "rings", vector: [0.8, 0.6, 0], price: 100 },
];

function visualOnly(extra: SettingsOverride = {}, over: Partial<Record<string, Partial<ProductSpec>>> = {}) {
  const s = specs.map((p) => ({ ...p, ...(over[p.id] ?? {}) }));
  const catalog = makeCatalog(s);
  const base: SettingsOverride = mergeOverrides(PLAIN, { placements: { product: { weights: { visual: 1 } } } });
  return { catalog, s, settings: mergeOverrides(base, extra) };
}

function ids(w: ReturnType<typeof world>, recs: { item: number }[]) {
  return recs.map((r) => w.catalog.ids[r.item]);
}

describe("hard exclusions", () => {
  it("leaves out out-of-stock products (and shows them when the rule is off)", () => {
    const { catalog, s, settings } = visualOnly({}, { B1: { inStock: false } });
    const w = world({ catalog, visual: makeVectorSearch(catalog, vectorsOf(s)), settings });
    const ctx = contextFor(w, { placement: "product", productId: "A" });
    expect(ids(w, recommend(w, ctx, 3))).toEqual(["B2", "B3", "B4"]);
    const off = world({ catalog, visual: makeVectorSearch(catalog, vectorsOf(s)), settings: mergeOverrides(settings, { placements: { product: { rules: { excludeOutOfStock: false } } } }) });
    expect(ids(off, recommend(off, contextFor(off, { placement: "product", productId: "A" }), 3))).toEqual(["B1", "B2", "B3"]);
  });

  it("leaves out the current product and the cart's products", () => {
    // Popularity proposes A and B1 (the best sellers); only the rule keeps them out.
    const { catalog, settings } = visualOnly({ placements: { product: { weights: { popularity: 1 } } } });
    const events = makeEvents(
      catalog,
      ["A", "A", "A", "B1", "B1", "B2"].map((p, j) => ({ customer: `X${j}`, product: p, type: "purchase" as const, at: NOW - DAY, order: `O${j}` })),
    );
    const w = world({ catalog, events, settings });
    const recs = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", cart: ["B1"] }), 3));
    expect(recs).not.toContain("A");
    expect(recs).not.toContain("B1");
    expect(recs[0]).toBe("B2");
    const off = world({ catalog, events, settings: mergeOverrides(settings, { placements: { product: { rules: { excludeCurrentAndCart: false } } } }) });
    expect(ids(off, recommend(off, contextFor(off, { placement: "product", productId: "A", cart: ["B1"] }), 3)).slice(0, 2)).toEqual(["A", "B1"]);
  });

  it("leaves out products already bought, except in repurchasable categories", () => {
    const { catalog, s, settings } = visualOnly();
    const events = makeEvents(catalog, [{ customer: "C1", product: "B1", type: "purchase", at: NOW - 10 * DAY, order: "O1" }]);
    const mk = (extra: SettingsOverride) => world({ catalog, events, customers: [profile("C1")], visual: makeVectorSearch(catalog, vectorsOf(s)), settings: mergeOverrides(settings, extra) });
    const w = mk({});
    expect(ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", customerId: "C1" }), 3))).toEqual(["B2", "B3", "B4"]);
    const again = mk({ placements: { product: { rules: { excludePurchased: { repurchasableCategories: ["rings"] } } } } });
    expect(ids(again, recommend(again, contextFor(again, { placement: "product", productId: "A", customerId: "C1" }), 3))[0]).toBe("B1");
  });

  it("shows Christmas products only in their season (tag or collection)", () => {
    const { catalog, s, settings } = visualOnly({}, { B1: { tags: ["weihnachten"] }, B2: { collection: "Christmas" } });
    const w = world({ catalog, visual: makeVectorSearch(catalog, vectorsOf(s)), settings });
    const july = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", now: NOW }), 3));
    expect(july).toEqual(["B3", "B4", "B5"]);
    const december = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", now: Date.UTC(2026, 11, 10) }), 3));
    expect(december).toEqual(["B1", "B2", "B3"]);
    const off = world({ catalog, visual: makeVectorSearch(catalog, vectorsOf(s)), settings: mergeOverrides(settings, { placements: { product: { rules: { seasonal: false } } } }) });
    expect(ids(off, recommend(off, contextFor(off, { placement: "product", productId: "A" }), 3))).toEqual(["B1", "B2", "B3"]);
  });

  it("never shows merchant-hidden products and puts pins first", () => {
    const { catalog, s, settings } = visualOnly();
    const w = world({
      catalog,
      visual: makeVectorSearch(catalog, vectorsOf(s)),
      settings: mergeOverrides(settings, { global: { hidden: ["B1"] }, placements: { product: { rules: { pinned: ["B6"] } } } }),
    });
    const recs = recommend(w, contextFor(w, { placement: "product", productId: "A" }), 3);
    expect(ids(w, recs)).toEqual(["B6", "B2", "B3"]);
    expect(recs[0].reasons[0].code).toBe("merchant_pick");
  });
});

describe("price band", () => {
  const prices = { B1: { price: 900 }, B2: { price: 120 }, B3: { price: 80 }, B4: { price: 100 } };
  it("puts products outside AOV +- margin behind those inside, not for gifts", () => {
    const { catalog, s, settings } = visualOnly({}, prices);
    const w = world({ catalog, customers: [profile("C1", { avgOrderValue: 100 })], visual: makeVectorSearch(catalog, vectorsOf(s)), settings });
    const banded = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", customerId: "C1" }), 3));
    expect(banded).toEqual(["B2", "B3", "B4"]); // B1 at 900 is outside 50..150
    const gift = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", customerId: "C1", gift: true }), 3));
    expect(gift[0]).toBe("B1");
  });

  it("computes the order value from the customer's orders when the profile has none", () => {
    const { catalog, s, settings } = visualOnly({}, prices);
    const events = makeEvents(catalog, [{ customer: "C2", product: "B4", type: "purchase", at: NOW - 5 * DAY, order: "O9" }]);
    const w = world({ catalog, events, customers: [profile("C2")], visual: makeVectorSearch(catalog, vectorsOf(s)), settings });
    const recs = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", customerId: "C2" }), 2));
    expect(recs).toEqual(["B2", "B3"]);
  });
});

describe("penalties", () => {
  it("deprioritises brands a customer with enough purchases never buys", () => {
    const over = { B1: { brand: "Other" }, B4: { brand: "Mine" }, B5: { brand: "Mine" }, B6: { brand: "Mine" } };
    const { catalog, s, settings } = visualOnly({ placements: { product: { rules: { excludePurchased: { enabled: false }, priceBand: { enabled: false }, brandAffinity: { factor: 0.4 } } } } }, over);
    const events = makeEvents(catalog, ["B4", "B5", "B6"].map((p, j) => ({ customer: "C1", product: p, type: "purchase" as const, at: NOW - (j + 1) * DAY, order: `O${j}` })));
    const w = world({ catalog, events, customers: [profile("C1")], visual: makeVectorSearch(catalog, vectorsOf(s)), settings });
    const mine = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", customerId: "C1" }), 6));
    const anon = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A" }), 6));
    expect(anon[0]).toBe("B1");
    expect(mine[0]).toBe("B4"); // the best-looking product of a brand the customer buys
    expect(mine.indexOf("B1")).toBeGreaterThan(0);
  });

  it("gender targeting lowers the other gender's products, except for gifts and for customers who shop for that gender", () => {
    const over = { B1: { gender: "female" }, B2: { gender: "male" } };
    const { catalog, s, settings } = visualOnly({}, over);
    const events = makeEvents(catalog, [{ customer: "GiftBuyer", product: "B5", type: "view", at: NOW - DAY }]);
    const catalog2 = catalog;
    catalog2.gender[catalog.index.get("B5")!] = "female";
    const customers = [profile("Man", { gender: "male" }), profile("GiftBuyer", { gender: "male" })];
    const w = world({ catalog: catalog2, events, customers, visual: makeVectorSearch(catalog, vectorsOf(s)), settings });
    const man = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", customerId: "Man" }), 3));
    expect(man[0]).toBe("B2");
    expect(man).not.toEqual(["B1", "B2", "B3"]);
    const gift = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", customerId: "Man", gift: true }), 3));
    expect(gift).toEqual(["B1", "B2", "B3"]);
    const buyer = ids(w, recommend(w, contextFor(w, { placement: "product", productId: "A", customerId: "GiftBuyer" }), 3));
    expect(buyer[0]).toBe("B1");
  });
});
