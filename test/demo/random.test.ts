import { describe, expect, it } from "vitest";
import { CumulativeSampler, Rng } from "../../app/demo/random";
import { GENERATOR_METAL_MIX, priceSpread } from "../../app/demo/calibration";
import { shopPrice } from "../../app/demo/catalog";

describe("Rng", () => {
  it("repeats its sequence for a seed and differs between seeds and derived streams", () => {
    const draw = (r: Rng) => Array.from({ length: 5 }, () => r.nextU32());
    expect(draw(new Rng(1))).toEqual(draw(new Rng(1)));
    expect(draw(new Rng(1))).not.toEqual(draw(new Rng(2)));
    expect(draw(Rng.derive(1, "customer", 3))).toEqual(draw(Rng.derive(1, "customer", 3)));
    expect(draw(Rng.derive(1, "customer", 3))).not.toEqual(draw(Rng.derive(1, "customer", 4)));
  });

  it("draws uniform numbers in [0, 1) with the right mean, and normals with unit variance", () => {
    const r = new Rng(99);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 20000; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      const z = r.normal();
      sq += z * z;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
    expect(sq / 20000).toBeCloseTo(1, 1);
  });

  it("samples by weight, also restricted to a range", () => {
    const r = new Rng(5);
    const s = new CumulativeSampler([1, 0, 3, 6]);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 10000; i++) counts[s.sample(r)]++;
    expect(counts[1]).toBe(0);
    expect(counts[3] / 10000).toBeCloseTo(0.6, 1);
    for (let i = 0; i < 1000; i++) {
      const k = s.sampleBetween(r, 2, 4);
      expect(k === 2 || k === 3).toBe(true);
    }
  });
});

describe("calibration", () => {
  it("has a metal mix that sums to one and a price spread that is 1 at the median", () => {
    expect(Object.values(GENERATOR_METAL_MIX).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(priceSpread(0.5)).toBeCloseTo(1, 6);
    expect(priceSpread(0.9)).toBeGreaterThan(2.5);
    expect([shopPrice(0), shopPrice(1e9), shopPrice(34.2), shopPrice(151)]).toEqual([18.9, 2999, 33.9, 149]);
  });
});
