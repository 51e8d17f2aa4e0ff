/**
 * Diversity and exploration: MMR on the visual vectors, category / collection / price-tier caps,
 * the exploration slot; and the explanations in German and English.
 */
import { describe, expect, it } from "vitest";
import { contextFor } from "../../app/recommend/context";
import { recommend } from "../../app/recommend/pipeline";
import { renderReason, renderReasons } from "../../app/recommend/explain";
import { DAY, NOW, PLAIN, makeCatalog, makeEvents, makeVectorSearch, mergeOverrides, vectorsOf, world, type ProductSpec } from "./fixtures";
import type { SettingsOverride } from "../../app/recommend/settings";

/** Popularity decides relevance (D1 > D2 > D3 > X ...); D1..D3 are near-duplicates in looks. */
const specs: ProductSpec[] = [
  { id: "D1", category: "rings", vector: [1, 0, 0], price: 50 },
  { id: "D2", category: "rings", vector: [1, 0.01, 0], price: 50 },
  { id: "D3", category: "rings", vector: [1, 0.02, 0], price: 50 },
  { id: "X", category: "necklaces", vector: [0, 1, 0], price: 200 },
  { id: "Y", category: "earrings", vector: [0, 0, 1], price: 500 },
  { id: "Z", category: "rings", vector: [0.5, 0.5, 0.5], price: 50, createdAt: NOW - 3 * DAY },
];
const catalog = makeCatalog(specs);
const visual = makeVectorSearch(catalog, vectorsOf(specs));
const sales = ([["D1", 8], ["D2", 7], ["D3", 6], ["X", 5], ["Y", 4]] as const).flatMap(([p, n]) =>
  Array.from({ length: n }, (_, j) => ({ customer: `S${p}${j}`, product: p, type: "purchase" as const, at: NOW - DAY, order: `O${p}${j}` })),
);
const events = makeEvents(catalog, sales);
const ids = (recs: { item: number }[]) => recs.map((r) => catalog.ids[r.item]);
const popularOnly: SettingsOverride = mergeOverrides(PLAIN, { placements: { home: { weights: { popularity: 1 } } } });

function run(div: Record<string, unknown>, k = 3) {
  const w = world({ catalog, events, visual, settings: mergeOverrides(popularOnly, { placements: { home: { diversity: div } } }) });
  return ids(recommend(w, contextFor(w, { placement: "home" }), k));
}

describe("maximal marginal relevance", () => {
  it("lambda 1 keeps the relevance order; a lower lambda replaces look-alikes", () => {
    expect(run({ mmrLambda: 1 })).toEqual(["D1", "D2", "D3"]);
    expect(run({ mmrLambda: 0.5 })).toEqual(["D1", "X", "Y"]);
  });
});

describe("caps", () => {
  it("no more than N of one category", () => {
    expect(run({ maxPerCategory: 1 })).toEqual(["D1", "X", "Y"]);
    expect(run({ maxPerCategory: 2 })).toEqual(["D1", "D2", "X"]);
  });
  it("no more than N of one collection", () => {
    const c2 = makeCatalog(specs.map((s) => ({ ...s, collection: s.id.startsWith("D") ? "Luna" : null })));
    const w = world({ catalog: c2, events: makeEvents(c2, sales), visual: makeVectorSearch(c2, vectorsOf(specs)), settings: mergeOverrides(popularOnly, { placements: { home: { diversity: { maxPerCollection: 2 } } } }) });
    expect(ids(recommend(w, contextFor(w, { placement: "home" }), 3))).toEqual(["D1", "D2", "X"]);
  });
  it("price diversity: one price tier may hold only a share of the list", () => {
    // Tiers are catalogue terciles: the 50s share one tier, X and Y (200, 500) the top one.
    expect(run({ maxPriceTierShare: 0.6 })).toEqual(["D1", "D2", "X"]);
    expect(run({ maxPriceTierShare: 1 })).toEqual(["D1", "D2", "D3"]);
  });
  it("caps bend when the catalogue cannot satisfy them (the list stays full)", () => {
    expect(run({ maxPerCategory: 1 }, 5)).toHaveLength(5);
  });
});

describe("exploration", () => {
  it("gives the last slot to a new or rarely seen product", () => {
    const on = run({ explorationSlots: 1 }, 4);
    expect(on.slice(0, 3)).toEqual(["D1", "D2", "D3"]);
    expect(on[3]).toBe("Z"); // new (3 days) and never seen; without the slot X would be 4th
    expect(run({ explorationSlots: 0 }, 4)[3]).toBe("X");
  });
});

describe("exploration by impressions", () => {
  it("a product rarely shown in lists gets the exploration slot when impressions are known", () => {
    const old = makeCatalog(specs.map((s) => ({ ...s, createdAt: NOW - 400 * DAY })));
    const ev = makeEvents(old, [...sales, ...[0, 1, 2].map((j) => ({ customer: `Z${j}`, product: "Z", type: "view" as const, at: NOW - 300 * DAY }))]);
    const settings = mergeOverrides(popularOnly, { placements: { home: { diversity: { explorationSlots: 1 } } } });
    const impressions = Uint32Array.from(old.ids, (id) => (id === "Y" ? 0 : 100));
    const shown = world({ catalog: old, events: ev, visual, settings, impressions });
    const unknown = world({ catalog: old, events: ev, visual, settings });
    const list = (w: typeof shown) => recommend(w, contextFor(w, { placement: "home" }), 4).map((r) => old.ids[r.item]);
    expect(list(shown)).toEqual(["D1", "D2", "D3", "Y"]);
    expect(list(unknown)).toEqual(["D1", "D2", "D3", "X"]); // nothing new or rare: the next best
  });
});

describe("explanations", () => {
  const p = (cat: string, relation: string) => ({ anchorCategory: cat, anchorTitle: "Luna", relation, anchorId: "1" });
  it("name the signal in English and German", () => {
    expect(renderReason({ source: "visual", code: "looks_like", params: p("rings", "viewed") }, "en")).toBe("looks like the ring you viewed");
    expect(renderReason({ source: "visual", code: "looks_like", params: p("rings", "viewed") }, "de")).toBe("sieht aus wie der Ring, den Sie angesehen haben");
    expect(renderReason({ source: "bought-together", code: "bought_with", params: p("pendants", "cart") }, "en")).toBe("often bought with the pendant in your cart");
    expect(renderReason({ source: "bought-together", code: "bought_with", params: p("pendants", "cart") }, "de")).toBe("oft zusammen gekauft mit dem Anhänger in Ihrem Warenkorb");
    expect(renderReason({ source: "cross-sell", code: "completes_look", params: { ...p("necklaces", "cart"), via: "collection" } }, "de")).toBe("passt zu der Kette in Ihrem Warenkorb (gleiche Kollektion)");
    expect(renderReason({ source: "demographic", code: "popular_in_segment", params: { gender: "female", ageGroup: "26-35", country: "CH" } }, "de")).toBe("beliebt bei Frauen 26-35 in der Schweiz");
    expect(renderReason({ source: "visual", code: "looks_like", params: p("tiaras", "bought") }, "en")).toBe("looks like the item “Luna” you bought");
  });
  it("render distinct reasons, strongest first", () => {
    const r = { source: "popularity" as const, code: "popular_in_shop" };
    expect(renderReasons([r, r, { source: "new-arrivals", code: "new_arrival" }], "en")).toEqual(["popular in our shop", "new in our shop"]);
  });
  it("recommendations carry the reason of the strongest source (visual on a product page)", () => {
    const w = world({ catalog, events, visual, settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "product", productId: "D1" }), 2);
    expect(renderReason(recs[0].reasons[0], "en")).toBe("looks like the ring you are viewing");
  });
});
