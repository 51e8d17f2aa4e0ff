/** Issue 14, point 7: the colour weight against the image model is chosen on the shop's own data. */
import { describe, expect, it } from "vitest";
import { chooseColourWeight, DEFAULT_COLOUR_WEIGHT } from "../../app/embedding/fusion";
import { hash32 } from "../../app/recommend/sources/random";

const unit = (v: number[]) => {
  const n = Math.hypot(...v) || 1;
  return Float32Array.from(v, (x) => x / n);
};
// Deterministic pseudo-noise.
const noise = (i: number, d: number) => hash32(i * 1009 + d * 7919 + 1) / 2 ** 32 - 0.5;

/** 60 products, 3 categories. `modelSignal`/`colourSignal`: how much each space knows the category. */
function shop(modelSignal: number, colourSignal: number) {
  const labels: string[] = [];
  const model: Float32Array[] = [];
  const colour: Float32Array[] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    labels.push(["rings", "necklaces", "earrings"][c]);
    model.push(unit([0, 1, 2].map((k) => (k === c ? modelSignal : 0) + noise(i, k)).concat([noise(i, 7), noise(i, 8)])));
    colour.push(unit([0, 1, 2].map((k) => (k === c ? colourSignal : 0) + noise(i, k + 20)).concat([noise(i, 27)])));
  }
  return { labels, model, colour };
}

describe("visual fusion weight chosen on validation", () => {
  it("keeps the colour descriptor out where it only adds noise (the H&M case)", () => {
    const s = shop(1.2, 0);
    const choice = chooseColourWeight(s.model, s.colour, s.labels);
    expect(choice.chosenBy).toBe("validation");
    expect(choice.weight).toBeLessThan(DEFAULT_COLOUR_WEIGHT);
    const at = (w: number) => choice.sweep.find((x) => x.weight === w)!.agreement;
    expect(at(choice.weight)).toBeGreaterThanOrEqual(at(DEFAULT_COLOUR_WEIGHT));
    expect(at(choice.weight)).toBeGreaterThan(at(1));
  });

  it("gives the colour descriptor weight where colour is what tells the products apart (jewelry metals)", () => {
    const s = shop(0.15, 1.5);
    const choice = chooseColourWeight(s.model, s.colour, s.labels);
    expect(choice.weight).toBeGreaterThan(DEFAULT_COLOUR_WEIGHT);
    expect(Math.max(...choice.sweep.map((x) => x.agreement))).toBe(choice.sweep.find((x) => x.weight === choice.weight)!.agreement);
  });

  it("keeps the default with too few labelled products or a single category", () => {
    const s = shop(1, 1);
    expect(chooseColourWeight(s.model.slice(0, 10), s.colour.slice(0, 10), s.labels.slice(0, 10))).toMatchObject({ chosenBy: "default", weight: DEFAULT_COLOUR_WEIGHT });
    expect(chooseColourWeight(s.model, s.colour, s.labels.map(() => "rings")).chosenBy).toBe("default");
    expect(chooseColourWeight(s.model, s.colour, s.labels.map(() => null)).chosenBy).toBe("default");
  });
});
