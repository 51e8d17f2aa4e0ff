/** The evaluation charts' axes (issue 18 point 4): nice steps, and labels that read differently. */
import { describe, expect, it } from "vitest";
import { niceTicks, percentDigits } from "../../app/ui/ticks";
import { sourceColour } from "../../app/ui/sourceColours";

describe("nice ticks", () => {
  it("steps of 1, 2, 2.5 or 5 times a power of ten from 0 past the largest value", () => {
    expect(niceTicks(0.09)).toEqual({ ticks: [0, 0.02, 0.04, 0.06, 0.08, 0.1], max: 0.1, step: 0.02 });
    expect(niceTicks(0.44).ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(niceTicks(0.94).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.12).step).toBe(0.025);
    expect(niceTicks(0).ticks).toEqual([0, 1]);
    for (const max of [0.013, 0.37, 3.3, 47, 1234]) {
      const { ticks, step } = niceTicks(max);
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(7);
      expect([1, 2, 2.5, 5, 10]).toContain(Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(6)));
    }
  });

  it("percent labels get the decimals their step needs", () => {
    expect(percentDigits(0.1)).toBe(0);
    expect(percentDigits(0.025)).toBe(1);
    expect(percentDigits(0.0025)).toBe(2);
  });

  it("one colour per source in every chart, one for all blends", () => {
    expect(sourceColour("blend:home")).toBe(sourceColour("blend:product"));
    expect(new Set(["random", "popularity", "visual", "collaborative", "bought-together", "demographic", "recency", "blend:home"].map(sourceColour)).size).toBe(8);
  });
});
