/**
 * Issue 14, points 3 and 5 at train time: the blend tuner (hybrid/tuneBlend.ts) chooses a
 * placement's weights on validation customers, the guard switches the placement to its best single
 * source when the blend is worse, and what it decided is served (tunedSettings, blendGuardsOf) and
 * said in plain words (blendNotes).
 */
import { describe, expect, it } from "vitest";
import { beyondNoise, blendGuardsOf, blendNotes, tuneBlends, tunedSettings, type TuneBlendOptions } from "../../app/recommend/hybrid/tuneBlend";
import { contextFor } from "../../app/recommend/context";
import { recommendTraced } from "../../app/recommend/pipeline";
import { mergeSettings, DEFAULT_SETTINGS } from "../../app/recommend/settings";
import { DAY, NOW, PLAIN, makeCatalog, makeEvents, mergeOverrides, world } from "./fixtures";

const catalog = makeCatalog(["OLD", "P1", "P2", "X"].map((id) => ({ id })));
// Forty days ago OLD was the bestseller; in the last month P1 and P2 sell. The validation customers go on to buy P1.
const rows = [
  ...Array.from({ length: 30 }, (_, j) => ({ customer: `A${j}`, product: "OLD", type: "purchase" as const, at: NOW - 40 * DAY, order: `A${j}` })),
  ...["P1", "P1", "P2"].map((p, j) => ({ customer: `B${j}`, product: p, type: "purchase" as const, at: NOW - (j + 1) * DAY, order: `B${j}` })),
];
const users = Array.from({ length: 40 }, (_, j) => ({ id: `V${j}`, relevant: new Set([catalog.index.get("P1")!]) }));
const settings = mergeOverrides(PLAIN, { placements: { home: { weights: { popularity: 1 } } } });
const w = world({ catalog, events: makeEvents(catalog, rows), settings });

describe("train-time blend tuning and the guard", () => {
  it("the guard switches on when the served blend is worse than a single source (no budget to search)", () => {
    const t = tuneBlends(w, users, NOW, { clock: () => 0, budgetSeconds: 0, placements: ["home"], k: 3 });
    const home = t.placements.home!;
    expect(home.chosen).toEqual({ popularity: 1 }); // nothing searched: the defaults
    expect(home.sourceScores["recent-popularity"]).toBeCloseTo(1, 9); // P1 first
    expect(home.chosenScore).toBeLessThan(home.sourceScores["recent-popularity"]!);
    expect(home.guard).toMatchObject({ placement: "home", source: "recent-popularity" });
    // Stored with the model version and served: the placement is served by that source alone.
    const params = { blend: t };
    const guarded = world({ catalog, events: makeEvents(catalog, rows), settings, guards: blendGuardsOf(params) });
    const tr = recommendTraced(guarded, contextFor(guarded, { placement: "home", customerId: "V0", now: NOW }), 3);
    expect(tr.sources.map((s) => s.name)).toEqual(["recent-popularity"]);
    expect(catalog.ids[tr.items[0].item]).toBe("P1");
    const notes = blendNotes(params);
    expect(notes.some((n) => n.includes('served by "recent-popularity" alone'))).toBe(true);
  });

  it("with a budget the search finds weights at least as good as every single source: no fallback", () => {
    let ms = 0;
    const t = tuneBlends(w, users, NOW, { clock: () => (ms += 1), budgetSeconds: 60, placements: ["home"], k: 3 });
    const home = t.placements.home!;
    expect(home.chosen["recent-popularity"]).toBeGreaterThan(0);
    expect(home.chosenScore).toBeGreaterThanOrEqual(Math.max(...Object.values(home.sourceScores).map(Number)));
    expect(home.guard).toBeNull();
    const served = tunedSettings(mergeSettings(DEFAULT_SETTINGS, settings), { blend: t });
    expect(served.placements.home.weights).toEqual(home.chosen);
    expect(served.placements.product).toEqual(mergeSettings(DEFAULT_SETTINGS, settings).placements.product);
    expect(blendNotes({ blend: t })[0]).toMatch(/Placement "home": weights .*recent-popularity .*\(defaults: popularity 1\)/);
  });

  it("a budget that runs out right after the single sources still leaves the best one: the search starts from it", () => {
    let calls = 0;
    const logs: string[] = [];
    // Each clock reading is one second later (start 0, the start check 1 < 1.5 s, the search's first stop check 2 s: stop).
    const t = tuneBlends(w, users, NOW, { clock: () => 1000 * calls++, budgetSeconds: 1.5, placements: ["home"], k: 3, log: (m) => logs.push(m) });
    const home = t.placements.home!;
    expect(home.chosen).toEqual({ "recent-popularity": 1 });
    expect(home.chosenScore).toBe(home.sourceScores["recent-popularity"]);
    expect(home.defaultScore).toBeLessThan(home.chosenScore);
    expect(home.guard).toBeNull();
    expect(t.stoppedByBudget).toBe(true);
    expect(logs[0]).toMatch(/from recent-popularity alone/);
  });

  it("chooses the recent-popularity window on validation and serves it", () => {
    const cat = makeCatalog(["OLD", "NEW", "Y"].map((id) => ({ id })));
    // Twenty days ago OLD sold to ten customers; in the last week NEW to three. The validation customers buy NEW.
    const ev = makeEvents(cat, [
      ...Array.from({ length: 10 }, (_, j) => ({ customer: `A${j}`, product: "OLD", type: "purchase" as const, at: NOW - 20 * DAY, order: `A${j}` })),
      ...Array.from({ length: 3 }, (_, j) => ({ customer: `B${j}`, product: "NEW", type: "purchase" as const, at: NOW - 2 * DAY, order: `B${j}` })),
    ]);
    const base = mergeOverrides(PLAIN, { placements: { home: { weights: { "recent-popularity": 1 } } } });
    const at = (days: number) => world({ catalog: cat, events: ev, settings: mergeOverrides(base, { global: { recentPopularityDays: days } }) });
    const buyers = Array.from({ length: 40 }, (_, j) => ({ id: `V${j}`, relevant: new Set([cat.index.get("NEW")!]) }));
    let ms = 0;
    const t = tuneBlends(at(30), buyers, NOW, { clock: () => (ms += 1), budgetSeconds: 60, placements: ["home"], k: 1, worldWithWindow: at });
    expect(t.recentWindow).toMatchObject({ defaultDays: 30, chosenDays: 7 });
    expect(t.recentWindow!.scores["30"]).toBe(0); // OLD first
    expect(t.recentWindow!.scores["7"]).toBe(1);
    expect(t.placements.home!.chosenScore).toBe(1); // the weights were searched in the chosen world
    expect(tunedSettings(mergeSettings(DEFAULT_SETTINGS, base), { blend: t }).global.recentPopularityDays).toBe(7);
    expect(blendNotes({ blend: t })[0]).toMatch(/Recent bestsellers window: 7 days \(default: 30\)/);
    // Without a world per window the window is not tuned and the shop's stays.
    const plain = tuneBlends(at(30), buyers, NOW, { clock: () => (ms += 1), budgetSeconds: 60, placements: ["home"], k: 1 });
    expect(plain.recentWindow).toBeUndefined();
    expect(tunedSettings(mergeSettings(DEFAULT_SETTINGS, base), { blend: plain }).global.recentPopularityDays).toBe(30);
  });

  it("too few validation customers: nothing is tuned, and the admin is told", () => {
    const t = tuneBlends(w, users.slice(0, 5), NOW, { clock: () => 0, budgetSeconds: 60 });
    expect(t.placements).toEqual({});
    expect(blendNotes({ blend: t })[0]).toMatch(/not tuned/);
    expect(tunedSettings(mergeSettings(DEFAULT_SETTINGS, settings), { blend: t }).placements.home.weights).toEqual({ popularity: 1 });
  });

  describe("noise-aware acceptance (a move away from the shop's weights needs a gain beyond noise)", () => {
    // The same shop; of the 40 validation customers only `buyers` go on to buy P1 (first under
    // recent popularity), the others X (first under no source). Popularity (the shop's weights) puts OLD first.
    const cohort = (buyers: number) =>
      Array.from({ length: 40 }, (_, j) => ({ id: `V${j}`, relevant: new Set([catalog.index.get(j < buyers ? "P1" : "X")!]) }));
    const tune = (buyers: number, extra: Partial<TuneBlendOptions> = {}) => {
      let ms = 0;
      return tuneBlends(w, cohort(buyers), NOW, { clock: () => (ms += 1), budgetSeconds: 60, placements: ["home"], k: 1, ...extra }).placements.home!;
    };

    it("a gain carried by one customer of 40 is noise: the shop's weights stay and the guard stays off", () => {
      const home = tune(1);
      expect(home.sourceScores["recent-popularity"]).toBeCloseTo(1 / 40, 9); // 0.025 above the defaults: far above minGain
      expect(home.defaultScore).toBe(0);
      expect(home.chosen).toEqual({ popularity: 1 });
      expect(home.guard).toBeNull();
      // The search moved; the confirmation on the same customers found it within noise.
      expect(home.confirmation).toMatchObject({ users: 40, kept: false });
      expect(home.confirmation!.gain).toBeCloseTo(1 / 40, 9);
      expect(home.confirmation!.lo).toBe(0);
      const t = tuneBlends(w, cohort(1), NOW, { clock: () => 0, budgetSeconds: 60, placements: ["home"], k: 1 });
      expect(blendNotes({ blend: t }).join(" ")).toMatch(/better on 40 validation customers only within noise .*your weights are kept/);
      // The plain comparison (noise: false, as before) takes that gain and moves.
      const plain = tune(1, { noise: false });
      expect(plain.chosen["recent-popularity"]).toBeGreaterThan(0);
      expect(plain.chosenScore).toBeCloseTo(1 / 40, 9);
    });

    it("a gain carried by half the customers is real: the search moves, and with no budget the guard falls back", () => {
      const home = tune(20);
      expect(home.chosen["recent-popularity"]).toBeGreaterThan(0);
      expect(home.chosenScore).toBeCloseTo(0.5, 9);
      expect(home.confirmation).toMatchObject({ users: 40, kept: true });
      expect(home.guard).toBeNull();
      const t = tuneBlends(w, cohort(20), NOW, { clock: () => 0, budgetSeconds: 0, placements: ["home"], k: 1 });
      expect(t.placements.home!.chosen).toEqual({ popularity: 1 });
      expect(t.placements.home!.guard).toMatchObject({ source: "recent-popularity", sourceScore: 0.5, blendScore: 0 });
    });

    it("the confirmation customers decide: a gain on the search's sample that the others do not show is not served", () => {
      let ms = 0;
      // The search sees 40 buyers of P1; the confirmation adds 360 customers who buy OLD (first under the shop's popularity).
      const sample = cohort(40);
      const others = Array.from({ length: 360 }, (_, j) => ({ id: `W${j}`, relevant: new Set([catalog.index.get("OLD")!]) }));
      const t = tuneBlends(w, sample, NOW, { clock: () => (ms += 1), budgetSeconds: 60, placements: ["home"], k: 1, confirmUsers: [...sample, ...others] });
      const home = t.placements.home!;
      expect(home.chosenScore).toBe(home.defaultScore);
      expect(home.chosen).toEqual({ popularity: 1 });
      expect(home.sourceScores["recent-popularity"]).toBe(1); // on the search's sample
      expect(home.confirmation).toMatchObject({ users: 400, kept: false });
      expect(home.confirmation!.gain).toBeCloseTo((40 - 360) / 400, 9);
      expect(home.guard).toBeNull(); // recent popularity alone loses on the confirmation customers
    });

    it("beyondNoise: the lower bound of the paired bootstrap interval of the differences", () => {
      const zeros = new Array(300).fill(0);
      // Three customers of 300 gain 1: mean +0.01, a fifth of resamples has none of them.
      const few = zeros.map((_, i) => (i < 3 ? 1 : 0));
      expect(beyondNoise(few, zeros)).toBe(false);
      // Sixty of 300 gain 0.5: mean +0.1, never all left out.
      const many = zeros.map((_, i) => (i < 60 ? 0.5 : 0));
      expect(beyondNoise(many, zeros)).toBe(true);
      // Paired: a constant shift is beyond noise even when each list alone varies a lot.
      const a = zeros.map((_, i) => (i % 2 ? 1 : 0));
      expect(beyondNoise(a.map((v) => v + 0.01), a)).toBe(true);
      expect(beyondNoise(a, a)).toBe(false);
      expect(() => beyondNoise([1], [1, 2])).toThrow(/same customers/);
    });
  });
});
