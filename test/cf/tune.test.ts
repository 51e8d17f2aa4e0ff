/**
 * Issue 14 (c14cf): time anchored at the data's latest event, log-scale confidence, and the
 * train-time tuner (cf/tune.ts) choosing on a validation slice of the training period only.
 */
import { describe, expect, it } from "vitest";
import { buildInteractionMatrix, confidenceSettings, scaleStrength } from "../../app/recommend/cf/confidence";
import { referenceTime } from "../../app/recommend/dataTime";
import { entriesFromEvents, foldInUser } from "../../app/recommend/cf/foldin";
import { nnz, valueAt } from "../../app/recommend/cf/csr";
import { trainArtifacts } from "../../app/recommend/cf/train";
import { tuneAndTrain, tuningReportOf } from "../../app/recommend/cf/tune";
import { temporalSplit, validationSlice } from "../../app/recommend/eval/splits";
import { hybridDeps } from "../../app/recommend/eval/hybrid";
import type { Catalog } from "../../app/recommend/types";
import { DAY, NOW, eventTable, plantedWorld } from "./world";

const catalogOf = (n: number) => ({ ids: Array.from({ length: n }, (_, i) => `P${i}`), inStock: new Uint8Array(n).fill(1) }) as unknown as Catalog;
const YEAR_AGO = NOW - 365 * DAY;

describe("time from the data", () => {
  it("the reference time is the latest event at or before now, and now without events", () => {
    const t = eventTable(1, [
      { customer: 0, item: 0, type: "purchase", at: YEAR_AGO - 10 * DAY },
      { customer: 0, item: 1, type: "purchase", at: YEAR_AGO },
      { customer: 0, item: 2, type: "purchase", at: NOW + DAY }, // clock skew: after now, not the anchor
    ]);
    expect(referenceTime(t, NOW)).toBe(YEAR_AGO);
    expect(referenceTime(eventTable(1, []), NOW)).toBe(NOW);
  });

  it("a last-year export is decayed from its own last day, not from the wall clock", () => {
    const rows = [
      { customer: 0, item: 0, type: "purchase" as const, at: YEAR_AGO },
      { customer: 0, item: 1, type: "purchase" as const, at: YEAR_AGO - 90 * DAY },
    ];
    const art = trainArtifacts(catalogOf(2), eventTable(1, rows), { als: { factors: 4, iterations: 1, kernel: "js" } }, NOW);
    expect(art.metrics.referenceTime).toBe(YEAR_AGO);
    const m = buildInteractionMatrix(eventTable(1, rows), 2, confidenceSettings({ halfLifeDays: 90 }), art.metrics.referenceTime);
    expect(valueAt(m.users, 0, 0)).toBeCloseTo(10, 5); // the last day counts fully
    expect(valueAt(m.users, 0, 1)).toBeCloseTo(5, 5); // one half-life before it: half
    // Measured from the wall clock a year later, both would be ~0.6 and 0.3 of that: the old fault.
    expect(buildInteractionMatrix(eventTable(1, rows), 2, confidenceSettings({ halfLifeDays: 90 }), NOW).users.data[0]).toBeLessThan(1);
  });
});

describe("log-scale confidence", () => {
  it("repeats and quantities are summed, then compressed: log(1 + r / epsilon)", () => {
    const s = confidenceSettings({ scale: "log", logEpsilon: 10, halfLifeDays: 0, maxQuantity: 100 });
    const rows = [
      { customer: 0, item: 0, type: "purchase" as const, at: NOW }, // one unit: r = 10
      ...Array.from({ length: 4 }, () => ({ customer: 0, item: 1, type: "purchase" as const, at: NOW, quantity: 10 })), // 4 x 10 units: r = 400
    ];
    const m = buildInteractionMatrix(eventTable(1, rows), 2, s, NOW);
    expect(valueAt(m.users, 0, 0)).toBeCloseTo(Math.log(2), 5);
    expect(valueAt(m.users, 0, 1)).toBeCloseTo(Math.log(41), 4); // 40 times the units, 5.4 times the confidence
    const linear = buildInteractionMatrix(eventTable(1, rows), 2, { ...s, scale: "linear" }, NOW);
    expect(valueAt(linear.users, 0, 1) / valueAt(linear.users, 0, 0)).toBeCloseTo(40, 4);
    expect(scaleStrength(-2, s)).toBe(-2); // a net removal stays out of the matrix
  });

  it("fold-in applies the same scale to the summed strengths as training", () => {
    const f = 2;
    const itemFactors = Float32Array.from([1, 0, 0, 1]);
    const gram = Float64Array.from([1, 0, 0, 1]);
    const s = confidenceSettings({ scale: "log", halfLifeDays: 0 });
    const history = [0, 0, 0].map(() => ({ item: 0, type: "purchase" as const, at: NOW }));
    const entries = entriesFromEvents(history, s, NOW);
    const logged = foldInUser(itemFactors, f, gram, entries, { regularization: 1, alpha: 1, scale: s });
    const r = Math.log1p(30 / 10);
    // Closed form for this case: x0 = (1 + r) / (1 + 1 + r), x1 = 0.
    expect(logged[0]).toBeCloseTo((1 + r) / (2 + r), 5);
    expect(logged[1]).toBeCloseTo(0, 6);
  });
});

describe("train-time tuning", () => {
  const world = plantedWorld({ customers: 240, items: 60, groups: 6, orders: 6, noise: 3, seed: 5 });
  const fixedClock = () => 0;

  it("chooses on a validation slice of the events it is given and stores what it replaced", () => {
    const { artifacts, report, params } = tuneAndTrain(catalogOf(world.nItems), world.events, { als: { kernel: "js", factors: 8 }, tune: { fixed: ["factors"] } }, NOW, { clock: fixedClock });
    expect(report.skipped).toBeUndefined();
    expect(report.validationUsers).toBeGreaterThanOrEqual(30);
    expect(report.trialsRun).toBe(report.trials.length);
    expect(report.defaults.factors).toBe(8);
    expect(report.chosen.factors).toBe(8); // fixed knobs are not searched
    expect(report.chosenScore).toBeGreaterThanOrEqual(report.defaultScore);
    expect(new Set(report.trials.map((t) => t.values.factors))).toEqual(new Set([8]));
    // The validation cut lies inside the given events; trial models train strictly before it.
    const slice = validationSlice(world.events, { share: 0.15 });
    expect(report.validationCut).toBe(new Date(slice.cut).toISOString());
    for (let i = 0; i < slice.train.length; i++) expect(slice.train.at[i]).toBeLessThan(slice.cut);
    expect(artifacts.cf).not.toBeNull();
    expect(params.als?.alpha).toBe(report.chosen.alpha);
    expect(artifacts.metrics["tune.validationNdcg"]).toBe(report.chosenScore);
    expect(tuningReportOf({ ...params, tuning: report })).toEqual(report);
    expect(tuningReportOf({ als: {} })).toBeNull();
  });

  it("the time budget stops the search after the first trial", () => {
    let t = 0;
    const clock = () => (t += 10_000); // every reading 10 s later
    const { report } = tuneAndTrain(catalogOf(world.nItems), world.events, { als: { kernel: "js", factors: 8 }, tune: { budgetSeconds: 15 } }, NOW, { clock });
    expect(report.stoppedByBudget).toBe(true);
    expect(report.trialsRun).toBeLessThanOrEqual(2);
  });

  it("never reads the test period: handed events of it, the tuner refuses", () => {
    const split = temporalSplit(world.events, { testShare: 0.2 });
    expect(() => tuneAndTrain(catalogOf(world.nItems), world.events, { als: { kernel: "js", factors: 8 } }, split.cut, { clock: fixedClock, notAfter: split.cut })).toThrow(/test period/);
    // Offline evaluation's trainer tunes on the split's training part, which passes the guard.
    const deps = hybridDeps({ als: { kernel: "js", factors: 8 }, tune: { budgetSeconds: 5 } }, { clock: fixedClock });
    expect(() => deps.train(catalogOf(world.nItems), split.train, split.now)).not.toThrow();
    expect(() => deps.train(catalogOf(world.nItems), world.events, split.now)).toThrow(/test period/);
  });

  it("too few validation customers: tuning is skipped and the settings are kept", () => {
    const small = plantedWorld({ customers: 20, items: 12, groups: 3, orders: 3, noise: 1, seed: 2 });
    const { report, params } = tuneAndTrain(catalogOf(small.nItems), small.events, { als: { kernel: "js", factors: 4, alpha: 3 } }, NOW, { clock: fixedClock });
    expect(report.skipped).toMatch(/too few/);
    expect(params.als?.alpha).toBe(3);
    expect(nnz(buildInteractionMatrix(small.events, small.nItems, confidenceSettings(), NOW).users)).toBeGreaterThan(0);
  });
});
