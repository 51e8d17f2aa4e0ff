/**
 * A BullMQ worker can start and finish a job before the enqueuer's `add` has returned and its
 * recordQueued has run (seen in test/shopify/webhooks.test.ts under load: the job completed in Redis,
 * its JobRun row stayed "queued" forever). The worker's recordStarted creates the row, so the late
 * recordQueued must leave the finished row alone.
 */
import { describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { prisma } from "../../app/db.server";
import { recordFinished, recordQueued, recordStarted } from "../../app/models/jobRun.server";

useTempDatabase();
const SHOP = "jobrun-race.myshopify.com";

describe("JobRun rows when the worker is faster than the enqueuer", () => {
  it("a job finished before recordQueued stays completed", async () => {
    const payload = { shop: SHOP, topic: "PRODUCTS_UPDATE", webhookId: "w1" };
    await recordStarted("race-1", 1, { shop: SHOP, name: "sync", payload });
    await recordFinished("race-1", { outcome: "applied" });
    await recordQueued("race-1", SHOP, "sync", payload); // the enqueuer, late
    const row = await prisma().jobRun.findUniqueOrThrow({ where: { id: "race-1" } });
    expect(row).toMatchObject({ status: "completed", shop: SHOP, name: "sync", attempts: 1, progress: 1 });
    expect(JSON.parse(row.result!)).toEqual({ outcome: "applied" });
    expect(JSON.parse(row.payload!)).toEqual(payload);
  });

  it("the usual order (queued, started, finished) is unchanged", async () => {
    await recordQueued("race-2", SHOP, "sync", { shop: SHOP });
    await recordStarted("race-2", 1, { shop: SHOP, name: "sync", payload: { shop: SHOP } });
    expect((await prisma().jobRun.findUniqueOrThrow({ where: { id: "race-2" } })).status).toBe("running");
    await recordFinished("race-2", null);
    expect((await prisma().jobRun.findUniqueOrThrow({ where: { id: "race-2" } })).status).toBe("completed");
  });
});
