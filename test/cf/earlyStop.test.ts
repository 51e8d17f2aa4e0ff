import { describe, expect, it } from "vitest";
import { buildInteractionMatrix, DEFAULT_CONFIDENCE } from "../../app/recommend/cf/confidence";
import { nnz, rowEntries } from "../../app/recommend/cf/csr";
import { bestIteration, holdOutEntries } from "../../app/recommend/cf/earlyStop";
import { trainArtifacts } from "../../app/recommend/cf/train";
import type { Catalog } from "../../app/recommend/types";
import { NOW, plantedWorld } from "./world";

const catalogOf = (n: number) => ({ ids: Array.from({ length: n }, (_, i) => `P${i}`) }) as unknown as Catalog;

describe("early stopping on a validation slice", () => {
  const w = plantedWorld({ customers: 300, items: 60, groups: 3, orders: 8, noise: 0.1, seed: 5 });
  const { users } = buildInteractionMatrix(w.events, w.nItems, DEFAULT_CONFIDENCE, NOW);

  it("holds out a share of entries, disjoint from training, keeping every customer something", () => {
    const { train, validation } = holdOutEntries(users, 0.2, 7);
    expect(nnz(train) + nnz(validation)).toBe(nnz(users));
    expect(nnz(validation) / nnz(users)).toBeGreaterThan(0.1);
    expect(nnz(validation) / nnz(users)).toBeLessThan(0.3);
    for (let u = 0; u < users.rows; u++) {
      const all = rowEntries(users, u).length;
      const kept = new Set(rowEntries(train, u).map((e) => e.item));
      if (all > 0) expect(kept.size).toBeGreaterThan(0);
      for (const e of rowEntries(validation, u)) expect(kept.has(e.item)).toBe(false);
    }
    expect(holdOutEntries(users, 0.2, 7).validation.indices).toEqual(validation.indices); // seeded
  });

  it("picks the iteration with the best validation AUC", () => {
    expect(bestIteration({ validationAuc1: 0.7, validationAuc2: 0.81, validationAuc3: 0.8 })).toBe(2);
    expect(bestIteration({})).toBe(0);
  });

  it("trains the published model on all data for the best iteration count", () => {
    const logs: string[] = [];
    const out = trainArtifacts(catalogOf(w.nItems), w.events, { als: { factors: 8, seed: 3 }, earlyStop: { validationShare: 0.2, maxIterations: 12 } }, NOW, (m) => logs.push(m));
    const best = out.metrics["als.earlyStopIterations"];
    expect(best).toBeGreaterThanOrEqual(1);
    expect(best).toBeLessThanOrEqual(12);
    expect(out.metrics["als.earlyStopValidationAuc"]).toBeGreaterThan(0.6); // planted groups are learnable
    expect(out.metrics["als.iterations"]).toBe(best); // the final run: exactly the chosen count
    expect(out.metrics["als.nnz"]).toBe(nnz(users)); // ... on every entry, not the training part
    expect(logs.some((l) => l.includes("retraining on all data"))).toBe(true);
  });

  it("is off unless asked for", () => {
    const out = trainArtifacts(catalogOf(w.nItems), w.events, { als: { factors: 8, iterations: 4 } }, NOW);
    expect(out.metrics["als.earlyStopIterations"]).toBeUndefined();
    expect(out.metrics["als.iterations"]).toBe(4);
  });
});
