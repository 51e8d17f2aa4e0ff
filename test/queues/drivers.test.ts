import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { describeIf, redisReachable } from "../helpers/requires";
import { InProcessDriver } from "../../app/queues/inProcess.server";
import { jobFunction } from "../../app/jobs/registry.server";
import { prisma } from "../../app/db.server";

useTempDatabase();
const SHOP = "queue-test.myshopify.com";

describe("in-process driver", () => {
  const driver = new InProcessDriver(jobFunction);
  afterAll(() => driver.close());

  it("runs a job and records its progress row", async () => {
    const h = await driver.enqueue("ping", { shop: SHOP }, { jobId: "ping-inproc-1" });
    await expect(h.finished()).resolves.toMatchObject({ pong: true, attempt: 1 });
    const row = await prisma().jobRun.findUnique({ where: { id: "ping-inproc-1" } });
    expect(row).toMatchObject({ status: "completed", progress: 1, shop: SHOP, name: "ping" });
  });

  it("retries a failing job with backoff until it succeeds", async () => {
    const h = await driver.enqueue("ping", { shop: SHOP, failUntilAttempt: 3 }, { attempts: 3 });
    await expect(h.finished()).resolves.toMatchObject({ attempt: 3 });
  });

  it("does not retry bad input", async () => {
    const h = await driver.enqueue("ping", { shop: SHOP, unrecoverable: true }, { jobId: "ping-bad", attempts: 5 });
    await expect(h.finished()).rejects.toThrow(/unrecoverable/);
    const row = await prisma().jobRun.findUnique({ where: { id: "ping-bad" } });
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
  });
});

const redisUp = await redisReachable();
describeIf(redisUp, "Redis on 127.0.0.1:6379", "BullMQ driver against the real Redis", () => {
  const prefix = `facet-test-${process.pid}-${Date.now()}`;
  let connection: import("ioredis").default;
  let driver: import("../../app/queues/bullmq.server").BullMqDriver;
  let worker: import("bullmq").Worker;

  beforeAll(async () => {
    const { BullMqDriver, redisConnection, startWorker } = await import("../../app/queues/bullmq.server");
    connection = redisConnection("redis://127.0.0.1:6379");
    driver = new BullMqDriver(connection, prefix);
    worker = startWorker("ping", jobFunction, connection.duplicate(), 1, prefix);
  });

  afterAll(async () => {
    await worker?.close();
    await driver?.close();
    const keys = await connection.keys(`${prefix}:*`);
    if (keys.length) await connection.del(...keys);
    await connection.quit();
  });

  it("round-trips a job through Redis", async () => {
    const h = await driver.enqueue("ping", { shop: SHOP }, { jobId: `rt-${Date.now()}` });
    await expect(h.finished()).resolves.toMatchObject({ pong: true, attempt: 1 });
  });

  it("retries a failing job and then completes it", async () => {
    const id = `retry-${Date.now()}`;
    const h = await driver.enqueue("ping", { shop: SHOP, failUntilAttempt: 2 }, { jobId: id, attempts: 3 });
    await expect(h.finished()).resolves.toMatchObject({ attempt: 2 });
    const row = await prisma().jobRun.findUnique({ where: { id } });
    expect(row).toMatchObject({ status: "completed", attempts: 2 });
  });

  it("maps bad input to UnrecoverableError: no retries", async () => {
    const id = `unrec-${Date.now()}`;
    const h = await driver.enqueue("ping", { shop: SHOP, unrecoverable: true }, { jobId: id, attempts: 5 });
    await expect(h.finished()).rejects.toThrow(/unrecoverable/);
    const row = await prisma().jobRun.findUnique({ where: { id } });
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("runs an idempotent job id once", async () => {
    const id = `idem-${Date.now()}`;
    const a = await driver.enqueue("ping", { shop: SHOP }, { jobId: id });
    const b = await driver.enqueue("ping", { shop: SHOP }, { jobId: id });
    expect(a.id).toBe(b.id);
    await a.finished();
    const { Queue } = await import("bullmq");
    const q = new Queue("facet-ping", { connection, prefix });
    const job = await q.getJob(id);
    expect(job?.attemptsMade).toBe(1);
    expect(await job?.getState()).toBe("completed");
    await q.close();
  });
});
