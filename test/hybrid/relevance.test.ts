/**
 * Issue 14 on real data (UCI Online Retail), the changes behind blend:home: recent popularity counts
 * customers, not units; the collaborative source's item-based part reads every product a customer
 * bought (not only the newest HISTORY_CAP events) and proposes only products the placement can show.
 */
import { describe, expect, it } from "vitest";
import { windowCounts } from "../../app/recommend/sources/recentPopularity";
import { HISTORY_CAP } from "../../app/recommend/world";
import { contextFor } from "../../app/recommend/context";
import { recommend, sourceCandidates } from "../../app/recommend/pipeline";
import { DEFAULT_SETTINGS, mergeSettings } from "../../app/recommend/settings";
import { DAY, NOW, PLAIN, makeCatalog, makeCf, makeEvents, makeNeighbours, world, type EventSpec } from "./fixtures";

const catalog = makeCatalog(["BULK", "GIFT", "A", "B", "C", "D"].map((id) => ({ id })));
const purchase = (customer: string, product: string, at: number, quantity = 1): EventSpec => ({ customer, product, type: "purchase", at, order: `${customer}-${product}-${at}`, quantity });

describe("recent popularity counts customers", () => {
  it("a wholesaler's 2,000 units are one buyer; three customers buying one unit each are three", () => {
    const rows = [purchase("W", "BULK", NOW - DAY, 2000), purchase("W", "BULK", NOW - 2 * DAY, 500), ...["X", "Y", "Z"].map((c) => purchase(c, "GIFT", NOW - DAY))];
    const weights = [1, 0.5, 3, 0, 3, 6]; // view, click, add_to_cart, remove_from_cart, add_to_wishlist, purchase
    const r = windowCounts(makeEvents(catalog, rows), catalog.ids.length, NOW, 30, weights);
    expect(catalog.ids[r.top[0]]).toBe("GIFT");
    expect(r.counts[catalog.index.get("BULK")!]).toBe(6); // one customer's purchase weight, once
    expect(r.counts[catalog.index.get("GIFT")!]).toBe(18);
  });

  it("a customer counts once per product with their strongest event; anonymous events count each", () => {
    const rows: EventSpec[] = [
      { customer: "V", product: "A", type: "view", at: NOW - DAY },
      { customer: "V", product: "A", type: "view", at: NOW - DAY + 1 },
      { customer: "V", product: "A", type: "add_to_cart", at: NOW - DAY + 2 },
      { customer: null, product: "B", type: "view", at: NOW - DAY },
      { customer: null, product: "B", type: "view", at: NOW - DAY + 5 },
      { customer: "V", product: "C", type: "view", at: NOW - 40 * DAY }, // outside the window
    ];
    const r = windowCounts(makeEvents(catalog, rows), catalog.ids.length, NOW, 30, [1, 0.5, 3, 0, 3, 6]);
    expect(r.counts[catalog.index.get("A")!]).toBe(3);
    expect(r.counts[catalog.index.get("B")!]).toBe(2);
    expect(r.counts[catalog.index.get("C")!]).toBe(0);
  });

  it("skips what the customer already bought, so the list has products the placement can show", () => {
    const rows = [...["X", "Y", "Z"].map((c) => purchase(c, "GIFT", NOW - DAY)), purchase("X", "A", NOW - DAY), purchase("Y", "A", NOW - DAY), purchase("Z", "B", NOW - DAY)];
    const w = world({ catalog, events: makeEvents(catalog, rows), settings: PLAIN });
    const ids = sourceCandidates(w, "recent-popularity", contextFor(w, { placement: "home", customerId: "X" }), 3).map((c) => catalog.ids[c.item]);
    expect(ids).toEqual(["B"]);
  });
});

describe("the collaborative source's item-based part", () => {
  // EASE rows by hand: A points to B, C points to D.
  const weights = makeNeighbours(catalog, [["A", "B", 1], ["C", "D", 0.5]]);
  const cf = { ...makeCf(catalog, 2, {}, {}), ease: { weights, weight: 1, lambda: 200 } };

  it("reads every product the customer bought, also beyond the newest HISTORY_CAP events", () => {
    // A bought long ago, then more than HISTORY_CAP newer events of one other product.
    const rows: EventSpec[] = [purchase("H", "A", NOW - 300 * DAY), ...Array.from({ length: HISTORY_CAP + 20 }, (_, j) => ({ customer: "H", product: "GIFT", type: "view" as const, at: NOW - 100 * DAY + j * 1000 }))];
    const w = world({ catalog, events: makeEvents(catalog, rows), cf, settings: PLAIN });
    const ctx = contextFor(w, { placement: "home", customerId: "H" });
    expect(ctx.history.some((e) => e.item === catalog.index.get("A"))).toBe(false); // A is out of the capped history
    expect(sourceCandidates(w, "collaborative", ctx, 3).map((c) => catalog.ids[c.item])).toContain("B");
  });

  it("proposes no product the customer bought: its pool is filled with showable ones", () => {
    // A, B and C bought: EASE scores A and B 1 each (they point to each other), D 0.5 (from C).
    const rows = [purchase("K", "A", NOW - 5 * DAY), purchase("K", "B", NOW - 4 * DAY), purchase("K", "C", NOW - 3 * DAY)];
    const w = world({ catalog, events: makeEvents(catalog, rows), cf, settings: PLAIN });
    const ctx = contextFor(w, { placement: "home", customerId: "K" });
    const raw = w.sources.collaborative.candidates(ctx, 1).map((c) => catalog.ids[c.item]);
    expect(raw).toEqual(["D"]); // A and B score higher but were bought: not taken for the single slot
    expect(recommend(w, ctx, 1, { weights: { collaborative: 1 } }).map((r) => catalog.ids[r.item])).toEqual(["D"]);
  });
});

describe("offline evaluation serves what the train job serves", () => {
  it("with the shop, the evaluation's trainer tunes the blend on its own validation slice and serves its weights, window and guards", async () => {
    const { hybridDeps } = await import("../../app/recommend/eval/hybrid");
    const { plantedWorld } = await import("../cf/world");
    const planted = plantedWorld({ customers: 150, items: 40, groups: 4, orders: 5, noise: 2, seed: 5 });
    const cat = makeCatalog(Array.from({ length: planted.nItems }, (_, i) => ({ id: `P${String(i).padStart(2, "0")}` })));
    const shop = { customers: [], visual: null, settings: mergeSettings(DEFAULT_SETTINGS, PLAIN) };
    let ms = 0;
    const deps = hybridDeps({ als: { kernel: "js", factors: 8 }, tune: { fixed: ["factors", "alpha", "regularization", "halfLifeDays", "scale"], easeLambdas: [] } }, { clock: () => (ms += 1) });
    let last = 0;
    for (let i = 0; i < planted.events.length; i++) last = Math.max(last, planted.events.at[i]);
    const out = deps.train(cat, planted.events, last + 1, shop);
    expect(out.served).toBeDefined();
    expect(out.served!.settings.global.recentPopularityDays).toBeGreaterThan(0);
    // The served home weights are the tuner's choice, not necessarily the shop's.
    expect(Object.keys(out.served!.settings.placements.home.weights).length).toBeGreaterThan(0);
    // Without the shop (as before), nothing besides the model.
    expect(deps.train(cat, planted.events, last + 1).served).toBeUndefined();
  });
});
