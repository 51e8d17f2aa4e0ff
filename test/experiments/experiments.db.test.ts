import { describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { prisma } from "../../app/db.server";
import { addDailyEvents, createExperiment, recordExposure, runningExperiments, setExperimentStatus } from "../../app/models/experiment.server";
import { experimentResults } from "../../app/experiments/results.server";

useTempDatabase();
const SHOP = "exp.myshopify.com";

describe("experiments in the database", () => {
  it("allows one running experiment per placement and takes effect without a restart", async () => {
    const a = await createExperiment(SHOP, { name: "visual vs blend", placement: "product", variants: [{ id: "control", name: "Blend", weight: 1 }, { id: "visual", name: "Visual only", weight: 1, settings: { weights: { visual: 1 } } }] });
    const b = await createExperiment(SHOP, { name: "holdout", placement: "product", variants: [{ id: "control", name: "Blend", weight: 9 }, { id: "none", name: "No recommendations", weight: 1, holdout: true }] });
    await setExperimentStatus(SHOP, a.id, "running");
    expect(runningExperiments(SHOP).map((e) => e.id)).toEqual([a.id]);
    await expect(setExperimentStatus(SHOP, b.id, "running")).rejects.toThrow(/already running on the product placement/);
    await setExperimentStatus(SHOP, a.id, "paused");
    expect(runningExperiments(SHOP)).toEqual([]);
    await setExperimentStatus(SHOP, b.id, "running");
    expect(runningExperiments(SHOP).map((e) => e.id)).toEqual([b.id]);
    await setExperimentStatus(SHOP, b.id, "stopped");
    await expect(setExperimentStatus(SHOP, b.id, "running")).rejects.toThrow(/stopped/);
  });

  it("refuses an experiment with one variant or duplicate variant ids", async () => {
    await expect(createExperiment(SHOP, { name: "x", placement: "home", variants: [{ id: "a", name: "A", weight: 1 }] })).rejects.toThrow(/at least two variants/);
    await expect(createExperiment(SHOP, { name: "x", placement: "home", variants: [{ id: "a", name: "A", weight: 1 }, { id: "a", name: "B", weight: 1 }] })).rejects.toThrow(/unique/);
  });

  it("computes results from exposures, clicks, daily aggregates and orders", async () => {
    const exp = await createExperiment(SHOP, { name: "home test", placement: "home", variants: [{ id: "A", name: "A", weight: 1 }, { id: "B", name: "B", weight: 1 }] });
    const start = new Date("2026-11-02T00:00:00Z");
    await setExperimentStatus(SHOP, exp.id, "running", start);
    recordExposure(SHOP, exp.id, "anna", "A", new Date("2026-11-02T10:00:00Z"));
    recordExposure(SHOP, exp.id, "anna", "B", new Date("2026-11-03T10:00:00Z")); // sticky: stays A
    recordExposure(SHOP, exp.id, "client-7", "B", new Date("2026-11-02T11:00:00Z"));
    await prisma().clientLink.create({ data: { shop: SHOP, clientId: "client-7", customerId: "ben" } });
    addDailyEvents(SHOP, [
      { day: "2026-11-02", placement: "home", experimentId: exp.id, variant: "A", impressions: 40, clicks: 2 },
      { day: "2026-11-03", placement: "home", experimentId: exp.id, variant: "A", impressions: 10 },
      { day: "2026-11-02", placement: "home", experimentId: exp.id, variant: "B", impressions: 30, clicks: 1, addToCarts: 1 },
    ]);
    // ben clicked as an anonymous client, then bought logged in: the click counts for him.
    await prisma().recommendationEvent.createMany({
      data: [
        { shop: SHOP, recommendationId: "rec-1", type: "click", productId: "P1", placement: "home", customerId: "anna", at: new Date("2026-11-02T10:05:00Z") },
        { shop: SHOP, recommendationId: "rec-2", type: "click", productId: "P2", placement: "home", clientId: "client-7", at: new Date("2026-11-02T11:05:00Z") },
      ],
    });
    await prisma().order.createMany({
      data: [
        { shop: SHOP, id: "O1", customerId: "anna", orderDate: new Date("2026-11-04T09:00:00Z"), status: "completed", totalAmount: 90 },
        { shop: SHOP, id: "O2", customerId: "ben", orderDate: new Date("2026-11-03T09:00:00Z"), status: "completed", totalAmount: 200 },
      ],
    });
    await prisma().orderItem.createMany({
      data: [
        { shop: SHOP, id: "O1-1", orderId: "O1", productId: "P1", quantity: 1, unitPrice: 60, finalPrice: 60 },
        { shop: SHOP, id: "O1-2", orderId: "O1", productId: "P9", quantity: 1, unitPrice: 30, finalPrice: 30 },
        { shop: SHOP, id: "O2-1", orderId: "O2", productId: "P2", quantity: 2, unitPrice: 100, finalPrice: 200 },
      ],
    });
    const r = await experimentResults(SHOP, exp.id);
    const [A, B] = r.variants;
    expect(A).toMatchObject({ variant: "A", shoppers: 1, impressions: 50, clicks: 2, revenue: 90, attributedRevenue: 60, convertedShoppers: 1 });
    expect(B).toMatchObject({ variant: "B", shoppers: 1, impressions: 30, clicks: 1, addToCarts: 1, revenue: 200, attributedRevenue: 200 });
    expect(A.rpm).toBeCloseTo(1200, 9);
    expect(r.comparisons[0].verdict).toBe("not enough data yet");
  });
});
