/** Issue 14, point 7: neighbour augmentation of the visual space (app/embedding/augment.ts) and its per-shop choice (fusion.ts). */
import { describe, expect, it } from "vitest";
import { augmentedCosines, augmentWithNeighbours, nearest } from "../../app/embedding/augment";
import { chooseColourWeight } from "../../app/embedding/fusion";
import { l2normalise } from "../../app/embedding/pool";
import { dot } from "../../app/recommend/vector";
import { mix32 } from "../../app/recommend/hash";

const noise = (i: number, d: number) => mix32(i * 1009 + d * 7919 + 3) / 2 ** 32 - 0.5;
const unit = (xs: number[]) => l2normalise(Float32Array.from(xs));

describe("neighbour augmentation", () => {
  it("finds the k largest scores except the product itself, ties to the smaller index", () => {
    const s = [0.5, 0.9, 0.1, 0.9, 0.7];
    expect(nearest(5, (j) => s[j], 1, 3)).toEqual([
      { j: 3, s: 0.9 },
      { j: 4, s: 0.7 },
      { j: 0, s: 0.5 },
    ]);
    expect(nearest(5, (j) => s[j], 3, 1)).toEqual([{ j: 1, s: 0.9 }]);
  });

  it("averages a vector with its nearest others weighted by cosine (negative ones count zero); k = 0 copies", () => {
    const vs = [unit([1, 0, 0]), unit([0.8, 0.6, 0]), unit([0, 0, 1]), unit([-1, 0, 0])];
    const [a] = augmentWithNeighbours(vs, 1, [0]);
    const want = unit([1 + 0.8 * 0.8, 0.8 * 0.6, 0]);
    expect(Array.from(a).map((x) => +x.toFixed(6))).toEqual(Array.from(want).map((x) => +x.toFixed(6)));
    const [d] = augmentWithNeighbours(vs, 1, [3]); // its nearest (vs[2], cosine 0) adds nothing
    expect(Array.from(d)).toEqual(Array.from(vs[3]));
    const copy = augmentWithNeighbours(vs, 0);
    expect(copy.map((v) => Array.from(v))).toEqual(vs.map((v) => Array.from(v)));
    expect(copy[0]).not.toBe(vs[0]);
  });

  it("computes the augmented cosines from the cosine matrix alone, equal to those of the augmented vectors", () => {
    const n = 25;
    const vs = Array.from({ length: n }, (_, i) => unit(Array.from({ length: 6 }, (_, d) => (d === i % 3 ? 1 : 0) + noise(i, d))));
    const S = new Float32Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) S[a * n + b] = a === b ? 1 : dot(vs[a], vs[b]);
    for (const k of [1, 3, 5]) {
      const viaS = augmentedCosines(S, n, k);
      const aug = augmentWithNeighbours(vs, k);
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) expect(viaS[a * n + b]).toBeCloseTo(a === b ? 1 : dot(aug[a], aug[b]), 4);
    }
    expect(augmentedCosines(S, n, 0)).toBe(S);
  });

  it("is chosen per shop only when it raises the category mAP, and stays off where it cannot", () => {
    // Noisy clusters: averaging with neighbours removes part of each product's noise.
    const labels: string[] = [];
    const model: Float32Array[] = [];
    const colour: Float32Array[] = [];
    for (let i = 0; i < 90; i++) {
      const c = i % 3;
      labels.push(["rings", "necklaces", "earrings"][c]);
      model.push(unit([0, 1, 2].map((k) => (k === c ? 0.5 : 0) + noise(i, k)).concat(Array.from({ length: 8 }, (_, d) => noise(i, d + 10)))));
      colour.push(unit([noise(i, 40), noise(i, 41), noise(i, 42)]));
    }
    const choice = chooseColourWeight(model, colour, labels);
    const at = (k: number) => choice.augmentSweep.find((s) => s.weight === k)!.map;
    expect(choice.augmentSweep.map((s) => s.weight)).toEqual([0, 3, 5, 10]);
    expect(choice.augment).toBeGreaterThan(0);
    expect(at(choice.augment)).toBeGreaterThan(at(0));
    // Not measured (a catalogue above MAX_AUGMENT_PRODUCTS passes only k = 0): off.
    expect(chooseColourWeight(model, colour, labels, { augmentGrid: [0] }).augment).toBe(0);
  });
});
