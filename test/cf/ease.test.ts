/**
 * Issue 14 point 4: the item-based model (cf/ease.ts) against a hand-computed example, its sparse
 * serving artefact, the mixed collaborative score, and the tuner's choice between ALS and EASE.
 */
import { describe, expect, it } from "vitest";
import { csrFromTriplets } from "../../app/recommend/cf/csr";
import { easeDense, easeItems, easeScores, invertSpd, mixedScores, trainEase } from "../../app/recommend/cf/ease";
import { tuneAndTrain } from "../../app/recommend/cf/tune";
import type { Catalog } from "../../app/recommend/types";
import { NOW, plantedWorld } from "./world";

// 3 customers x 3 products: {0,1}, {1,2}, {0,1,2}.
const X = csrFromTriplets(3, 3, Int32Array.from([0, 0, 1, 1, 2, 2, 2]), Int32Array.from([0, 1, 1, 2, 0, 1, 2]), Float32Array.from([1, 1, 1, 1, 1, 1, 1]));

describe("EASE closed form", () => {
  it("inverts a symmetric positive definite matrix (Cholesky) like the cofactor formula", () => {
    // XᵀX + I = [[3,2,1],[2,4,2],[1,2,3]], det 16, inverse = [[8,-4,0],[-4,8,-4],[0,-4,8]] / 16.
    const a = Float64Array.from([3, 2, 1, 2, 4, 2, 1, 2, 3]);
    invertSpd(a, 3);
    const expected = [0.5, -0.25, 0, -0.25, 0.5, -0.25, 0, -0.25, 0.5];
    expected.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 12));
    expect(() => invertSpd(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });

  it("the blocked inverse (rows four at a time, a remainder block) gives A A⁻¹ = I", () => {
    for (const n of [4, 5, 9, 14]) {
      let seed = n;
      const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
      const m = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = rnd();
      for (let i = 0; i < n; i++) m[i * n + i] += n;
      const inv = m.slice();
      invertSpd(inv, n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += m[i * n + k] * inv[k * n + j];
          expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
        }
    }
  });

  it("B = I - P/diag(P) with a zero diagonal, by hand for lambda = 1", () => {
    const b = easeDense(X, easeItems(X, 10), 1);
    // B[i][j] = -P[i][j] / P[j][j]: B01 = 0.25/0.5, B02 = 0, B12 = 0.5; diagonal 0.
    const expected = [0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0];
    expected.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 12));
  });

  it("the stored rows and the customer's score: x_u B over the kept weights", () => {
    const m = trainEase(X, { lambda: 1, neighbours: 2 })!;
    expect(m.fittedItems).toBe(3);
    const out = easeScores(m, [0], new Float64Array(3));
    expect([...out].map((v) => +v.toFixed(6))).toEqual([0, 0.5, 0]);
    easeScores(m, [0, 2, 2], out); // each product once (X is binary)
    expect([...out].map((v) => +v.toFixed(6))).toEqual([0, 1, 0]);
    // One weight kept per row: the largest |B[i][j]|.
    const one = trainEase(X, { lambda: 1, neighbours: 1 })!;
    expect(one.weights.indptr[3]).toBe(3);
  });

  it("beyond maxItems the most touched products are fitted and the rest gets no row", () => {
    const m = trainEase(X, { lambda: 1, maxItems: 2 })!;
    expect(m.fittedItems).toBe(2);
    // Product 1 (3 customers) and one of the 2-customer products (the lower index: 0) are kept.
    expect(m.weights.indptr[3] - m.weights.indptr[2]).toBe(0);
  });

  it("the mixed score scales each part by its maximum and mixes by the weight", () => {
    const weights = trainEase(X, { lambda: 1 })!.weights;
    const model = { factors: 1, itemFactors: Float32Array.from([2, 1, 4]), ease: { weights, weight: 0.5 } };
    const out = mixedScores(model, Float32Array.from([1]), [0], new Float64Array(3));
    // ALS 2,1,4 / 4 = .5,.25,1; EASE 0,.5,0 / .5 = 0,1,0; mixed: .25, .625, .5.
    expect([...out]).toEqual([0.25, 0.625, 0.5]);
    expect([...mixedScores({ ...model, ease: { weights, weight: 0 } }, Float32Array.from([1]), [0], out)]).toEqual([0.5, 0.25, 1]);
  });
});

describe("the tuner chooses ALS, EASE or a mix on validation", () => {
  it("reports every EASE trial and serves what scored best", () => {
    const world = plantedWorld({ customers: 120, items: 40, groups: 4, orders: 5, noise: 2, seed: 3 });
    const catalog = { ids: Array.from({ length: world.nItems }, (_, i) => `P${i}`), inStock: new Uint8Array(world.nItems).fill(1) } as unknown as Catalog;
    const fixed = () => 0;
    const { artifacts, report, params } = tuneAndTrain(catalog, world.events, { als: { kernel: "js", factors: 8 }, tune: { fixed: ["factors", "alpha", "regularization"], easeLambdas: [20] } }, NOW, { clock: fixed });
    expect(report.ease).toBeDefined();
    const trials = report.ease!.trials;
    expect(trials.some((t) => t.weight === 1)).toBe(true);
    expect(trials.some((t) => t.weight === 0)).toBe(true);
    const best = Math.max(...trials.map((t) => t.score));
    const chosen = trials.find((t) => t.weight === (params.ease?.weight ?? 0) && (t.weight === 0 || t.lambda === params.ease?.lambda))!;
    // The choice is within minGain of the best trial (ALS alone wins ties).
    expect(chosen.score).toBeGreaterThanOrEqual(best - 0.001 - 1e-12);
    if ((params.ease?.weight ?? 0) > 0) expect(artifacts.cf?.ease?.weight).toBe(params.ease!.weight);
    else expect(artifacts.cf?.ease ?? null).toBeNull();
  });
});
