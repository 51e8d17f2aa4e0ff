import { describe, expect, it } from "vitest";
import { compareShares, fairnessReport, priceBands } from "../../app/recommend/eval/fairness";
import { valueTierBounds } from "../../app/recommend/eval/segments";
import { profile, tinyCatalog } from "./fixtures";

// 8 products: 0-3 female, 4-7 male; prices 10, 20, ..., 80 (quartile bands of two products each).
const catalog = tinyCatalog(8, { gender: (i) => (i < 4 ? "female" : "male"), price: (i) => 10 * (i + 1), brand: (i) => (i % 2 ? "Odd" : "Even") });

describe("shares and gaps", () => {
  it("total variation distance is half the sum of absolute gaps", () => {
    const r = compareShares({ a: 0.8, b: 0.2 }, { a: 0.5, b: 0.3, c: 0.2 });
    expect(r.tvd).toBeCloseTo((0.3 + 0.1 + 0.2) / 2, 12);
    expect(r.largestGap).toEqual({ value: "a", gap: expect.closeTo(0.3, 12) });
  });
  it("price bands are catalogue quartiles", () => {
    const b = priceBands(catalog.price);
    expect(b.map((x) => x.band)).toEqual(["budget", "mid", "premium", "luxury"]);
    expect(b[1].from).toBeCloseTo(27.5, 12); // quantile 0.25 of 10..80
    expect(b[3].to).toBe(Infinity);
  });
});

describe("fairness report", () => {
  // 20 women and 20 men. Everybody buys female products 0, 1; the recommender shows women
  // female products and men only male products: men are shown what they do not buy.
  const profiles = new Map<string, ReturnType<typeof profile>>();
  const lists = new Map<string, number[]>();
  const purchases = new Map<string, number[]>();
  for (let c = 0; c < 40; c++) {
    const id = `C${c}`;
    const woman = c < 20;
    profiles.set(id, profile(id, { gender: woman ? "female" : "male", lifetimeValue: c < 10 ? 10 : c < 30 ? 100 : 1000 }));
    lists.set(id, woman ? [0, 1] : [6, 7]);
    purchases.set(id, [0, 1]);
  }
  const report = fairnessReport("blend:home", lists, purchases, profiles, valueTierBounds(profiles.values()), catalog, { k: 2, minUsers: 5, minPurchases: 5 });
  it("compares each group's exposure with its own purchases", () => {
    const men = report.groups.find((g) => g.dimension === "gender" && g.group === "male" && g.attribute === "target_gender")!;
    expect(men.exposure).toEqual({ male: 1 });
    expect(men.demand).toEqual({ female: 1 });
    expect(men.tvd).toBe(1);
    const women = report.groups.find((g) => g.dimension === "gender" && g.group === "female" && g.attribute === "target_gender")!;
    expect(women.tvd).toBe(0);
  });
  it("flags the large gap, and only that one among gender groups", () => {
    const genderFlags = report.flags.filter((f) => f.includes("gender=") && f.includes("target_gender"));
    expect(genderFlags).toHaveLength(1);
    expect(genderFlags[0]).toMatch(/gender=male sees target_gender "(female|male)"/);
  });
  it("reports prices by value tier and flags expensive-only lists for high-value customers", () => {
    const tiers = Object.fromEntries(report.priceByTier.map((t) => [t.tier, t]));
    // Value tiers by terciles of 10 x 10, 20 x 100, 10 x 1000: bounds (100, 100) -> low = value <= 100.
    expect(tiers.low.users).toBe(30);
    expect(tiers.high.users).toBe(10);
    // High tier = men 30..39: shown products 6, 7 (70, 80: luxury band).
    expect(tiers.high.meanRecommendedPrice).toBe(75);
    expect(tiers.high.bandExposure.luxury).toBe(1);
    expect(tiers.high.meanPurchasedPrice).toBe(15);
    expect(report.flags.some((f) => /high-value customers see premium\/luxury products in 100 %/.test(f))).toBe(true);
  });
  it("does not flag groups too small to judge, nor groups shown nothing", () => {
    const r = fairnessReport("x", lists, purchases, profiles, null, catalog, { k: 2, minUsers: 50 });
    expect(r.flags).toEqual([]);
    const empty = new Map([...lists.keys()].map((id) => [id, [] as number[]]));
    const e = fairnessReport("empty", empty, purchases, profiles, null, catalog, { k: 2, minUsers: 5, minPurchases: 5 });
    expect(e.flags).toEqual([]);
    expect(e.groups.find((g) => g.dimension === "gender" && g.group === "male")!.exposure).toEqual({});
  });
});
