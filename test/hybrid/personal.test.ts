/**
 * Opt-out (no personal data reaches any source), cold start (new customer, one view, new product,
 * shop without behaviour), demographic segments with smoothing, recency, fold-in.
 */
import { describe, expect, it } from "vitest";
import { contextFor } from "../../app/recommend/context";
import { recommend } from "../../app/recommend/pipeline";
import { type World } from "../../app/recommend/world";
import type { RecContext, SourceName } from "../../app/recommend/types";
import { renderReason } from "../../app/recommend/explain";
import { DAY, NOW, PLAIN, makeCatalog, makeCf, makeEvents, makeNeighbours, makeVectorSearch, mergeOverrides, profile, vectorsOf, world, type ProductSpec } from "./fixtures";

const specs: ProductSpec[] = [
  { id: "R1", category: "rings", gender: "female", vector: [1, 0, 0, 0], price: 80 },
  { id: "R2", category: "rings", gender: "female", vector: [0.98, 0.2, 0, 0], price: 90 },
  { id: "R3", category: "rings", gender: "female", vector: [0.95, 0.3, 0, 0], price: 70 },
  { id: "N1", category: "necklaces", collection: "Luna", vector: [0, 1, 0, 0], price: 120 },
  { id: "N2", category: "necklaces", collection: "Luna", vector: [0, 0.97, 0.2, 0], price: 110 },
  { id: "E1", category: "earrings", collection: "Luna", vector: [0, 0.3, 1, 0], price: 60 },
  { id: "E2", category: "earrings", vector: [0, 0, 1, 0.2], price: 65 },
  { id: "M1", category: "rings", gender: "male", vector: [0, 0, 0, 1], price: 150 },
  { id: "NEW", category: "rings", gender: "female", vector: [0.99, 0.1, 0, 0], price: 85, createdAt: NOW - 2 * DAY },
];
const catalog = makeCatalog(specs);
const visual = makeVectorSearch(catalog, vectorsOf(specs));
const ids = (recs: { item: number }[]) => recs.map((r) => catalog.ids[r.item]);

const customers = [
  profile("Anna", { gender: "female", ageGroup: "26-35", country: "AT", avgOrderValue: 90 }),
  profile("Opt", { gender: "female", ageGroup: "26-35", country: "AT", avgOrderValue: 500, optOut: true }),
  profile("W1", { gender: "female", ageGroup: "26-35", country: "AT" }),
  profile("W2", { gender: "female", ageGroup: "26-35", country: "AT" }),
  profile("M1", { gender: "male", ageGroup: "36-45", country: "DE" }),
  profile("M2", { gender: "male", ageGroup: "36-45", country: "DE" }),
  profile("M3", { gender: "male", ageGroup: "36-45", country: "DE" }),
];
// Women 26-35 in Austria buy earrings E1; men in Germany buy N1 a lot (the shop's best seller overall).
const rows = [
  ...["W1", "W2"].map((c, j) => ({ customer: c, product: "E1", type: "purchase" as const, at: NOW - 3 * DAY, order: `W${j}` })),
  ...["M1", "M2", "M3", "M1", "M2", "M3"].map((c, j) => ({ customer: c, product: "N1", type: "purchase" as const, at: NOW - 4 * DAY, order: `M${j}` })),
  { customer: "Opt", product: "R3", type: "purchase" as const, at: NOW - 10 * DAY, order: "X1" },
  { customer: "Opt", product: "M1", type: "view" as const, at: NOW - 3_600_000 },
  { customer: "Opt", product: "M1", type: "add_to_cart" as const, at: NOW - 3_000_000 },
];
const events = makeEvents(catalog, rows);
const cf = makeCf(catalog, 2, { Opt: [0, 1], Anna: [1, 0] }, { M1: [0, 1], R2: [1, 0], E2: [0.5, 0.5] });
const bt = makeNeighbours(catalog, [["M1", "E2", 3], ["R1", "R2", 2]]);

function spyWorld(w: World) {
  const seen: { source: SourceName; ctx: RecContext }[] = [];
  for (const name of Object.keys(w.sources) as SourceName[]) {
    const orig = w.sources[name];
    w.sources[name] = { name, candidates: (ctx, k) => (seen.push({ source: name, ctx }), orig.candidates(ctx, k)) };
  }
  return seen;
}

describe("opt-out", () => {
  for (const placement of ["home", "general", "product", "cart", "email"] as const) {
    it(`${placement}: an opted-out customer gets exactly the anonymous list, and no source sees their data`, () => {
      const w = world({ catalog, events, customers, visual, cf, boughtTogether: bt });
      const seen = spyWorld(w);
      const req = { placement, productId: placement === "product" ? "R1" : null, cart: placement === "cart" ? ["N1"] : [] };
      const opted = recommend(w, contextFor(w, { ...req, customerId: "Opt" }), 5);
      const anonymous = recommend(w, contextFor(w, { ...req }), 5);
      expect(opted).toEqual(anonymous);
      expect(seen.length).toBeGreaterThan(0);
      for (const s of seen) {
        expect(s.ctx.customer).toBeNull();
        expect(s.ctx.history).toEqual([]);
        expect(s.ctx.purchased.size).toBe(0);
      }
      expect(JSON.stringify(opted)).not.toContain("Opt");
    });
  }

  it("without the opt-out the same customer's data changes the list (the assertion above can fail)", () => {
    const w = world({ catalog, events, customers: customers.map((c) => (c.id === "Opt" ? { ...c, optOut: false } : c)), visual, cf, boughtTogether: bt });
    const personal = recommend(w, contextFor(w, { placement: "home", customerId: "Opt" }), 5);
    const anonymous = recommend(w, contextFor(w, { placement: "home" }), 5);
    expect(personal).not.toEqual(anonymous);
  });
});

describe("demographic segments", () => {
  it("a small segment leans on its own purchases, smoothed toward its parents, and says so", () => {
    const w = world({ catalog, events, customers, settings: PLAIN });
    const anna = recommend(w, contextFor(w, { placement: "home", customerId: "Anna" }), 3, { weights: { demographic: 1 }, rules: { priceBand: { enabled: false, margin: 0.5 } } as never });
    expect(ids(anna)[0]).toBe("E1"); // her segment's purchase beats the shop's best seller N1
    expect(ids(anna)).toContain("N1"); // smoothing: the parent's best seller is still there
    expect(anna[0].reasons[0].code).toBe("popular_in_segment");
    expect(renderReason(anna[0].reasons[0], "en")).toBe("popular with women 26-35 in Austria");
    expect(renderReason(anna[0].reasons[0], "de")).toBe("beliebt bei Frauen 26-35 in Österreich");
    const anon = recommend(w, contextFor(w, { placement: "home" }), 1, { weights: { demographic: 1 } });
    expect(ids(anon)).toEqual(["N1"]);
    expect(anon[0].reasons[0].code).toBe("popular_in_shop");
  });

  it("a segment without data is its parent (men 36-45 in Austria -> men 36-45)", () => {
    const w = world({ catalog, events, customers: [...customers, profile("Hans", { gender: "male", ageGroup: "36-45", country: "AT" })], settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "home", customerId: "Hans" }), 1, { weights: { demographic: 1 } });
    expect(ids(recs)).toEqual(["N1"]);
    expect(renderReason(recs[0].reasons[0], "en")).toBe("popular with men 36-45");
  });

  it("trending: share growth in the recent window beats steady best sellers", () => {
    const old = ["M1", "M2", "M3"].map((c, j) => ({ customer: c, product: "N1", type: "purchase" as const, at: NOW - 40 * DAY, order: `old${j}` }));
    const recent = [{ customer: "M1", product: "N1", type: "purchase" as const, at: NOW - DAY, order: "r0" }, { customer: "M2", product: "E2", type: "purchase" as const, at: NOW - DAY, order: "r1" }];
    const ev = makeEvents(catalog, [...old, ...recent]);
    const w = world({ catalog, events: ev, customers, settings: mergeOverrides(PLAIN, { global: { demographicMode: "trending" } }) });
    const recs = recommend(w, contextFor(w, { placement: "home", customerId: "M3" }), 1, { weights: { demographic: 1 } });
    expect(ids(recs)).toEqual(["E2"]);
    expect(renderReason(recs[0].reasons[0], "en")).toBe("trending with men 36-45 in Germany");
  });
});

describe("cold start", () => {
  it("a new customer gets segment popularity; after one view, visual neighbours", () => {
    const w = world({ catalog, events, customers: [...customers, profile("Newbie", { gender: "female", ageGroup: "26-35", country: "AT" })], visual, settings: PLAIN });
    const first = recommend(w, contextFor(w, { placement: "general", customerId: "Newbie" }), 3);
    expect(ids(first)[0]).toBe("E1");
    expect(first[0].reasons[0].code).toBe("popular_in_segment");
    const afterView = recommend(w, contextFor(w, { placement: "general", customerId: "Newbie", recent: ["R1"] }), 3);
    expect(ids(afterView).slice(0, 2).sort()).toEqual(["NEW", "R2"]);
    expect(renderReason(afterView[0].reasons[0], "en")).toBe("looks like the ring you viewed");
  });

  it("a new product without any behaviour is recommended through visual similarity at once", () => {
    const w = world({ catalog, events, visual, settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "product", productId: "R1" }), 2);
    expect(ids(recs)[0]).toBe("NEW");
    expect(w.eventCount[catalog.index.get("NEW")!]).toBe(0);
  });

  it("a shop without behaviour data still gets full lists for every placement", () => {
    const w = world({ catalog, visual });
    for (const placement of ["home", "general", "product", "cart", "email"] as const) {
      const recs = recommend(w, contextFor(w, { placement, productId: placement === "product" ? "R1" : null, cart: placement === "cart" ? ["N1"] : [] }), 4);
      expect(recs.length, placement).toBe(placement === "email" ? 1 : 4); // email: new products only, and there is one
    }
  });

  it("an anonymous session's views fold into a CF vector (no trained vector needed)", () => {
    const w = world({ catalog, events, cf, settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "home", recent: ["R2"] }), 3, { weights: { collaborative: 1 } });
    expect(recs[0].contributions.collaborative).toBeGreaterThan(0);
    const vec = w.userVector(contextFor(w, { placement: "home", recent: ["R2"] }));
    expect(vec && vec[0]).toBeGreaterThan(0);
  });
});

describe("recency", () => {
  it("spreads recent events to visual and bought-together neighbours, newer events weighing more", () => {
    const ev = makeEvents(catalog, [
      { customer: "Anna", product: "M1", type: "view", at: NOW - 20 * DAY },
      { customer: "Anna", product: "R1", type: "view", at: NOW - 3_600_000 },
    ]);
    const w = world({ catalog, events: ev, customers, visual, boughtTogether: bt, settings: PLAIN });
    const recs = recommend(w, contextFor(w, { placement: "home", customerId: "Anna" }), 4, { weights: { recency: 1 }, rules: { gender: { enabled: false, factor: 1 }, priceBand: { enabled: false, margin: 0 } } as never });
    const top = ids(recs);
    expect(top.slice(0, 2).sort()).toEqual(["NEW", "R2"]); // neighbours of the recent view
    expect(top).not.toContain("E2"); // bought with the 20-day-old view: decayed away behind the fresh ones
    expect(recs.some((r) => r.reasons.some((x) => x.code === "bought_with"))).toBe(true);
  });
});
