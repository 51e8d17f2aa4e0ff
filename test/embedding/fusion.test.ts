/** Issue 14, point 7: the colour weight against the image model is chosen on the shop's own data. */
import { describe, expect, it } from "vitest";
import { chooseColourWeight, DEFAULT_COLOUR_WEIGHT, MAP_TOLERANCE, rankingQuality } from "../../app/embedding/fusion";
import { mix32 } from "../../app/recommend/hash";

const unit = (v: number[]) => {
  const n = Math.hypot(...v) || 1;
  return Float32Array.from(v, (x) => x / n);
};
// Deterministic pseudo-noise.
const noise = (i: number, d: number) => mix32(i * 1009 + d * 7919 + 1) / 2 ** 32 - 0.5;

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
    expect(choice.criterion).toBe("category-map");
    expect(choice.weight).toBeLessThan(DEFAULT_COLOUR_WEIGHT);
    const at = (w: number) => choice.sweep.find((x) => x.weight === w)!;
    expect(at(choice.weight).map).toBeGreaterThanOrEqual(at(DEFAULT_COLOUR_WEIGHT).map);
    expect(at(choice.weight).map).toBeGreaterThan(at(1).map);
    expect(at(choice.weight).agreement).toBeGreaterThan(at(1).agreement);
  });

  it("gives the colour descriptor weight where colour is what tells the products apart (jewelry metals)", () => {
    const s = shop(0.15, 1.5);
    const choice = chooseColourWeight(s.model, s.colour, s.labels);
    expect(choice.weight).toBeGreaterThan(DEFAULT_COLOUR_WEIGHT);
    // The smallest weight whose mean average precision is within MAP_TOLERANCE of the best.
    const best = Math.max(...choice.sweep.map((x) => x.map));
    expect(choice.sweep.find((x) => x.weight === choice.weight)!.map).toBeGreaterThanOrEqual(best - MAP_TOLERANCE);
    for (const x of choice.sweep) if (x.weight < choice.weight) expect(x.map).toBeLessThan(best - MAP_TOLERANCE);
  });

  it("scores rankings by mean average precision and nearest-neighbour agreement, ties against the product", () => {
    // Four products on a line; a and b are "x", c and d are "y"; score = -distance.
    const pos = [0, 1, 3, 10];
    const labels = ["x", "x", "y", "y"];
    const q = rankingQuality(4, (a, b) => -Math.abs(pos[a] - pos[b]), labels);
    // a: b first (AP 1). b: a first (AP 1). c: b, a, then d (AP 1/3). d: c first (AP 1).
    expect(q.agreement).toBeCloseTo(3 / 4, 10);
    expect(q.map).toBeCloseTo((1 + 1 + 1 / 3 + 1) / 4, 10);
    // A constant score tells nothing: every same-category product ranks behind every other-category one.
    const flat = rankingQuality(4, () => 0.5, labels);
    expect(flat.agreement).toBe(0);
    expect(flat.map).toBeCloseTo(1 / 3, 10); // rel at rank 3 of 3
  });

  it("keeps the default with too few labelled products or a single category", () => {
    const s = shop(1, 1);
    expect(chooseColourWeight(s.model.slice(0, 10), s.colour.slice(0, 10), s.labels.slice(0, 10))).toMatchObject({ chosenBy: "default", weight: DEFAULT_COLOUR_WEIGHT });
    expect(chooseColourWeight(s.model, s.colour, s.labels.map(() => "rings")).chosenBy).toBe("default");
    expect(chooseColourWeight(s.model, s.colour, s.labels.map(() => null)).chosenBy).toBe("default");
  });
});
