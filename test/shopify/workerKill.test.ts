/**
 * kill -9 of a worker mid-job: 20 signed deliveries are enqueued through the route; a worker
 * process applies three, takes the fourth and holds it, and is killed with SIGKILL while that job
 * is active (a condition the test waits for, not a timing window); a new worker
 * process recovers the stalled job (BullMQ's lock expiry) and finishes the rest. Every delivery is
 * applied exactly once, none is lost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Queue } from "bullmq";
import type IORedis from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { describeIf, redisReachable } from "../helpers/requires";
import { databaseFile, dataDir, env, resetEnvForTests } from "../../app/env.server";
import { prisma } from "../../app/db.server";
import { closeQueue } from "../../app/queues/index.server";
import { queueName, redisConnection } from "../../app/queues/bullmq.server";
import { webhookRequest } from "../../app/shopify/hmac";
import { deletePrefix, fixture, uniquePrefix, waitFor } from "./helpers";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const available = await redisReachable(REDIS_URL);
const SECRET = "kill-test-secret";
const SHOP = "facet-kill.myshopify.com";
const PREFIX = uniquePrefix("kill");
const N = 20;
/** The first worker applies this many deliveries, then holds the next job until it is killed. */
const HOLD_AFTER = 3;
/** Generous: worker processes start slowly on a loaded machine (tsx compiles on start). */
const WAIT_MS = 120_000;
useTempDatabase();

let redis: IORedis;
const children: ChildProcess[] = [];

function startWorker(holdAfter?: number): Promise<ChildProcess & { output: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(path.dirname(new URL(import.meta.url).pathname), "syncWorker.mts")], {
    env: { ...process.env, DATABASE_URL: env().DATABASE_URL.startsWith("file:") ? `file:${databaseFile()}` : env().DATABASE_URL, FACET_DATA_DIR: dataDir(), REDIS_URL, FACET_QUEUE_PREFIX: PREFIX, ...(holdAfter === undefined ? {} : { HOLD_AFTER: String(holdAfter) }) },
    stdio: ["ignore", "pipe", "pipe"],
  }) as ChildProcess & { output: string[] };
  children.push(child);
  child.output = [];
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n").filter(Boolean)) {
        child.output.push(line);
        if (line === "ready") resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`worker exited early (${code}): ${stderr}`)));
  });
}

describeIf(available, "Redis at " + REDIS_URL, "worker killed mid-job", () => {
  beforeAll(async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.FACET_QUEUE_PREFIX = PREFIX;
    process.env.SHOPIFY_API_KEY = "test-api-key";
    process.env.SHOPIFY_API_SECRET = SECRET;
    resetEnvForTests();
    redis = redisConnection(REDIS_URL);
    await prisma().shop.create({ data: { id: SHOP } });
    // Installed (webhooks of shops without a session are acknowledged and dropped).
    await prisma().session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "s", isOnline: false, accessToken: "shpat_x" } });
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await closeQueue({ abandonWaiting: true });
    await deletePrefix(redis, PREFIX);
    await redis.quit();
  });

  it("loses no delivery and applies each once after kill -9 and restart", async () => {
    const { action } = await import("../../app/routes/webhooks");
    const base = JSON.parse(fixture("webhook-product.json"));
    for (let i = 0; i < N; i++) {
      const body = JSON.stringify({ ...base, id: 8100000000000 + i, title: `Ring ${i}`, variants: [] });
      const res = await action({ request: webhookRequest({ topic: "products/create", shop: SHOP, body, secret: SECRET, webhookId: `kill-${i}` }), params: {}, context: {} });
      expect(res.status).toBe(200);
    }
    const first = await startWorker(HOLD_AFTER);
    const applied = () => prisma().webhookDelivery.count({ where: { shop: SHOP, topic: "PRODUCTS_CREATE" } });
    // Kill it while a job is active: the job it holds cannot finish, however slow the machine.
    let inFlight = "";
    await waitFor(() => {
      inFlight = first.output.find((l) => l.startsWith("hold "))?.split(" ")[1] ?? "";
      return inFlight !== "";
    }, "the first worker holding a job", WAIT_MS);
    await waitFor(async () => (await applied()) === HOLD_AFTER, "the first worker's deliveries applied", WAIT_MS);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    // The kill landed mid-job (otherwise the assertions below would test nothing about recovery).
    expect(first.output, "the first worker finished the job before the kill").not.toContain(`done ${inFlight}`);
    const appliedAtKill = await applied();
    expect(appliedAtKill).toBe(HOLD_AFTER);

    const second = await startWorker();
    await waitFor(async () => (await applied()) === N, "all deliveries applied after restart", WAIT_MS);
    const q = new Queue(queueName("sync"), { connection: redis.duplicate(), prefix: PREFIX });
    await waitFor(async () => (await q.getJobCounts("completed")).completed === N, "all jobs completed", WAIT_MS);
    expect(await (await q.getJob(inFlight))!.getState()).toBe("completed");
    expect(second.output).toContain(`done ${inFlight}`);
    await q.close();
    second.kill("SIGTERM");

    expect(await prisma().product.count({ where: { shop: SHOP } })).toBe(N);
    expect(await prisma().webhookDelivery.count({ where: { shop: SHOP } })).toBe(N);
    const runs = await prisma().jobRun.findMany({ where: { shop: SHOP, name: "sync" } });
    expect(runs.filter((r) => r.status === "completed")).toHaveLength(N);
  }, 4 * WAIT_MS);
});
