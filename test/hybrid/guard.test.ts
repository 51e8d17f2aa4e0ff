/**
 * Issue 14, point 5: the blend guard (a placement whose blend is worse on validation than its best
 * single source is served by that source alone, and the admin says so), the shop's reference time
 * (windows anchored at the latest event, not the wall clock) and the recent-popularity source.
 */
import { describe, expect, it } from "vitest";
import { applyGuard, guardNote, guardPlacement } from "../../app/recommend/blendGuard";
import { contextFor } from "../../app/recommend/context";
import { recommend, recommendTraced, sourceCandidates } from "../../app/recommend/pipeline";
import { referenceTime } from "../../app/recommend/dataTime";
import { DAY, NOW, PLAIN, makeCatalog, makeEvents, makeVectorSearch, mergeOverrides, vectorsOf, world, type ProductSpec } from "./fixtures";

const specs: ProductSpec[] = [
  { id: "A", vector: [1, 0, 0] },
  { id: "V1", vector: [0.99, 0.1, 0] },
  { id: "V2", vector: [0.95, 0.3, 0] },
  { id: "P1", vector: [0, 0, 1] },
  { id: "P2", vector: [0, 0.1, 1] },
  { id: "OLD", vector: [0, 1, 0] },
];
const catalog = makeCatalog(specs);
const visual = makeVectorSearch(catalog, vectorsOf(specs));
const ids = (recs: { item: number }[]) => recs.map((r) => catalog.ids[r.item]);

describe("the fallback guard", () => {
  it("switches a placement to its best single source when the blend is worse on validation", () => {
    // A constructed validation result: the blend 0.05, popularity alone 0.09, visual alone 0.04.
    const g = guardPlacement("product", "ndcg@10", 0.05, { popularity: 0.09, visual: 0.04 });
    expect(g).toEqual({ placement: "product", source: "popularity", metric: "ndcg@10", blendScore: 0.05, sourceScore: 0.09 });
    expect(guardNote(g, "en")).toContain('served by "popularity" alone');
    expect(guardNote(g, "de")).toContain("nur „popularity“");

    const sales = ["P1", "P1", "P2"].map((p, j) => ({ customer: `S${j}`, product: p, type: "purchase" as const, at: NOW - 2 * DAY, order: `O${j}` }));
    const settings = mergeOverrides(PLAIN, { placements: { product: { weights: { visual: 0.7, popularity: 0.3 } } } });
    const plain = world({ catalog, events: makeEvents(catalog, sales), visual, settings });
    const guarded = world({ catalog, events: makeEvents(catalog, sales), visual, settings, guards: { product: g! } });
    const ctx = (w: typeof plain) => contextFor(w, { placement: "product", productId: "A" });
    expect(ids(recommend(plain, ctx(plain), 2))).toEqual(["V1", "V2"]); // the blend: visual leads
    const t = recommendTraced(guarded, ctx(guarded), 2);
    expect(t.sources.map((s) => s.name)).toEqual(["popularity"]);
    expect(ids(t.items)).toEqual(["P1", "P2"]);
    // The evaluation's own weights win over the guard (single-source and tuning runs).
    expect(ids(recommend(guarded, ctx(guarded), 2, { weights: { visual: 1 } }))).toEqual(["V1", "V2"]);
    // Other placements are untouched.
    expect(guarded.guards.home).toBeUndefined();
  });

  it("stays off when the blend is at least as good as every source, or a source is better only within the margin", () => {
    expect(guardPlacement("home", "ndcg@10", 0.1, { popularity: 0.09, collaborative: 0.1 })).toBeNull();
    expect(guardPlacement("home", "ndcg@10", 0.1, { popularity: 0.104 }, 0.005)).toBeNull();
    expect(guardPlacement("home", "ndcg@10", 0.1, {})).toBeNull();
    expect(guardPlacement("home", "ndcg@10", Number.NaN, { popularity: 0.01 })!.source).toBe("popularity");
    expect(guardNote(null)).toBeNull();
    const ps = world({ catalog }).settingsFor("home");
    expect(applyGuard(ps, null)).toBe(ps);
    expect(applyGuard(ps, guardPlacement("home", "m", 0, { recency: 1 })).weights).toEqual({ recency: 1 });
  });
});

describe("time from the data", () => {
  it("the reference time is the latest event or product at or before now, else now", () => {
    const events = makeEvents(catalog, [
      { customer: "C", product: "P1", type: "purchase", at: NOW - 400 * DAY, order: "O1" },
      { customer: "C", product: "P2", type: "purchase", at: NOW - 380 * DAY, order: "O2" },
      { customer: "C", product: "P2", type: "view", at: NOW + DAY }, // the future does not count
    ]);
    expect(referenceTime(events, NOW, new Float64Array([NaN]))).toBe(NOW - 380 * DAY);
    expect(referenceTime(events, NOW, new Float64Array([NOW - 10 * DAY]))).toBe(NOW - 10 * DAY);
    expect(referenceTime(makeEvents(catalog, []), NOW, new Float64Array(0))).toBe(NOW);
  });

  it("an imported history a year old still has new arrivals and recent bestsellers, counted at its own last day", () => {
    const last = NOW - 365 * DAY;
    const old = makeCatalog(specs.map((s) => (s.id === "V2" ? { ...s, createdAt: last - 5 * DAY } : { ...s, createdAt: last - 400 * DAY })));
    const rows = [
      // Long ago OLD was the bestseller; in the history's last month P1 and P2 sell.
      ...Array.from({ length: 6 }, (_, j) => ({ customer: `A${j}`, product: "OLD", type: "purchase" as const, at: last - 200 * DAY, order: `A${j}` })),
      ...["P1", "P1", "P1", "P2"].map((p, j) => ({ customer: `B${j}`, product: p, type: "purchase" as const, at: last - (j + 1) * DAY, order: `B${j}` })),
    ];
    const w = world({ catalog: old, events: makeEvents(old, rows), settings: PLAIN, now: NOW });
    expect(w.dataNow).toBe(last - DAY);
    expect(w.now).toBe(NOW); // the clock's time stays what the caller passed
    const ctx = contextFor(w, { placement: "home" });
    const ids2 = (recs: { item: number }[]) => recs.map((r) => old.ids[r.item]);
    expect(ids2(recommend(w, ctx, 2, { weights: { "recent-popularity": 1 } }))).toEqual(["P1", "P2"]);
    // The window leaves OLD's old sales out; the decayed all-time popularity still counts them.
    expect(ids2(sourceCandidates(w, "recent-popularity", ctx, 3))).toEqual(["P1", "P2"]);
    expect(ids2(sourceCandidates(w, "popularity", ctx, 3))).toContain("OLD");
    expect(ids2(recommend(w, ctx, 1, { weights: { "new-arrivals": 1 } }))).toEqual(["V2"]);
    const reason = recommendTraced(w, ctx, 1, { weights: { "recent-popularity": 1 } }).items[0].reasons[0];
    expect(reason).toMatchObject({ source: "recent-popularity", code: "popular_recently" });
  });
});
