import { describe, expect, it } from "vitest";
import { assignVariant } from "../../app/recommend/experiments/assign";

describe("variant assignment", () => {
  const variants = [
    { id: "control", weight: 50 },
    { id: "visual-heavy", weight: 30 },
    { id: "holdout", weight: 20 },
  ];

  it("splits 100,000 simulated shoppers close to the configured ratio", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const v = assignVariant("exp-42", i % 2 ? `C${i}` : `anon-${i.toString(36)}`, variants);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    // Binomial standard deviation at n=1e5 is about 0.16 percentage points: 0.6 points is > 3.5 sigma.
    expect(Math.abs(counts.get("control")! / 1e5 - 0.5)).toBeLessThan(0.006);
    expect(Math.abs(counts.get("visual-heavy")! / 1e5 - 0.3)).toBeLessThan(0.006);
    expect(Math.abs(counts.get("holdout")! / 1e5 - 0.2)).toBeLessThan(0.006);
  });

  it("is sticky: the same shopper always gets the same variant (no cross-over)", () => {
    for (let i = 0; i < 1000; i++) {
      const first = assignVariant("exp-42", `C${i}`, variants);
      for (let r = 0; r < 3; r++) expect(assignVariant("exp-42", `C${i}`, variants)).toBe(first);
    }
  });

  it("assigns independently across experiments", () => {
    let same = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = assignVariant("exp-a", `C${i}`, [{ id: "x", weight: 1 }, { id: "y", weight: 1 }]);
      const b = assignVariant("exp-b", `C${i}`, [{ id: "x", weight: 1 }, { id: "y", weight: 1 }]);
      if (a === b) same++;
    }
    expect(Math.abs(same / 20_000 - 0.5)).toBeLessThan(0.02);
  });

  it("refuses an experiment without traffic", () => {
    expect(() => assignVariant("e", "C1", [])).toThrow(/at least one variant/);
    expect(() => assignVariant("e", "C1", [{ id: "a", weight: 0 }])).toThrow(/more than 0/);
  });
});
