/**
 * The seed's placements end to end on a small shop (cart "Complete your look" cross-sell, email
 * over new arrivals), and the settings' merge and validation.
 */
import { describe, expect, it } from "vitest";
import { contextFor } from "../../app/recommend/context";
import { recommend } from "../../app/recommend/pipeline";
import { renderReason } from "../../app/recommend/explain";
import { DEFAULT_SETTINGS, mergeSettings, parseSettingsOverride } from "../../app/recommend/settings";
import { DAY, NOW, PLAIN, makeCatalog, makeEvents, makeVectorSearch, mergeOverrides, profile, vectorsOf, world, type ProductSpec } from "./fixtures";

const specs: ProductSpec[] = [
  { id: "NECK", category: "necklaces", collection: "Luna", material: "Gold", vector: [1, 0, 0] },
  { id: "NECK2", category: "necklaces", collection: "Sol", material: "Silber", vector: [0.98, 0.1, 0] },
  { id: "EAR-LUNA", category: "earrings", collection: "Luna", material: "Gold", vector: [0, 1, 0] },
  { id: "EAR-GOLD", category: "earrings", collection: "Sol", material: "Gold", vector: [0, 0.9, 0.3] },
  { id: "EAR-SILVER", category: "earrings", collection: "Sol", material: "Silber", vector: [0, 0.8, 0.5] },
  { id: "RING-NEW", category: "rings", material: "Gold", vector: [0.2, 0, 1], createdAt: NOW - 5 * DAY },
  { id: "RING-NEW2", category: "rings", material: "Silber", vector: [0.9, 0.1, 0.1], createdAt: NOW - 10 * DAY },
  { id: "RING-OLD", category: "rings", material: "Gold", vector: [0.95, 0.05, 0.1] },
];
const catalog = makeCatalog(specs);
const visual = makeVectorSearch(catalog, vectorsOf(specs));
const ids = (recs: { item: number }[]) => recs.map((r) => catalog.ids[r.item]);

describe("cart: complete your look", () => {
  it("cross-sell proposes complementary categories of the same collection first, then the same material", () => {
    const w = world({ catalog, visual, settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "cart", cart: ["NECK"] }), 3, { weights: { "cross-sell": 1 } });
    expect(ids(recs).slice(0, 2)).toEqual(["EAR-LUNA", "EAR-GOLD"]);
    expect(ids(recs)).not.toContain("NECK2"); // same category: not a complement
    expect(renderReason(recs[0].reasons[0], "en")).toBe("completes the look with the necklace in your cart (same collection)");
  });

  it("the default cart blend completes the look: other categories of the same set or metal first, never more of the same ahead of them", () => {
    const w = world({ catalog, visual, settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "cart", cart: ["NECK"] }), 5);
    const top = ids(recs).slice(0, 2);
    // Other categories sharing the necklace's set (Luna) or metal (gold) lead: EAR-LUNA looks nothing like it.
    expect(top).toContain("EAR-LUNA");
    for (const id of top) {
      const i = catalog.index.get(id)!;
      expect(catalog.category[i]).not.toBe("necklaces");
      expect(catalog.collection[i] === "Luna" || catalog.material[i] === "Gold").toBe(true);
    }
    const necklaceAt = ids(recs).indexOf("NECK2");
    // NECK2 looks most like the cart's necklace, but another necklace only fills the end of the list.
    if (necklaceAt >= 0) for (const id of ["EAR-LUNA", "EAR-GOLD", "RING-OLD"]) expect(ids(recs).indexOf(id)).toBeLessThan(necklaceAt);
    // The old cart (80 % visual, no category rule) served another necklace first.
    const old = recommend(w, contextFor(w, { placement: "cart", cart: ["NECK"] }), 5, { weights: { visual: 0.8, "cross-sell": 0.2 }, rules: { ...w.settings.placements.cart.rules, otherCategories: false } });
    expect(ids(old)[0]).toBe("NECK2");
  });
});

describe("email: new arrivals you'll love", () => {
  it("recommends only new products, by visual similarity to past purchases and segment popularity", () => {
    const events = makeEvents(catalog, [{ customer: "C1", product: "NECK", type: "purchase", at: NOW - 30 * DAY, order: "O1" }]);
    const w = world({ catalog, visual, events, customers: [profile("C1", { gender: "female" })], settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "email", customerId: "C1" }), 3);
    expect(ids(recs).sort()).toEqual(["RING-NEW", "RING-NEW2"]); // RING-OLD looks closer but is not new
    const r2 = recs.find((r) => catalog.ids[r.item] === "RING-NEW2")!;
    expect(r2.reasons.map((r) => renderReason(r, "en"))).toContain("looks like the necklace you bought");
    // Nobody bought a new product yet: demographic has nothing honest to say and hands over to new arrivals.
    expect(recs.flatMap((r) => r.reasons.map((x) => x.code))).not.toContain("popular_in_segment");
    expect(recs.flatMap((r) => r.reasons.map((x) => x.code))).toContain("new_arrival");
  });
});

describe("settings", () => {
  it("merge a shop's override over the defaults (weights replace, rules merge key by key)", () => {
    const s = mergeSettings(DEFAULT_SETTINGS, { placements: { home: { weights: { popularity: 1 }, rules: { priceBand: { margin: 0.2 } } } } });
    expect(s.placements.home.weights).toEqual({ popularity: 1 });
    expect(s.placements.home.rules.priceBand).toEqual({ enabled: true, margin: 0.2 });
    expect(s.placements.product.weights).toEqual({ visual: 0.7, demographic: 0.3 });
    expect(DEFAULT_SETTINGS.placements.home.rules.priceBand.margin).toBe(0.5); // the defaults are not mutated
  });

  it("reject unknown keys and bad values naming the path", () => {
    expect(() => parseSettingsOverride({ placements: { home: { weights: { visual: -1 } } } })).toThrow(/settings\.placements\.home\.weights\.visual/);
    expect(() => parseSettingsOverride({ global: { seasons: [{ name: "x", tags: [], collections: [], from: "13-01", to: "12-31" }] } })).toThrow(/MM-DD/);
    expect(() => parseSettingsOverride({ placements: { home: { diversty: {} } } })).toThrow(/Unrecognized key/);
    expect(parseSettingsOverride({ placements: { cart: { diversity: { mmrLambda: 0.5 } } } })).toEqual({ placements: { cart: { diversity: { mmrLambda: 0.5 } } } });
  });

  it("shop weights change the served list", () => {
    const w = world({ catalog, visual, settings: mergeOverrides(PLAIN, { placements: { cart: { weights: { "cross-sell": 1 } } } }) });
    expect(ids(recommend(w, contextFor(w, { placement: "cart", cart: ["NECK"] }), 1))).toEqual(["EAR-LUNA"]);
  });
});
