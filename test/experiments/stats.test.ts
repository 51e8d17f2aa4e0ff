import { describe, expect, it } from "vitest";
import {
  bootstrapDifference,
  minimumSampleSize,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  twoProportionTest,
  welchTest,
  wilsonInterval,
} from "../../app/recommend/experiments/stats";

// Reference values computed with SciPy 1.17 (scipy.stats.norm, scipy.stats.t, ttest_ind(equal_var=False)).
describe("experiment statistics against reference values", () => {
  it("normal CDF and quantile", () => {
    expect(normalCdf(-1.3)).toBeCloseTo(0.09680048458561036, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
  });

  it("Student's t CDF and quantile", () => {
    expect(studentTCdf(2.1, 7.5)).toBeCloseTo(0.9643814642709609, 8);
    expect(studentTQuantile(0.975, 12.3)).toBeCloseTo(2.172933481758962, 6);
  });

  it("two-proportion z-test: 200/1000 vs 250/1000", () => {
    const r = twoProportionTest(200, 1000, 250, 1000);
    expect(r.statistic).toBeCloseTo(2.677397763008329, 6);
    expect(r.pValue).toBeCloseTo(0.007419649261025687, 5);
    expect(r.difference).toBeCloseTo(0.05, 12);
    expect(r.ci[0]).toBeGreaterThan(0);
  });

  it("Welch's t-test on revenue per shopper", () => {
    const a = [12.5, 0, 0, 31.2, 8.4, 0, 55.0, 3.3, 0, 19.9];
    const b = [0, 44.1, 27.3, 0, 61.2, 18.8, 9.9, 0, 72.4, 35.0, 12.1];
    const r = welchTest(a, b);
    expect(r.statistic).toBeCloseTo(1.316097863578871, 8);
    expect(r.df).toBeCloseTo(18.08831446503402, 6);
    expect(r.pValue).toBeCloseTo(0.20457683198844187, 6);
  });

  it("Wilson interval of 12/40", () => {
    const [lo, hi] = wilsonInterval(12, 40);
    expect(lo).toBeCloseTo(0.18074845229746528, 6);
    expect(hi).toBeCloseTo(0.45430018818144935, 6);
  });

  it("minimum sample size for 5% -> 6% at alpha 0.05, power 0.8", () => {
    expect(minimumSampleSize(0.05, 0.01)).toBe(Math.ceil(8157.73144784928));
  });

  it("bootstrap interval is deterministic for a seed and covers the observed difference", () => {
    const a: number[] = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 40 : 0));
    const b: number[] = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 40 : 0));
    const ci1 = bootstrapDifference(a, b, 1000, 7);
    const ci2 = bootstrapDifference(a, b, 1000, 7);
    expect(ci1).toEqual(ci2);
    const observed = b.reduce((s, x) => s + x, 0) / 200 - a.reduce((s, x) => s + x, 0) / 200;
    expect(ci1[0]).toBeLessThan(observed);
    expect(ci1[1]).toBeGreaterThan(observed);
  });
});
