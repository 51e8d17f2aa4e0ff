import { describe, expect, it } from "vitest";
import { changedKnobs, searchSettings, type Knob } from "../../app/recommend/eval/tuning";
import { placementKnobs } from "../../app/recommend/eval/run";
import { DEFAULT_SETTINGS } from "../../app/recommend/settings";

type S = { a: number; b: number };
const knobs: Knob<S>[] = [
  { name: "a", values: [0, 1, 2, 3], get: (s) => s.a, set: (s, v) => ({ ...s, a: v }) },
  { name: "b", values: [0, 1, 2, 3], get: (s) => s.b, set: (s, v) => ({ ...s, b: v }) },
];
// A separable bowl with its maximum at a = 2, b = 1.
const score = (s: S) => -((s.a - 2) ** 2) - (s.b - 1) ** 2;

describe("settings search", () => {
  it("coordinate search finds the maximum and never re-scores a setting", () => {
    const seen: string[] = [];
    const r = searchSettings({ a: 0, b: 3 }, knobs, (s) => (seen.push(JSON.stringify(s)), score(s)));
    expect(r.best).toEqual({ a: 2, b: 1 });
    expect(r.bestScore).toBeCloseTo(0, 12);
    expect(new Set(seen).size).toBe(seen.length);
    expect(changedKnobs(r, knobs)).toEqual({ a: { from: 0, to: 2 }, b: { from: 3, to: 1 } });
  });
  it("keeps the start when nothing beats it by minGain", () => {
    const r = searchSettings({ a: 2, b: 1 }, knobs, score, { minGain: 0.5 });
    expect(r.best).toEqual({ a: 2, b: 1 });
    expect(changedKnobs(r, knobs)).toEqual({});
  });
  it("a gain the accept test refuses is not taken (the blend tuner's noise test)", () => {
    // Only moves of knob b are accepted: a stays at its start although a = 2 scores higher.
    const asked: [S, S][] = [];
    const r = searchSettings({ a: 0, b: 3 }, knobs, score, { accept: (c, i) => (asked.push([c, i]), c.a === i.a) });
    expect(r.best).toEqual({ a: 0, b: 1 });
    expect(asked.length).toBeGreaterThan(0);
    for (const [c, i] of asked) expect(score(c)).toBeGreaterThan(score(i));
  });
  it("random search is reproducible for a seed and never worse than the start", () => {
    const a = searchSettings({ a: 0, b: 3 }, knobs, score, { strategy: "random", budget: 12, seed: 3 });
    const b = searchSettings({ a: 0, b: 3 }, knobs, score, { strategy: "random", budget: 12, seed: 3 });
    expect(a.best).toEqual(b.best);
    expect(a.bestScore).toBeGreaterThanOrEqual(a.startScore);
  });
  it("the only thing the search can observe is the score function it is given", () => {
    // The search sees settings, not data: whatever `score` evaluates on is all it learns from.
    const calls: S[] = [];
    searchSettings({ a: 1, b: 1 }, knobs, (s) => (calls.push(s), 0));
    for (const c of calls) expect(Object.keys(c).sort()).toEqual(["a", "b"]);
  });
});

describe("placement knobs", () => {
  it("cover the six compared sources, the price band and MMR, and write complete settings", () => {
    const start = DEFAULT_SETTINGS.placements.home;
    const ks = placementKnobs(start);
    expect(ks.map((k) => k.name)).toEqual([
      "weight.visual",
      "weight.collaborative",
      "weight.bought-together",
      "weight.demographic",
      "weight.recency",
      "weight.recent-popularity",
      "rules.priceBand.margin",
      "diversity.maxPriceTierShare",
      "diversity.explorationSlots",
      "diversity.mmrLambda",
    ]);
    const band = ks.find((k) => k.name === "rules.priceBand.margin")!;
    const off = band.set(start, 0);
    expect(off.rules.priceBand.enabled).toBe(false);
    expect(band.get(off)).toBe(0);
    expect(band.get(band.set(off, 1))).toBe(1);
    const w = ks[1].set(start, 0.15);
    expect(w.weights).toEqual({ collaborative: 0.15, recency: 0.4 });
    expect(start.weights).toEqual({ collaborative: 0.6, recency: 0.4 }); // the defaults are not mutated
  });
});
