import { describe, expect, it } from "vitest";
import { evaluateRecommenders, evaluationUsers, pairedDifference, itemUserCounts, popularityRecommender, randomRecommender, type EvalRecommender } from "../../app/recommend/eval/evaluate";
import { groupUsers, valueTierBounds, segmentsOf } from "../../app/recommend/eval/segments";
import { DAY, profile, table, tinyCatalog } from "./fixtures";

const catalog = tinyCatalog(6);
const fixed = (name: string, lists: Record<number, number[]>): EvalRecommender => ({ name, kind: "baseline", recommend: (u) => lists[u] ?? [] });

describe("aggregation over customers", () => {
  // Customer 0 bought {1}; customer 1 bought {2, 3}; customer 2 has no test items (left out).
  const test = new Map<number, Set<number>>([[0, new Set([1])], [1, new Set([2, 3])], [2, new Set()]]);
  const input = {
    k: 2,
    test,
    customerIds: ["A", "B", "C"],
    profiles: new Map([["A", profile("A", { gender: "female" })], ["B", profile("B", { gender: "male" })]]),
    catalog,
    similarity: (a: number, b: number) => (a + b === 3 ? 1 : 0),
    itemUsers: [0, 1, 1, 0, 0, 0],
    trainUsers: 1,
  };
  it("means, coverage and users match hand computation", () => {
    // A: [1, 0] -> hit at rank 1: P = 1/2, R = 1, NDCG = 1, AP = 1. B: [0, 4] -> nothing.
    const run = evaluateRecommenders([fixed("x", { 0: [1, 0], 1: [0, 4] })], input, { bootstrapSamples: 50 });
    const r = run.results[0];
    expect(r.users).toBe(2);
    expect(r.precision).toBeCloseTo(0.25, 12);
    expect(r.recall).toBeCloseTo(0.5, 12);
    expect(r.ndcg).toBeCloseTo(0.5, 12);
    expect(r.map).toBeCloseTo(0.5, 12);
    expect(r.hit_rate).toBeCloseTo(0.5, 12);
    expect(r.coverage).toBeCloseTo(3 / 6, 12); // {0, 1, 4}
    expect(r.diversity).toBeCloseTo(1, 12); // pairs (1,0) and (0,4): similarity 0
    expect(r.segments.gender.female).toMatchObject({ users: 1, ndcg: 1 });
    expect(r.segments.gender.male).toMatchObject({ users: 1, ndcg: 0 });
    expect(r.ci.ndcg[0]).toBeLessThanOrEqual(0.5);
    expect(r.ci.ndcg[1]).toBeGreaterThanOrEqual(0.5);
  });
  it("empty lists score 0 and are counted", () => {
    const r = evaluateRecommenders([fixed("none", {})], input).results[0];
    expect(r.ndcg).toBe(0);
    expect(r.empty_lists).toBe(2);
    expect(r.coverage).toBe(0);
    expect(r.novelty).toBeNaN();
  });
  it("no test customers at all gives zeros, not NaN", () => {
    const r = evaluateRecommenders([fixed("x", {})], { ...input, test: new Map() }).results[0];
    expect(r.users).toBe(0);
    expect(r.ndcg).toBe(0);
  });
  it("samples users reproducibly", () => {
    const many = new Map(Array.from({ length: 100 }, (_, i) => [i, new Set([1])]));
    expect(evaluationUsers(many, 10, 1)).toEqual(evaluationUsers(many, 10, 1));
    expect(evaluationUsers(many, 10, 1)).toHaveLength(10);
    expect(evaluationUsers(many, undefined, 1)).toHaveLength(100);
  });
});

describe("baselines", () => {
  const events = table(
    ["A", "B", "C"],
    [
      { customer: 0, item: 2, type: "purchase", at: DAY, fromOrder: true },
      { customer: 1, item: 2, type: "purchase", at: DAY, fromOrder: true },
      { customer: 1, item: 4, type: "purchase", at: DAY, fromOrder: true },
      { customer: 2, item: 5, type: "purchase", at: DAY, fromOrder: true, cancelled: true },
      { customer: 2, item: 3, type: "view", at: DAY },
    ],
  );
  it("popularity ranks by units bought, views break ties, ties by index; purchased products left out", () => {
    const pop = popularityRecommender(catalog, events);
    expect(pop.recommend(2, 4)).toEqual([2, 4, 3, 0]);
    expect(pop.recommend(0, 2)).toEqual([4, 3]);
  });
  it("random is seeded per customer, in stock, without purchased products", () => {
    const a = randomRecommender(catalog, events, 1);
    expect(a.recommend(1, 4)).toEqual(randomRecommender(catalog, events, 1).recommend(1, 4));
    expect(a.recommend(1, 4)).not.toContain(2);
    expect(new Set(a.recommend(0, 5)).size).toBe(5);
  });
  it("item user counts for novelty count distinct customers, not events", () => {
    const { counts, users } = itemUserCounts(events, 6);
    expect(Array.from(counts)).toEqual([0, 0, 2, 1, 1, 0]);
    expect(users).toBe(3);
  });
});

describe("segments", () => {
  it("puts missing attributes in 'unknown' and value tiers by terciles", () => {
    const ps = [profile("A", { lifetimeValue: 10 }), profile("B", { lifetimeValue: 20, country: "at" }), profile("C", { avgOrderValue: 30 }), profile("D")];
    const bounds = valueTierBounds(ps);
    expect(segmentsOf(ps[0], bounds)).toEqual({ age_group: "unknown", gender: "unknown", country: "unknown", value_tier: "low" });
    expect(segmentsOf(ps[1], bounds).country).toBe("AT");
    expect(segmentsOf(ps[2], bounds).value_tier).toBe("high");
    expect(segmentsOf(ps[3], bounds).value_tier).toBe("unknown");
    const g = groupUsers(["A", "B", "Z"], new Map(ps.map((p) => [p.id, p])), bounds);
    expect(g.get("country")!.get("unknown")).toEqual([0, 2]);
  });
});

describe("paired comparison", () => {
  it("bootstraps the mean per-customer difference, leaving out NaN pairs", () => {
    const a = Array.from({ length: 100 }, (_, i) => (i % 2 ? 0.6 : 0.4));
    const b = a.map((x) => x - 0.1);
    const d = pairedDifference(a, b, 200, 1);
    expect(d.mean).toBeCloseTo(0.1, 12);
    expect(d.lo).toBeCloseTo(0.1, 12); // every pair differs by exactly 0.1
    expect(pairedDifference([1, NaN, 0], [0, 1, 0]).mean).toBeCloseTo(0.5, 12);
    const noisy = pairedDifference([1, 0, 1, 0], [0, 1, 0, 1], 500, 2);
    expect(noisy.lo).toBeLessThan(0);
    expect(noisy.hi).toBeGreaterThan(0);
  });
});
