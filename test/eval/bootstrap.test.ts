import { describe, expect, it } from "vitest";
import { bootstrapMean, quantileSorted, sampleWithoutReplacement, seededRandom } from "../../app/recommend/eval/bootstrap";

describe("bootstrap", () => {
  const values = Array.from({ length: 200 }, (_, i) => (i % 7) / 6);
  it("the interval contains the mean and is deterministic for a seed", () => {
    const a = bootstrapMean(values, { seed: 3, samples: 300 });
    const b = bootstrapMean(values, { seed: 3, samples: 300 });
    expect(a).toEqual(b);
    expect(a.lo).toBeLessThanOrEqual(a.mean);
    expect(a.hi).toBeGreaterThanOrEqual(a.mean);
    expect(a.hi - a.lo).toBeGreaterThan(0);
    expect(a.mean).toBeCloseTo(values.reduce((x, y) => x + y) / values.length, 12);
  });
  it("another seed gives another interval around the same mean", () => {
    const a = bootstrapMean(values, { seed: 3 });
    const c = bootstrapMean(values, { seed: 4 });
    expect(c.mean).toBe(a.mean);
    expect([c.lo, c.hi]).not.toEqual([a.lo, a.hi]);
  });
  it("covers the true mean of a known distribution in most repetitions", () => {
    // Bernoulli(0.3) samples of 400: a 95 % interval should cover 0.3 in roughly 95 % of 60 runs.
    let covered = 0;
    for (let r = 0; r < 60; r++) {
      const rnd = seededRandom(1000 + r);
      const xs = Array.from({ length: 400 }, () => (rnd() < 0.3 ? 1 : 0));
      const iv = bootstrapMean(xs, { seed: r, samples: 300 });
      if (iv.lo <= 0.3 && 0.3 <= iv.hi) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(50);
  });
  it("leaves out NaN (customers without test items), and is empty-safe", () => {
    expect(bootstrapMean([1, NaN, 1]).mean).toBe(1);
    expect(bootstrapMean([]).mean).toBeNaN();
    expect(bootstrapMean([0.25])).toEqual({ mean: 0.25, lo: 0.25, hi: 0.25 });
  });
  it("quantiles interpolate linearly", () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
    expect(quantileSorted([1, 2, 3], 0.5)).toBe(2);
  });
  it("samples distinct elements, reproducibly", () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const s = sampleWithoutReplacement(xs, 10, 9);
    expect(new Set(s).size).toBe(10);
    expect(sampleWithoutReplacement(xs, 10, 9)).toEqual(s);
    expect(sampleWithoutReplacement(xs, 80, 9)).toEqual(xs);
  });
});
