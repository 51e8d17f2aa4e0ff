/**
 * The blend: weights per placement change rankings as configured; the fallback chain hands an empty
 * source's weight on; explanations name the source that contributed most; normalisation.
 */
import { describe, expect, it } from "vitest";
import { contextFor } from "../../app/recommend/context";
import { recommend, recommendTraced, sourceCandidates } from "../../app/recommend/pipeline";
import { normalise } from "../../app/recommend/normalise";
import { DAY, NOW, PLAIN, makeCatalog, makeCf, makeEvents, makeNeighbours, makeVectorSearch, mergeOverrides, profile, vectorsOf, world, type ProductSpec } from "./fixtures";

/**
 * V1..V3 look like the viewed ring A; P1..P3 are the shop's best sellers and look like nothing.
 * Visual and popularity therefore disagree completely, so weights decide the order.
 */
const specs: ProductSpec[] = [
  { id: "A", vector: [1, 0, 0] },
  { id: "V1", vector: [0.99, 0.1, 0] },
  { id: "V2", vector: [0.95, 0.3, 0] },
  { id: "V3", vector: [0.9, 0.4, 0] },
  { id: "P1", vector: [0, 0, 1] },
  { id: "P2", vector: [0, 0.1, 1] },
  { id: "P3", vector: [0, 0.2, 1] },
];
const catalog = makeCatalog(specs);
const sales = ["P1", "P1", "P1", "P2", "P2", "P3"].map((p, j) => ({ customer: `S${j}`, product: p, type: "purchase" as const, at: NOW - 2 * DAY, order: `O${j}` }));
const events = makeEvents(catalog, sales);
const visual = makeVectorSearch(catalog, vectorsOf(specs));
const ids = (recs: { item: number }[]) => recs.map((r) => catalog.ids[r.item]);

describe("weights", () => {
  it("change the ranking as configured", () => {
    const mostlyVisual = world({ catalog, events, visual, settings: mergeOverrides(PLAIN, { placements: { product: { weights: { visual: 0.9, popularity: 0.1 } } } }) });
    const mostlyPopular = world({ catalog, events, visual, settings: mergeOverrides(PLAIN, { placements: { product: { weights: { visual: 0.1, popularity: 0.9 } } } }) });
    const ctx = (w: typeof mostlyVisual) => contextFor(w, { placement: "product", productId: "A" });
    expect(ids(recommend(mostlyVisual, ctx(mostlyVisual), 3))).toEqual(["V1", "V2", "V3"]);
    expect(ids(recommend(mostlyPopular, ctx(mostlyPopular), 3))).toEqual(["P1", "P2", "P3"]);
  });

  it("per-request overrides work like shop settings (the evaluation tunes this way)", () => {
    const w = world({ catalog, events, visual, settings: PLAIN });
    const ctx = contextFor(w, { placement: "product", productId: "A" });
    expect(ids(recommend(w, ctx, 1, { weights: { popularity: 1 } }))).toEqual(["P1"]);
    expect(ids(recommend(w, ctx, 1, { weights: { visual: 1 } }))).toEqual(["V1"]);
  });

  it("the seed's defaults are the shipped settings", () => {
    const w = world({ catalog });
    expect(w.settings.placements.general.weights).toEqual({ visual: 0.4, collaborative: 0.35, demographic: 0.15, recency: 0.1 });
    expect(w.settings.placements.product.weights).toEqual({ visual: 0.7, demographic: 0.3 });
    expect(w.settings.placements.home.weights).toEqual({ collaborative: 0.6, recency: 0.4 });
    expect(w.settings.placements.email.weights).toEqual({ demographic: 0.5, visual: 0.5 });
    expect(w.settings.placements.email.onlyNew).toBe(true);
    // Cart "Complete your look" is complementary (issue 14): cross-sell and bought together lead, visual adds matching colour.
    expect(w.settings.placements.cart.weights).toEqual({ "cross-sell": 0.5, "bought-together": 0.3, visual: 0.2 });
    expect(w.settings.placements.cart.rules.otherCategories).toBe(true);
  });
});

describe("fallback chain", () => {
  it("hands the weight of a source without candidates to the next in its chain", () => {
    // No CF model: collaborative (0.6 on home) falls back to recency, which is in the blend already.
    const customers = [profile("C1")];
    const ev = makeEvents(catalog, [...sales, { customer: "C1", product: "A", type: "view", at: NOW - 3_600_000 }]);
    const w = world({ catalog, events: ev, visual, customers, settings: PLAIN });
    const trace = recommendTraced(w, contextFor(w, { placement: "home", customerId: "C1" }), 3);
    expect(trace.sources).toEqual([{ name: "recency", weight: 1, candidates: expect.any(Number), fallbackFor: undefined }]);
    expect(ids(trace.items)[0]).toBe("V1");
  });

  it("walks further down the chain when the next source is empty too", () => {
    // Anonymous, no history, no model: collaborative -> recency (empty) -> demographic (whole shop).
    const w = world({ catalog, events, visual, settings: PLAIN });
    const trace = recommendTraced(w, contextFor(w, { placement: "home" }), 3);
    expect(trace.sources.map((s) => [s.name, s.fallbackFor])).toEqual([["demographic", "collaborative"]]);
    expect(trace.sources[0].weight).toBeCloseTo(1);
    expect(ids(trace.items)).toEqual(["P1", "P2", "P3"]);
  });

  it("fills the list when rules leave too few, from popularity then new arrivals then random", () => {
    const w = world({ catalog, visual, settings: mergeOverrides(PLAIN, { placements: { product: { weights: { visual: 1 } } } }) });
    const recs = recommend(w, contextFor(w, { placement: "product", productId: "A" }), 6);
    expect(recs).toHaveLength(6);
    expect(new Set(ids(recs)).size).toBe(6);
  });
});

describe("explanations follow the contributions", () => {
  it("the first reason names the source that contributed most", () => {
    const cf = makeCf(catalog, 2, { C1: [1, 0] }, { V3: [0.2, 0], P3: [1, 0], P2: [0.5, 0] });
    const customers = [profile("C1", { gender: "female", ageGroup: "26-35", country: "AT" })];
    const ev = makeEvents(catalog, [...sales, { customer: "C1", product: "A", type: "view", at: NOW - 3_600_000 }]);
    const bt = makeNeighbours(catalog, [["A", "P2", 5]]);
    const w = world({ catalog, events: ev, visual, cf, customers, boughtTogether: bt, settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "general", customerId: "C1" }), 6);
    expect(recs.length).toBe(6);
    for (const r of recs) {
      const entries = Object.entries(r.contributions);
      if (entries.length === 0) continue;
      const top = entries.sort((a, b) => b[1]! - a[1]!)[0][0];
      expect(r.reasons[0].source).toBe(top);
    }
    const sources = new Set(recs.flatMap((r) => Object.keys(r.contributions)));
    expect(sources.size).toBeGreaterThanOrEqual(3);
  });
});

describe("single source", () => {
  it("sourceCandidates applies the hard exclusions (current product, cart, stock)", () => {
    const w = world({ catalog, visual, settings: PLAIN });
    const got = sourceCandidates(w, "visual", contextFor(w, { placement: "product", productId: "A", cart: ["V1"] }), 2);
    expect(ids(got)).toEqual(["V2", "V3"]);
  });
});

describe("normalisation", () => {
  const c = [
    { item: 0, score: 100, reasons: [] },
    { item: 1, score: 10, reasons: [] },
    { item: 2, score: 10, reasons: [] },
    { item: 3, score: 1, reasons: [] },
  ];
  it("rank: evenly spread, ties equal, an outlier does not flatten the rest", () => {
    expect(normalise(c, "rank").map((x) => x.score)).toEqual([1, 0.75, 0.75, 0.25]);
  });
  it("minmax and max keep gaps", () => {
    expect(normalise(c, "minmax").map((x) => +x.score.toFixed(3))).toEqual([1, 0.091, 0.091, 0]);
    expect(normalise(c, "max").map((x) => x.score)).toEqual([1, 0.1, 0.1, 0.01]);
  });
  it("a list without information (equal scores, cut where the caller's pool ended; empty) maps to 0 under every scheme", () => {
    const equal = [{ item: 0, score: 3, reasons: [] }, { item: 1, score: 3, reasons: [] }, { item: 2, score: 3, reasons: [] }];
    for (const how of ["rank", "minmax", "max"] as const) {
      expect(normalise(equal, how).map((x) => x.score)).toEqual([0, 0, 0]);
      expect(normalise(equal, how, 3).map((x) => x.score)).toEqual([0, 0, 0]); // as many as asked: cut among ties
      expect(normalise([], how, 10)).toEqual([]);
      // Fewer than asked: the source's complete answer, which does set its candidates apart from the rest.
      expect(normalise(equal, how, 10).map((x) => x.score)).toEqual([1, 1, 1]);
      expect(normalise([{ item: 5, score: 0, reasons: [] }], how, 10).map((x) => x.score)).toEqual([0]);
    }
  });

  it("a constant source contributes zero to the blend and its weight falls back", () => {
    const settings = mergeOverrides(PLAIN, { global: { fallbacks: { popularity: ["visual"] } }, placements: { product: { weights: { visual: 0.5, popularity: 0.5 } } } });
    const w = world({ catalog, events, visual, settings });
    // The constant source: "popularity" that scores every product of the shop alike (no information at all).
    (w.sources as Record<string, unknown>).popularity = {
      name: "popularity",
      candidates: (_ctx: unknown, k: number) => catalog.ids.slice(0, k).map((id) => ({ item: catalog.index.get(id)!, score: 5, reasons: [{ source: "popularity", code: "popular_in_shop" }] })),
    };
    const ctx = contextFor(w, { placement: "product", productId: "A" });
    const trace = recommendTraced(w, ctx, 4);
    for (const r of trace.items) expect(r.contributions.popularity ?? 0).toBe(0);
    // Same list as visual alone: the constant source changed nothing.
    expect(ids(trace.items)).toEqual(ids(recommend(w, ctx, 4, { weights: { visual: 1 } })));
    // Its weight went down the fallback chain (to visual), not into the blend as a confident spread.
    expect(trace.sources.find((s) => s.name === "popularity")).toBeUndefined();
    expect(trace.sources.find((s) => s.name === "visual")!.weight).toBeCloseTo(1);
    // With informative counts (P1 sold 3x) the same source does contribute.
    const w2 = world({ catalog, events, visual, settings });
    const t2 = recommendTraced(w2, contextFor(w2, { placement: "product", productId: "A" }), 7);
    expect(t2.items.some((r) => (r.contributions.popularity ?? 0) > 0)).toBe(true);
  });
});
